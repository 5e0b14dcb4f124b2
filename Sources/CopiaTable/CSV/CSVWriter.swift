#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How to write a CSV file.
public struct CSVWriteOptions: Codable, Sendable, Equatable {
    /// The field delimiter, one ASCII character.
    public var delimiter: String
    /// Write a row's original bytes when it is unchanged since reading (same columns and delimiter, values not
    /// replaced), so untouched rows come out byte-for-byte as they went in.
    public var useOriginalText: Bool
    /// End lines with CRLF instead of LF.
    public var crlf: Bool

    public init(delimiter: String = ",", useOriginalText: Bool = true, crlf: Bool = false) {
        self.delimiter = delimiter
        self.useOriginalText = useOriginalText
        self.crlf = crlf
    }
}

/// A streaming CSV writer: a header, then rows of tables appended in order.
///
/// Fields that hold the delimiter, a quote, CR or LF are quoted (RFC 4180, quotes doubled). Missing cells are empty
/// fields. Numbers are written with the shortest text that reads back as the same `Double` (`NumberFormatting`),
/// booleans with the spelling they were read with. Rows with original text are copied as they were (see
/// `CSVWriteOptions.useOriginalText`).
///
/// ```swift
/// let writer = try CSVWriter(path: "out/train.csv", columns: table.columnNames)
/// try writer.write(table)
/// try writer.close()
/// ```
public final class CSVWriter {
    let sink: Sink
    let columns: [String]
    let options: CSVWriteOptions
    let delimiter: UInt8
    var buffer: [UInt8] = []
    let file: String
    private var closed = false

    enum Sink {
        case fd(Int32)
        case memory
    }

    /// Creates (truncates) `path` and writes the header.
    /// - Throws: `TableError` when the file cannot be created or the delimiter is invalid.
    public init(path: String, columns: [String], options: CSVWriteOptions = CSVWriteOptions()) throws {
        self.file = path
        self.columns = columns
        self.options = options
        self.delimiter = try CSVReadOptions(delimiter: options.delimiter).delimiterByte(file: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TableError(.io("cannot create: \(String(cString: strerror(errno)))"), file: path) }
        self.sink = .fd(fd)
        buffer.reserveCapacity(1 << 20)
        writeHeader()
    }

    init(memoryColumns columns: [String], options: CSVWriteOptions) throws {
        self.file = ""
        self.columns = columns
        self.options = options
        self.delimiter = try CSVReadOptions(delimiter: options.delimiter).delimiterByte(file: "")
        self.sink = .memory
        writeHeader()
    }

    deinit {
        if case .fd(let fd) = sink, !closed { _ = systemClose(fd) }
    }

    private func writeHeader() {
        for (j, name) in columns.enumerated() {
            if j > 0 { buffer.append(delimiter) }
            appendField(Array(name.utf8))
        }
        endLine()
    }

    /// Appends the rows of `table` (all, or those in `rows`), whose columns must be this writer's, in order.
    /// - Throws: `TableError` when the columns differ or writing fails.
    public func write(_ table: Table, rows: Range<Int>? = nil) throws {
        guard table.columnNames == columns else {
            throw TableError(.invalidArgument("the writer's columns are [\(columns.joined(separator: ", "))], the table's [\(table.columnNames.joined(separator: ", "))]"), file: file)
        }
        let range = rows ?? 0..<table.rowCount
        let original = options.useOriginalText && table.original?.signature == .init(columns: columns, delimiter: delimiter)
            ? table.original : nil
        for r in range {
            if let original, let bytes = original.record(r) {
                buffer.append(contentsOf: bytes)
                endLine()
            } else {
                for (j, column) in table.columns.enumerated() {
                    if j > 0 { buffer.append(delimiter) }
                    appendCell(column, r)
                }
                endLine()
            }
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
    }

    /// Flushes and closes the file.
    public func close() throws {
        try flush()
        if case .fd(let fd) = sink {
            guard systemClose(fd) == 0 else { throw TableError(.io("close failed: \(String(cString: strerror(errno)))"), file: file) }
        }
        closed = true
    }

    /// The CSV text of `table`.
    public static func encode(_ table: Table, options: CSVWriteOptions = CSVWriteOptions()) throws -> [UInt8] {
        let w = try CSVWriter(memoryColumns: table.columnNames, options: options)
        try w.write(table)
        return w.buffer
    }

    /// Writes `table` to `path` (header and all rows).
    public static func write(_ table: Table, to path: String, options: CSVWriteOptions = CSVWriteOptions()) throws {
        let w = try CSVWriter(path: path, columns: table.columnNames, options: options)
        try w.write(table)
        try w.close()
    }

    // MARK: - Formatting

    @inline(__always)
    private func endLine() {
        if options.crlf { buffer.append(0x0D) }
        buffer.append(0x0A)
    }

    private func appendCell(_ column: Column, _ r: Int) {
        if column.isMissing(r) { return }
        switch column.values {
        case .numeric(let v):
            var s = NumberFormatting.shortest(v[r])
            s.withUTF8 { buffer.append(contentsOf: $0) }
        case .categorical(let codes, let levels):
            if codes[r] >= 0 { appendField(Array(levels[Int(codes[r])].utf8)) }
        case .boolean(let b, let spelling):
            appendField(Array((b[r] ? spelling.true : spelling.false).utf8))
        }
    }

    private func appendField(_ bytes: [UInt8]) {
        let needsQuotes = bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes {
            buffer.append(contentsOf: bytes)
            return
        }
        buffer.append(0x22)
        for b in bytes {
            buffer.append(b)
            if b == 0x22 { buffer.append(0x22) }
        }
        buffer.append(0x22)
    }

    private func flush() throws {
        guard case .fd(let fd) = sink, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TableError(.io("write failed: \(String(cString: strerror(errno)))"), file: file)
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

// File-scope wrappers, so the C functions are not shadowed by methods of the same name.
func systemClose(_ fd: Int32) -> Int32 { close(fd) }
func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
