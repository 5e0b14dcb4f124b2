/// TFRecord framing, the container of TensorBoard event files: for each record,
/// `uint64 length (little-endian) · uint32 masked CRC-32C of the length · data · uint32 masked CRC-32C of the data`.
public enum TFRecord {
    /// Frames one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        out += length
        out += littleEndian(CRC32C.masked(length))
        out += data
        out += littleEndian(CRC32C.masked(data))
        return out
    }

    /// Splits a file's bytes into records, checking both CRCs.
    /// - Throws: `LearnError.corrupt` naming `path` and the byte offset of a truncated or mismatched record.
    public static func records(in bytes: [UInt8], path: String) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 12 else {
                throw LearnError.corrupt(path: path, reason: "truncated record header at byte \(i)")
            }
            let lengthBytes = Array(bytes[i..<(i + 8)])
            let length = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            guard read32(bytes, i + 8) == CRC32C.masked(lengthBytes) else {
                throw LearnError.corrupt(path: path, reason: "length CRC mismatch at byte \(i)")
            }
            guard length <= UInt64(bytes.count - i - 16) else {
                throw LearnError.corrupt(path: path, reason: "record at byte \(i) claims \(length) bytes past the end")
            }
            let start = i + 12, end = start + Int(length)
            let data = Array(bytes[start..<end])
            guard read32(bytes, end) == CRC32C.masked(data) else {
                throw LearnError.corrupt(path: path, reason: "data CRC mismatch in record at byte \(i)")
            }
            records.append(data)
            i = end + 4
        }
        return records
    }

    private static func read32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func littleEndian<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v.littleEndian) { Array($0) }
    }
}
