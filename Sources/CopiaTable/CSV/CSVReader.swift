#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming CSV reader: RFC 4180 quoting (`""` inside quotes is a quote; quoted fields may hold delimiters and line
/// breaks), LF or CRLF line endings, an optional UTF-8 byte-order mark, empty fields as missing values, any one-byte
/// delimiter.
///
/// The file is read in chunks of `CSVReadOptions.chunkSize` bytes and parsed straight from the bytes: numbers are
/// converted without creating a `String` per field (`NumberParsing`), categorical values are looked up by a hash of
/// their bytes and become a `String` once per distinct value. Memory is one chunk plus the columns (plus the original
/// record bytes when `keepOriginalText`).
///
/// Types: a column in `schema` has that type. Otherwise a column is numeric while every value parses as a number,
/// becomes categorical at the first value that does not, and is boolean when its values are all true/false (any case).
/// The label column is categorical unless the schema says otherwise.
///
/// Leniency, stated: a quote inside an unquoted field is taken literally; fully blank lines are skipped (in tables of
/// two or more columns); spaces around numbers are allowed. Text after a closing quote, an unclosed quote, a record
/// with the wrong number of fields and invalid UTF-8 are errors naming the file, line, column and value.
public enum CSVReader {
    /// Reads the CSV file at `path`. Errors name the file as `displayName` (default: `path`).
    /// - Throws: `TableError`.
    public static func read(path: String, options: CSVReadOptions = CSVReadOptions(), displayName: String? = nil) throws -> Table {
        let name = displayName ?? path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TableError(.io("cannot open: \(String(cString: strerror(errno)))"), file: name) }
        defer { close(fd) }
        var source = FileSource(fd: fd, file: name)
        return try parse(&source, file: name, options: options)
    }

    /// Reads CSV text held in memory; `file` names it in errors.
    public static func read(bytes: [UInt8], file: String = "", options: CSVReadOptions = CSVReadOptions()) throws -> Table {
        var source = MemorySource(bytes: bytes)
        return try parse(&source, file: file, options: options)
    }

    /// Reads CSV text held in a string.
    public static func read(string: String, file: String = "", options: CSVReadOptions = CSVReadOptions()) throws -> Table {
        try read(bytes: Array(string.utf8), file: file, options: options)
    }

    static func parse<S: ByteSource>(_ source: inout S, file: String, options: CSVReadOptions) throws -> Table {
        var parser = try Parser(file: file, options: options)
        try parser.run(&source)
        return try parser.finish()
    }
}

// MARK: - Byte sources

protocol ByteSource {
    /// Reads up to `count` bytes into `buffer`; 0 at end of input.
    mutating func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int
}

struct FileSource: ByteSource {
    let fd: Int32
    let file: String
    mutating func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            let n = systemRead(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TableError(.io("read failed: \(String(cString: strerror(errno)))"), file: file)
        }
    }
}

struct MemorySource: ByteSource {
    let bytes: [UInt8]
    var offset = 0
    mutating func read(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        let n = min(count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { src in buffer.copyMemory(from: src.baseAddress! + offset, byteCount: n) }
            offset += n
        }
        return n
    }
}

// MARK: - The record scanner

/// Field boundaries of one record, found by `scanRecord`.
struct FieldSpans {
    var start: [Int] = []
    var end: [Int] = []
    /// 1: quoted; 2: quoted and holds escaped quotes.
    var flags: [UInt8] = []
    var count = 0
    /// Line breaks inside quoted fields.
    var innerLines = 0

    mutating func reset() {
        count = 0
        innerLines = 0
    }

    @inline(__always)
    mutating func add(_ s: Int, _ e: Int, _ f: UInt8) {
        if count < start.count {
            start[count] = s
            end[count] = e
            flags[count] = f
        } else {
            start.append(s)
            end.append(e)
            flags.append(f)
        }
        count += 1
    }
}

enum ScanOutcome {
    /// A complete record; the next record starts at this index.
    case record(next: Int)
    /// The record runs past the buffer; read more.
    case incomplete
    case unterminatedQuote
    case textAfterQuote(at: Int)
}

private let quote: UInt8 = 0x22
private let lf: UInt8 = 0x0A
private let cr: UInt8 = 0x0D

/// Scans one record starting at `start` in `p[0..<len]`. `eof` says whether more bytes may follow.
@inline(__always)
func scanRecord(_ p: UnsafeBufferPointer<UInt8>, from start: Int, length len: Int, eof: Bool, delimiter: UInt8,
                into spans: inout FieldSpans) -> ScanOutcome {
    spans.reset()
    var i = start
    while true {
        if i < len && p[i] == quote {
            let fs = i + 1
            i += 1
            var flag: UInt8 = 1
            var lines = 0
            var fe = 0
            while true {
                if i >= len { return eof ? .unterminatedQuote : .incomplete }
                let c = p[i]
                if c == quote {
                    if i + 1 < len {
                        if p[i + 1] == quote { flag = 2; i += 2; continue }
                    } else if !eof {
                        return .incomplete
                    }
                    fe = i
                    i += 1
                    break
                }
                if c == lf { lines += 1 }
                i += 1
            }
            spans.innerLines += lines
            spans.add(fs, fe, flag)
            if i >= len { return eof ? .record(next: len) : .incomplete }
            let c = p[i]
            if c == delimiter { i += 1; continue }
            if c == lf { return .record(next: i + 1) }
            if c == cr {
                if i + 1 < len {
                    if p[i + 1] == lf { return .record(next: i + 2) }
                } else if eof {
                    return .record(next: len)
                } else {
                    return .incomplete
                }
            }
            return .textAfterQuote(at: fs - 1)
        } else {
            let fs = i
            while i < len {
                let c = p[i]
                if c == delimiter || c == lf { break }
                i += 1
            }
            if i >= len {
                if !eof { return .incomplete }
                var fe = len
                if fe > fs && p[fe - 1] == cr { fe -= 1 }
                spans.add(fs, fe, 0)
                return .record(next: len)
            }
            if p[i] == lf {
                var fe = i
                if fe > fs && p[fe - 1] == cr { fe -= 1 }
                spans.add(fs, fe, 0)
                return .record(next: i + 1)
            }
            spans.add(fs, i, 0)
            i += 1
        }
    }
}

/// The field's text with `""` turned into `"` (for flag 2), else the bytes as they are.
func unescapedField(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ flag: UInt8) -> [UInt8] {
    guard flag == 2 else { return Array(p[s..<e]) }
    var out: [UInt8] = []
    out.reserveCapacity(e - s)
    var i = s
    while i < e {
        out.append(p[i])
        i += (p[i] == quote && i + 1 < e && p[i + 1] == quote) ? 2 : 1
    }
    return out
}

func lossyText(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

// MARK: - Column builders

/// Accumulates one column's values while reading.
final class ColumnBuilder {
    enum Mode { case numeric, categorical, boolean }
    let name: String
    /// Fixed by the schema (or the label rule); nil when inferred.
    let fixed: ColumnType?
    var mode: Mode
    var numbers: [Double] = []
    var missing: [Bool] = []
    var anyMissing = false
    var codes: [Int32] = []
    var levels: [String] = []
    var levelBytes: [[UInt8]] = []
    var lookup: [UInt64: [Int32]] = [:]
    var bools: [Bool] = []
    var trueSpelling: String?
    var falseSpelling: String?
    var lastAddedLevel = false

    init(name: String, fixed: ColumnType?) {
        self.name = name
        self.fixed = fixed
        switch fixed {
        case .categorical: mode = .categorical
        case .boolean: mode = .boolean
        case .numeric, nil: mode = .numeric
        }
    }

    var count: Int { missing.count }

    enum Outcome { case ok, notANumber, nonFinite, notABoolean, invalidUTF8 }

    @inline(__always)
    func appendMissing() {
        missing.append(true)
        anyMissing = true
        lastAddedLevel = false
        switch mode {
        case .numeric: numbers.append(.nan)
        case .categorical: codes.append(-1)
        case .boolean: bools.append(false)
        }
    }

    /// Appends the value in `p[s..<e]`. On `.notANumber` for an inferred column nothing is appended: the reader
    /// converts the column to categorical and calls again.
    @inline(__always)
    func append(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Outcome {
        if s == e { appendMissing(); return .ok }
        switch mode {
        case .numeric:
            guard let v = NumberParsing.parse(p, s, e) else {
                var allSpace = true
                for j in s..<e where p[j] != 0x20 && p[j] != 0x09 { allSpace = false; break }
                if allSpace { appendMissing(); return .ok }
                return .notANumber
            }
            numbers.append(v)
            missing.append(false)
            return v.isFinite ? .ok : .nonFinite
        case .categorical:
            return appendCategorical(p, s, e)
        case .boolean:
            guard let b = Self.boolean(p, s, e, strict: fixed != .boolean) else { return .notABoolean }
            bools.append(b)
            missing.append(false)
            if b, trueSpelling == nil { trueSpelling = lossyText(p[s..<e]) }
            if !b, falseSpelling == nil { falseSpelling = lossyText(p[s..<e]) }
            return .ok
        }
    }

    @inline(__always)
    func appendCategorical(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Outcome {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for j in s..<e { h = (h ^ UInt64(p[j])) &* 0x0000_0100_0000_01B3 }
        if let candidates = lookup[h] {
            for c in candidates where levelBytes[Int(c)].elementsEqual(p[s..<e]) {
                codes.append(c)
                missing.append(false)
                lastAddedLevel = false
                return .ok
            }
        }
        let bytes = Array(p[s..<e])
        guard let text = String(validating: bytes, as: UTF8.self) else { return .invalidUTF8 }
        let c = Int32(levels.count)
        levels.append(text)
        levelBytes.append(bytes)
        lookup[h, default: []].append(c)
        codes.append(c)
        missing.append(false)
        lastAddedLevel = true
        return .ok
    }

    /// Removes the last row (for a dropped record), including a level only that row introduced.
    func removeLast() {
        guard !missing.isEmpty else { return }
        missing.removeLast()
        switch mode {
        case .numeric: numbers.removeLast()
        case .boolean: bools.removeLast()
        case .categorical:
            codes.removeLast()
            if lastAddedLevel {
                let bytes = levelBytes.removeLast()
                levels.removeLast()
                var h: UInt64 = 0xCBF2_9CE4_8422_2325
                for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
                lookup[h]?.removeLast()
                if lookup[h]?.isEmpty == true { lookup[h] = nil }
            }
        }
        lastAddedLevel = false
    }

    /// Switches an inferred numeric column to categorical, given the text of the rows so far (nil for missing).
    func convertToCategorical(texts: [String?]) {
        mode = .categorical
        numbers = []
        codes = []
        levels = []
        levelBytes = []
        lookup = [:]
        missing = []
        for t in texts {
            guard let t else { codes.append(-1); missing.append(true); continue }
            let bytes = Array(t.utf8)
            _ = bytes.withUnsafeBufferPointer { appendCategorical($0, 0, $0.count) }
        }
        lastAddedLevel = false
    }

    static func boolean(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, strict: Bool) -> Bool? {
        var lower: [UInt8] = []
        for j in s..<e where p[j] != 0x20 { lower.append(p[j] | (p[j] >= 0x41 && p[j] <= 0x5A ? 0x20 : 0)) }
        switch String(decoding: lower, as: UTF8.self) {
        case "true": return true
        case "false": return false
        case "yes", "1", "t", "y": return strict ? nil : true
        case "no", "0", "f", "n": return strict ? nil : false
        default: return nil
        }
    }

    func makeColumn() -> Column {
        let m = anyMissing ? missing : []
        switch mode {
        case .numeric:
            return Column(name: name, values: .numeric(numbers), missing: m)
        case .boolean:
            return Column(name: name, values: .boolean(bools, spelling: BooleanSpelling(true: trueSpelling ?? "true", false: falseSpelling ?? "false")), missing: m)
        case .categorical:
            // An inferred column whose values are all true/false (any case) is boolean.
            if fixed == nil, !levels.isEmpty, levels.count <= 2 {
                let lowered = levels.map { $0.lowercased() }
                if Set(lowered).isSubset(of: ["true", "false"]) && Set(lowered).count == levels.count {
                    let isTrue = lowered.map { $0 == "true" }
                    let spelling = BooleanSpelling(true: zip(levels, isTrue).first { $0.1 }?.0 ?? "true",
                                                   false: zip(levels, isTrue).first { !$0.1 }?.0 ?? "false")
                    return Column(name: name, values: .boolean(codes.map { $0 >= 0 && isTrue[Int($0)] }, spelling: spelling), missing: m)
                }
            }
            return Column(name: name, values: .categorical(codes: codes, levels: levels), missing: m)
        }
    }
}

// MARK: - The parser

struct Parser {
    let file: String
    let options: CSVReadOptions
    let delimiter: UInt8
    var header: [String] = []
    var builders: [ColumnBuilder] = []
    var spans = FieldSpans()
    var line = 1
    var lineNumbers: [Int] = []
    var dropped: [CellNote] = []
    var nonFiniteCells: [CellNote] = []
    // Original record bytes: finished chunks plus the current one.
    var keptChunks: [[UInt8]] = []
    var recordChunk: [Int32] = []
    var recordStart: [Int] = []
    var recordEnd: [Int] = []
    var scratch: [UInt8] = []
    /// Where the current chunk's kept bytes start in the parse buffer (-1: no record kept from it yet).
    var keptFrom = -1

    init(file: String, options: CSVReadOptions) throws {
        self.file = file
        self.options = options
        self.delimiter = try options.delimiterByte(file: file)
        guard options.chunkSize > 0 else { throw TableError(.invalidArgument("chunkSize must be positive, got \(options.chunkSize)"), file: file) }
    }

    mutating func run<S: ByteSource>(_ source: inout S) throws {
        var capacity = max(options.chunkSize, 64)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var length = 0
        var eof = false
        var first = true
        while true {
            // Fill the buffer.
            while !eof && length < capacity {
                let n = try source.read(into: buffer + length, count: capacity - length)
                if n == 0 { eof = true } else { length += n }
            }
            var start = 0
            let p = UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: length)
            if first {
                first = false
                if length >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { start = 3 }
            }
            let consumed = try parseRecords(p, from: start, eof: eof)
            if eof { break }
            // Carry the unfinished record over; grow when one record fills the whole buffer.
            let rest = length - consumed
            if consumed == 0 {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 16)
                bigger.copyMemory(from: buffer, byteCount: length)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            } else if rest > 0 {
                buffer.copyMemory(from: buffer + consumed, byteCount: rest)
            }
            length = rest
        }
        if header.isEmpty { throw TableError(.emptyFile, file: file) }
    }

    /// Parses complete records in `p[start...]`; returns the index after the last complete record.
    mutating func parseRecords(_ p: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool) throws -> Int {
        var i = start
        let keep = options.keepOriginalText
        let chunkIndex = Int32(keptChunks.count)
        keptFrom = -1
        while i < p.count {
            switch scanRecord(p, from: i, length: p.count, eof: eof, delimiter: delimiter, into: &spans) {
            case .incomplete:
                if keep && keptFrom >= 0 { keptChunks.append(Array(p[keptFrom..<i])) }
                return i
            case .unterminatedQuote:
                throw TableError(.unterminatedQuote, file: file, row: line)
            case .textAfterQuote(let at):
                var e = at + 1
                while e < p.count && p[e] != delimiter && p[e] != lf { e += 1 }
                throw TableError(.textAfterClosingQuote, file: file, row: line, column: columnName(spans.count - 1), value: lossyText(p[at..<min(e, p.count)]))
            case .record(let next):
                let recordLine = line
                line += 1 + spans.innerLines
                if header.isEmpty {
                    try readHeader(p)
                } else {
                    var end = next
                    while end > i && (p[end - 1] == lf || p[end - 1] == cr) { end -= 1 }
                    if try addRecord(p, line: recordLine) {
                        if keep {
                            if keptFrom < 0 { keptFrom = i }
                            recordChunk.append(chunkIndex)
                            recordStart.append(i - keptFrom)
                            recordEnd.append(end - keptFrom)
                        }
                    }
                }
                i = next
            }
        }
        if keep && keptFrom >= 0 { keptChunks.append(Array(p[keptFrom..<i])) }
        return i
    }

    func columnName(_ index: Int) -> String? { index < header.count ? header[index] : nil }

    mutating func readHeader(_ p: UnsafeBufferPointer<UInt8>) throws {
        var names: [String] = []
        for f in 0..<spans.count {
            let bytes = unescapedField(p, spans.start[f], spans.end[f], spans.flags[f])
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw TableError(.invalidUTF8, file: file, row: line - 1 - spans.innerLines, value: lossyText(bytes))
            }
            if names.contains(name) { throw TableError(.duplicateColumn, file: file, row: 1, column: name) }
            names.append(name)
        }
        if names == [""] { throw TableError(.emptyFile, file: file) }
        for name in options.schema.keys.sorted() where !names.contains(name) {
            throw TableError(.unknownColumn, file: file, column: name, value: names.joined(separator: ", "))
        }
        if let label = options.labelColumn, !names.contains(label) {
            throw TableError(.unknownColumn, file: file, column: label, value: names.joined(separator: ", "))
        }
        header = names
        builders = names.map { name in
            let fixed = options.schema[name] ?? (name == options.labelColumn ? .categorical : nil)
            return ColumnBuilder(name: name, fixed: fixed)
        }
        spans.start.reserveCapacity(names.count + 1)
    }

    /// Adds one data record; false when it was skipped (blank line) or dropped (non-finite policy).
    mutating func addRecord(_ p: UnsafeBufferPointer<UInt8>, line recordLine: Int) throws -> Bool {
        let n = spans.count
        if n != header.count {
            if n == 1 && spans.start[0] == spans.end[0] && spans.flags[0] == 0 && header.count > 1 { return false }
            throw TableError(.raggedRow(fields: n, expected: header.count), file: file, row: recordLine)
        }
        var nonFiniteColumn = -1
        var j = 0
        while j < n {
            let b = builders[j]
            var s = spans.start[j], e = spans.end[j]
            var outcome: ColumnBuilder.Outcome
            if spans.flags[j] == 2 {
                scratch = unescapedField(p, s, e, 2)
                outcome = scratch.withUnsafeBufferPointer { b.append($0, 0, $0.count) }
                s = 0; e = scratch.count
            } else {
                outcome = b.append(p, s, e)
            }
            switch outcome {
            case .ok:
                break
            case .nonFinite:
                let value = spans.flags[j] == 2 ? lossyText(scratch) : lossyText(p[s..<e])
                switch options.nonFinite {
                case .error:
                    throw TableError(.nonFinite, file: file, row: recordLine, column: header[j], value: value)
                case .dropRow:
                    if nonFiniteColumn < 0 {
                        nonFiniteColumn = j
                        dropped.append(CellNote(line: recordLine, column: header[j], value: value))
                    }
                case .imputeMedian:
                    b.missing[b.missing.count - 1] = true
                    b.anyMissing = true
                    nonFiniteCells.append(CellNote(line: recordLine, column: header[j], value: value))
                }
            case .notANumber:
                let value = spans.flags[j] == 2 ? scratch : Array(p[s..<e])
                if b.fixed == .numeric {
                    throw TableError(.expectedNumber, file: file, row: recordLine, column: header[j], value: lossyText(value))
                }
                b.convertToCategorical(texts: priorTexts(column: j, current: p))
                let again = value.withUnsafeBufferPointer { b.append($0, 0, $0.count) }
                if again == .invalidUTF8 {
                    throw TableError(.invalidUTF8, file: file, row: recordLine, column: header[j], value: lossyText(value))
                }
            case .notABoolean:
                let value = spans.flags[j] == 2 ? lossyText(scratch) : lossyText(p[s..<e])
                throw TableError(.expectedBoolean, file: file, row: recordLine, column: header[j], value: value)
            case .invalidUTF8:
                let value = spans.flags[j] == 2 ? lossyText(scratch) : lossyText(p[s..<e])
                throw TableError(.invalidUTF8, file: file, row: recordLine, column: header[j], value: value)
            }
            j += 1
        }
        if nonFiniteColumn >= 0 {
            for b in builders { b.removeLast() }
            return false
        }
        lineNumbers.append(recordLine)
        return true
    }

    /// The text of column `j` in the rows read so far: from the kept record bytes when there are any, else the
    /// shortest text of the parsed numbers (exact in value, not always in spelling: "007" becomes "7").
    func priorTexts(column j: Int, current: UnsafeBufferPointer<UInt8>) -> [String?] {
        let b = builders[j]
        var texts: [String?] = []
        texts.reserveCapacity(b.count)
        var local = FieldSpans()
        func field(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String? {
            guard case .record = scanRecord(p, from: s, length: e, eof: true, delimiter: delimiter, into: &local),
                  local.count > j else { return nil }
            return lossyText(unescapedField(p, local.start[j], local.end[j], local.flags[j]))
        }
        let keep = options.keepOriginalText
        for r in 0..<b.count {
            if b.missing[r] { texts.append(nil); continue }
            var text: String? = nil
            if keep {
                let c = Int(recordChunk[r])
                if c < keptChunks.count {
                    text = keptChunks[c].withUnsafeBufferPointer { field($0, recordStart[r], recordEnd[r]) }
                } else if keptFrom >= 0 {
                    // A record of the chunk being parsed: its bytes are still in the parse buffer.
                    let base = UnsafeBufferPointer(rebasing: current[keptFrom...])
                    text = field(base, recordStart[r], recordEnd[r])
                }
            }
            texts.append(text ?? NumberFormatting.shortest(b.numbers[r]))
        }
        return texts
    }

    func finish() throws -> Table {
        let columns = builders.map { $0.makeColumn() }
        let original: OriginalRecords? = options.keepOriginalText
            ? OriginalRecords(chunks: keptChunks, chunk: recordChunk, start: recordStart, end: recordEnd,
                              signature: .init(columns: header, delimiter: delimiter))
            : nil
        var table = Table(columns: columns, rowCount: lineNumbers.count, labelColumn: options.labelColumn, file: file,
                          lineNumbers: lineNumbers, droppedRows: dropped, original: original)
        table.nonFiniteCells = nonFiniteCells
        return table
    }
}
