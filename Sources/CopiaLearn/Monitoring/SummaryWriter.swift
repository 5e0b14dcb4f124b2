import CopiaCore
import Foundation

/// Writes training curves as a TensorBoard event file, and the scalars again as JSON lines for scripts.
///
/// `tensorboard --logdir DIR` shows the scalars, histograms and images; Weights & Biases imports the same directory
/// with `wandb.init(sync_tensorboard=True)`. The event file is TFRecord-framed `Event` protocol buffers, written by
/// hand (field numbers as tensorboard/compat/proto/event.proto and summary.proto): no TensorFlow or protobuf library.
///
/// ```swift
/// let log = try SummaryWriter(logDirectory: "runs/vae")
/// try log.addScalar("loss/train", loss, step: step)
/// try log.addHistograms(of: model, step: step)          // weights/… and gradients/… for every parameter
/// try log.addImage("samples", ImageGrid(samples), step: step)
/// ```
public final class SummaryWriter {
    /// The event file (`<logDirectory>/events.out.tfevents.<seconds>.<host>.<pid>.copia`).
    public let eventFilePath: String
    /// The JSON-lines copy of the scalars (`<logDirectory>/scalars.jsonl`): `{"step":…,"tag":…,"value":…,"wall_time":…}`,
    /// a non-finite value written as `null`.
    public let scalarsPath: String
    private let events: FileHandle
    private let scalars: FileHandle
    private let clock: () -> Double

    /// Creates the directory if needed and starts a new event file with its `file_version` record.
    /// - Parameter clock: seconds since 1970 for `wall_time` (injectable for tests).
    /// - Throws: `LearnError.io` naming the path that could not be created or opened.
    public init(logDirectory: String, clock: @escaping () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.clock = clock
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        } catch {
            throw LearnError.io(path: logDirectory, reason: "cannot create log directory: \(error.localizedDescription)")
        }
        let host = ProcessInfo.processInfo.hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        let pid = ProcessInfo.processInfo.processIdentifier
        eventFilePath = (logDirectory as NSString).appendingPathComponent(
            "events.out.tfevents.\(Int(clock())).\(host.isEmpty ? "host" : host).\(pid).copia")
        scalarsPath = (logDirectory as NSString).appendingPathComponent("scalars.jsonl")
        events = try Self.open(eventFilePath, truncate: true)
        scalars = try Self.open(scalarsPath, truncate: false)
        try writeEvent(step: 0) { $0.string(3, "brain.Event:2") }
    }

    deinit {
        try? events.close()
        try? scalars.close()
    }

    private static func open(_ path: String, truncate: Bool) throws -> FileHandle {
        let fm = FileManager.default
        if truncate || !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw LearnError.io(path: path, reason: "cannot create file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw LearnError.io(path: path, reason: "cannot open for writing")
        }
        do { try handle.seekToEnd() } catch {
            throw LearnError.io(path: path, reason: "cannot seek: \(error.localizedDescription)")
        }
        return handle
    }

    private func append(_ bytes: [UInt8], to handle: FileHandle, path: String) throws {
        do { try handle.write(contentsOf: Data(bytes)) } catch {
            throw LearnError.io(path: path, reason: "write failed: \(error.localizedDescription)")
        }
    }

    /// Event { wall_time = 1; step = 2; file_version = 3 | summary = 5 }.
    private func writeEvent(step: Int, wallTime: Double? = nil, _ body: (inout ProtobufWriter) -> Void) throws {
        var e = ProtobufWriter()
        e.double(1, wallTime ?? clock())
        e.int64(2, Int64(step))
        body(&e)
        try append(TFRecord.frame(e.bytes), to: events, path: eventFilePath)
    }

    /// Summary { repeated Value value = 1 }; Value { tag = 1; simple_value = 2 | image = 4 | histo = 5 }.
    private func writeSummaryValue(tag: String, step: Int, wallTime: Double? = nil,
                                   _ body: @escaping (inout ProtobufWriter) -> Void) throws {
        try writeEvent(step: step, wallTime: wallTime) { e in
            e.message(5) { summary in
                summary.message(1) { value in
                    value.string(1, tag)
                    body(&value)
                }
            }
        }
    }

    /// A scalar curve point (loss, learning rate, gradient norm), also appended to `scalars.jsonl`.
    public func addScalar(_ tag: String, _ value: Double, step: Int) throws {
        let time = clock()
        try writeSummaryValue(tag: tag, step: step, wallTime: time) { $0.float(2, Float(value)) }
        let v = value.isFinite ? "\(value)" : "null"
        let line = "{\"step\":\(step),\"tag\":\(JSONWriter.compact(.string(tag))),\"value\":\(v),\"wall_time\":\(time)}\n"
        try append(Array(line.utf8), to: scalars, path: scalarsPath)
    }

    /// A histogram of `values` (NaN and infinities left out; nothing is written when no finite value remains).
    public func addHistogram(_ tag: String, _ values: [Float], step: Int, bucketCount: Int = 30) throws {
        guard let h = Histogram(values, bucketCount: bucketCount) else { return }
        try addHistogram(tag, h, step: step)
    }

    /// HistogramProto { min = 1; max = 2; num = 3; sum = 4; sum_squares = 5; bucket_limit = 6; bucket = 7 }.
    public func addHistogram(_ tag: String, _ h: Histogram, step: Int) throws {
        try writeSummaryValue(tag: tag, step: step) { value in
            value.message(5) { p in
                p.double(1, h.min)
                p.double(2, h.max)
                p.double(3, h.count)
                p.double(4, h.sum)
                p.double(5, h.sumOfSquares)
                p.packedDoubles(6, h.bucketLimits)
                p.packedDoubles(7, h.bucketCounts)
            }
        }
    }

    /// Histograms of every parameter's values (`weights/<path>`) and gradients (`gradients/<path>`).
    public func addHistograms(of module: any Module, step: Int) throws {
        for (name, p) in module.namedParameters() {
            try addHistogram("weights/\(name)", p.value.scalars, step: step)
            try addHistogram("gradients/\(name)", p.gradient.scalars, step: step)
        }
    }

    /// Image { height = 1; width = 2; colorspace = 3; encoded_image_string = 4 (PNG) }.
    public func addImage(_ tag: String, _ grid: ImageGrid, step: Int) throws {
        let png = grid.png
        try writeSummaryValue(tag: tag, step: step) { value in
            value.message(4) { img in
                img.int64(1, Int64(grid.height))
                img.int64(2, Int64(grid.width))
                img.int64(3, Int64(grid.channels))
                img.bytes(4, png)
            }
        }
    }

    /// Forces buffered bytes to disk.
    public func flush() throws {
        do {
            try events.synchronize()
            try scalars.synchronize()
        } catch {
            throw LearnError.io(path: eventFilePath, reason: "flush failed: \(error.localizedDescription)")
        }
    }
}
