/// Just enough of the protocol-buffer wire format to write and read TensorBoard's `Event` and `Summary` messages:
/// varints (wire type 0), 64-bit (1), length-delimited (2) and 32-bit (5) fields.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        fixed64(value.bitPattern)
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// A packed repeated double field.
    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        key(field, 2)
        varint(UInt64(values.count * 8))
        for v in values { fixed64(v.bitPattern) }
    }

    private mutating func fixed64(_ v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes += $0 }
    }
}

/// Reads the fields of one message; unknown fields are skipped, as protobuf requires.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)

        var double: Double? { if case .fixed64(let v) = self { return Double(bitPattern: v) }; return nil }
        var float: Float? { if case .fixed32(let v) = self { return Float(bitPattern: v) }; return nil }
        var int: Int64? { if case .varint(let v) = self { return Int64(bitPattern: v) }; return nil }
        var data: ArraySlice<UInt8>? { if case .bytes(let v) = self { return v }; return nil }
        var string: String? { data.map { String(decoding: $0, as: UTF8.self) } }
        /// A packed repeated double field (or one unpacked element).
        var doubles: [Double]? {
            switch self {
            case .fixed64(let v): return [Double(bitPattern: v)]
            case .bytes(let b) where b.count % 8 == 0:
                var out: [Double] = []
                var i = b.startIndex
                while i < b.endIndex {
                    var v: UInt64 = 0
                    for k in 0..<8 { v |= UInt64(b[i + k]) << (8 * k) }
                    out.append(Double(bitPattern: v))
                    i += 8
                }
                return out
            default: return nil
            }
        }
    }

    struct Malformed: Error {}

    /// The (field number, value) pairs of a message in order.
    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(Int, Value)] {
        var i = bytes.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.endIndex, shift < 64 else { throw Malformed() }
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard bytes.endIndex - i >= n else { throw Malformed() }
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            i += n
            return v
        }
        var result: [(Int, Value)] = []
        while i < bytes.endIndex {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: result.append((field, .varint(try varint())))
            case 1: result.append((field, .fixed64(try fixed(8))))
            case 2:
                let n = Int(try varint())
                guard n >= 0, bytes.endIndex - i >= n else { throw Malformed() }
                result.append((field, .bytes(bytes[i..<(i + n)])))
                i += n
            case 5: result.append((field, .fixed32(UInt32(try fixed(4)))))
            default: throw Malformed()
            }
        }
        return result
    }
}
