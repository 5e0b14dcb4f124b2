import ArgumentParser
import Copia
import Foundation

/// The `copia` command line.
public struct CopiaCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "copia",
        abstract: "Turns a small, imbalanced dataset into a larger, balanced training set, with provenance for every sample.",
        version: copiaVersion,
        subcommands: [RunCommand.self, ValidateCommand.self, SchemaCommand.self, OpsCommand.self, VerifyCommand.self, ReplayCommand.self,
                      LearningRateFindCommand.self]
    )

    public init() {}
}

/// Exit statuses: 0 success, 1 a failure during a run or a failed check, 64 bad usage or spec (sysexits' EX_USAGE).
public enum ExitStatus {
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
}

/// Entry points for the executable and for tests.
public enum CopiaMain {
    /// Runs `copia` with the process's arguments and exits.
    public static func main() {
        exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Runs `copia` with `arguments` in-process and returns the exit status; output goes to `Console.current`.
    public static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try CopiaCommand.parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as SpecError {
            warn(error.description)
            return ExitStatus.usage
        } catch let error as RunError {
            warn(error.description)
            return ExitStatus.failure
        } catch let error as FileError {
            warn(error.description)
            return ExitStatus.failure
        } catch let error as CodecError {
            warn(error.description)
            return ExitStatus.failure
        } catch let error as CommandFailure {
            return error.status
        } catch {
            let code = CopiaCommand.exitCode(for: error).rawValue
            let message = CopiaCommand.fullMessage(for: error)
            if code == 0 { say(message) } else if !message.isEmpty { warn(message) }
            return code
        }
    }

    /// Runs and captures output (for tests).
    public static func capture(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let console = Console(capturing: true)
        let status = Console.$current.withValue(console) { run(arguments) }
        return (status, console.standardOutput, console.standardError)
    }
}

/// A failure already reported to the user; carries only the exit status.
struct CommandFailure: Error {
    var status: Int32
}
