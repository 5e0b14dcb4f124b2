import Foundation

/// Where the CLI's output goes: the process's standard streams, or buffers when a test runs a command in-process.
public final class Console: @unchecked Sendable {
    private let lock = NSLock()
    private let capturing: Bool
    private var outBuffer = ""
    private var errBuffer = ""

    public static let standard = Console(capturing: false)
    @TaskLocal public static var current: Console = .standard

    public init(capturing: Bool) { self.capturing = capturing }

    public func out(_ text: String) {
        if capturing { lock.withLock { outBuffer += text + "\n" } } else { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    }

    public func err(_ text: String) {
        if capturing { lock.withLock { errBuffer += text + "\n" } } else { FileHandle.standardError.write(Data((text + "\n").utf8)) }
    }

    public var standardOutput: String { lock.withLock { outBuffer } }
    public var standardError: String { lock.withLock { errBuffer } }
}

func say(_ text: String) { Console.current.out(text) }
func warn(_ text: String) { Console.current.err(text) }
