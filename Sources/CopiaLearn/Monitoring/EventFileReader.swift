import Foundation

/// One decoded event of a TensorBoard event file.
public struct SummaryEvent: Sendable, Equatable {
    public var wallTime: Double
    public var step: Int64
    /// Set on the file's first event ("brain.Event:2").
    public var fileVersion: String?
    public var values: [SummaryValue]
}

/// One tagged value of a summary.
public struct SummaryValue: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case scalar(Float)
        case histogram(Histogram)
        case image(width: Int, height: Int, colorspace: Int, encoded: [UInt8])
        /// A kind this reader does not decode (tensors, audio).
        case other
    }
    public var tag: String
    public var content: Content
}

/// Reads event files written by `SummaryWriter` (or TensorFlow/PyTorch, for the message kinds above), checking every
/// record's CRCs.
public enum EventFileReader {
    /// - Throws: `LearnError.io` if the file cannot be read, `.corrupt` for bad framing or messages (with the path).
    public static func read(path: String) throws -> [SummaryEvent] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LearnError.io(path: path, reason: "cannot read event file")
        }
        return try TFRecord.records(in: [UInt8](data), path: path).enumerated().map { index, record in
            do { return try decodeEvent(record[...]) } catch {
                throw LearnError.corrupt(path: path, reason: "record \(index) is not an Event message")
            }
        }
    }

    static func decodeEvent(_ bytes: ArraySlice<UInt8>) throws -> SummaryEvent {
        var event = SummaryEvent(wallTime: 0, step: 0, fileVersion: nil, values: [])
        for (field, value) in try ProtobufReader.fields(bytes) {
            switch field {
            case 1: event.wallTime = value.double ?? 0
            case 2: event.step = value.int ?? 0
            case 3: event.fileVersion = value.string
            case 5:
                for (f, v) in try ProtobufReader.fields(value.data ?? []) where f == 1 {
                    event.values.append(try decodeValue(v.data ?? []))
                }
            default: break
            }
        }
        return event
    }

    static func decodeValue(_ bytes: ArraySlice<UInt8>) throws -> SummaryValue {
        var result = SummaryValue(tag: "", content: .other)
        for (field, value) in try ProtobufReader.fields(bytes) {
            switch field {
            case 1: result.tag = value.string ?? ""
            case 2: result.content = .scalar(value.float ?? .nan)
            case 4:
                var w = 0, h = 0, cs = 0, png: [UInt8] = []
                for (f, v) in try ProtobufReader.fields(value.data ?? []) {
                    switch f {
                    case 1: h = Int(v.int ?? 0)
                    case 2: w = Int(v.int ?? 0)
                    case 3: cs = Int(v.int ?? 0)
                    case 4: png = Array(v.data ?? [])
                    default: break
                    }
                }
                result.content = .image(width: w, height: h, colorspace: cs, encoded: png)
            case 5:
                var h = Histogram(min: 0, max: 0, count: 0, sum: 0, sumOfSquares: 0, bucketLimits: [], bucketCounts: [])
                for (f, v) in try ProtobufReader.fields(value.data ?? []) {
                    switch f {
                    case 1: h.min = v.double ?? 0
                    case 2: h.max = v.double ?? 0
                    case 3: h.count = v.double ?? 0
                    case 4: h.sum = v.double ?? 0
                    case 5: h.sumOfSquares = v.double ?? 0
                    case 6: h.bucketLimits += v.doubles ?? []
                    case 7: h.bucketCounts += v.doubles ?? []
                    default: break
                    }
                }
                result.content = .histogram(h)
            default: break
            }
        }
        return result
    }
}
