import ArgumentParser
import Copia
import CopiaTable
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs a pipeline: scan, split, augment and balance the training split, write the dataset and its manifest."
    )

    @Argument(help: "The pipeline JSON file.")
    var pipeline: String

    @Option(name: .long, help: "Output folder (overrides the write stage's path).")
    var out: String?

    @Option(name: .long, help: "Worker threads; output bytes do not depend on it. Default: the number of cores.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Continue an interrupted run in the output folder.")
    var resume = false

    @Flag(name: .long, help: "Replace an existing Copia output in the output folder.")
    var overwrite = false

    @Flag(name: .long, help: "Plan only: print what would be written, write nothing.")
    var dryRun = false

    @Option(name: .long, help: .hidden)
    var stopAfter: Int?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if resume && overwrite { throw ValidationError("--resume and --overwrite cannot be used together") }
    }

    func run() throws {
        let p = try Pipeline.load(pipeline)
        let summary = try p.run(RunOptions(out: out, jobs: jobs, resume: resume, dryRun: dryRun, overwrite: overwrite, stopAfter: stopAfter))
        if dryRun {
            summary.planLines.forEach(say)
            return
        }
        let classes = summary.after.keys.sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
        if !summary.before.isEmpty {
            say("train per class: " + classes.map { "\($0) \(summary.before[$0] ?? 0)→\(summary.after[$0] ?? 0)" }.joined(separator: ", "))
        }
        let splits = Split.allCases.compactMap { s in summary.written[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", ")
        let resumed = summary.resumed > 0 ? " (\(summary.resumed) kept from the interrupted run)" : ""
        if summary.written.isEmpty {
            say("stopped after \(summary.resumed) of \(summary.planned) outputs; continue with --resume")
        } else {
            say("wrote \(summary.planned) outputs to \(summary.out): \(splits)\(resumed) in \(String(format: "%.2f", summary.seconds)) s")
        }
        for s in summary.skipped { warn("skipped: \(s)") }
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Checks pipeline files and reports every problem, each with its JSON path."
    )

    @Argument(help: "Pipeline JSON files.")
    var pipelines: [String]

    @Flag(name: .long, help: "Print the resolved spec (every default written out).")
    var resolved = false

    func run() throws {
        var failed = false
        for file in pipelines {
            do {
                let p = try Pipeline.load(file)
                if resolved { say(JSONWriter.pretty(p.resolved), terminator: "") } else { say("\(file): ok") }
            } catch let error as SpecError {
                warn(error.description)
                failed = true
            }
        }
        if failed { throw CommandFailure(status: ExitStatus.usage) }
    }
}

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Prints the JSON Schema of pipeline files (committed as Pipelines/pipeline.schema.json)."
    )

    func run() throws {
        say(JSONWriter.pretty(PipelineSchema.document), terminator: "")
    }
}

struct OpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Lists every augmentation op (or, with --samplers, every table sampler) with its parameters and defaults."
    )

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Flag(name: .long, help: "List the table samplers of the oversample, undersample and balance stages instead.")
    var samplers = false

    func run() throws {
        if samplers {
            let list: [(String, String, JSONObject)] = ResamplerSpec.variants.map { v in
                var defaults = ResamplerSpec.defaults(of: v).resolved
                defaults["sampler"] = nil
                return (v.name, v.summary, defaults)
            }
            if json {
                say(JSONWriter.pretty(.array(list.map { ["sampler": .string($0.0), "summary": .string($0.1), "defaults": .object($0.2)] })), terminator: "")
            } else {
                for (name, summary, defaults) in list {
                    say("\(name)  " + defaults.map { "\($0.key)=\(JSONWriter.compact($0.value))" }.joined(separator: " "))
                    say("    \(summary)")
                }
            }
            return
        }
        let entries = ImageOps.entries
        if json {
            let list: [JSONValue] = entries.map { e in
                ["op": .string(e.name), "summary": .string(e.summary), "defaults": .object(ImageOp.defaults(of: e.variant).resolved)]
            }
            say(JSONWriter.pretty(.array(list)), terminator: "")
            return
        }
        for e in entries {
            var defaults = ImageOp.defaults(of: e.variant).resolved
            defaults["op"] = nil
            let params = defaults.map { "\($0.key)=\(JSONWriter.compact($0.value))" }.joined(separator: " ")
            say("\(e.name)  \(params)")
            say("    \(e.summary)")
        }
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hashes every output file against the manifest."
    )

    @Argument(help: "The output folder of a run.")
    var out: String

    @Option(name: .long, help: "Worker threads.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let report = try Verifier.verify(out, jobs: max(1, jobs))
        report.problems.forEach(warn)
        if report.ok {
            say("\(out): \(report.checked) outputs verified")
        } else {
            warn("\(out): \(report.problems.count) problem(s) in \(report.checked) outputs")
            throw CommandFailure(status: ExitStatus.failure)
        }
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Regenerates one output from its manifest line and checks its hash."
    )

    @Argument(help: "The manifest.jsonl of a run.")
    var manifest: String

    @Option(name: .long, help: "The sample's id or path in the manifest.")
    var id: String

    @Option(name: .shortAndLong, help: "Write the regenerated bytes here.")
    var output: String?

    func run() throws {
        let result = try Replayer.replay(manifest: manifest, id: id)
        if let output { try FileIO.writeAtomically(result.bytes, to: output) }
        if result.matches {
            say("\(result.id): reproduced, sha256 \(result.sha256)")
        } else {
            warn("\(result.id): sha256 \(result.sha256), the manifest says \(result.expected)" + Self.versionNote(manifest: manifest))
            throw CommandFailure(status: ExitStatus.failure)
        }
    }

    /// When dataset.json beside the manifest names another Copia version: the bytes are promised within a version only.
    static func versionNote(manifest: String) -> String {
        let summary = (manifest as NSString).deletingLastPathComponent + "/dataset.json"
        guard let bytes = try? FileIO.read(summary), let json = try? JSONParser.parse(bytes),
              let made = json["copia"]?.stringValue, made != copiaVersion else { return "" }
        return " (the run was made by Copia \(made) and this is \(copiaVersion); outputs replay to the same bytes within a version)"
    }
}

func say(_ text: String, terminator: String) {
    if terminator.isEmpty, text.hasSuffix("\n") { say(String(text.dropLast())) } else { say(text) }
}
