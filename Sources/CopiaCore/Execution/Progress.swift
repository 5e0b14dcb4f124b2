import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on standard error (count, rate, ETA), shown only when standard error is a terminal,
/// redrawn at most ten times a second.
public final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0
    private let lock = NSLock()

    public init(label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.label = label
        self.total = total
        self.enabled = enabled && total > 0
    }

    public func advance(by n: Int = 1) {
        lock.lock()
        defer { lock.unlock() }
        done += n
        guard enabled else { return }
        let now = Date()
        if done < total, now.timeIntervalSince(lastDraw) < 0.1 { return }
        lastDraw = now
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@ %d/%d  %.0f/s  ETA %.0fs   ", label, done, total, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
