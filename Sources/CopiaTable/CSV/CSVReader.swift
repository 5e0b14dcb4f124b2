#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A streaming CSV reader: RFC 4180 quoting (`""` inside quotes is a quote; quoted fields may hold delimiters and line
/// breaks), LF or CRLF line endings, an optional UTF-8 byte-order mark, empty fields as missing values, any one-byte
/// delimiter.
///
/// The file is read in chunks of `CSVReadOptions.chunkSize` bytes and parsed straight from the bytes: numbers are
/// converted without creating a `String` per field (`NumberParsing`), categorical values are looked up by a hash of
/// their bytes and become a `String` once per distinct value. Memory is one chunk plus the columns. With
/// `keepOriginalText`, the input is read whole instead, because those bytes are kept anyway: each row's original text
/// is then an offset range into them (no copy), and the records are still parsed one chunk-sized window at a time.
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
    /// The size of the rest of the input, when known (a hint: the input may still be shorter or longer).
    func remainingSizeHint() -> Int?
    /// The rest of the input as one array.
    mutating func readAll() throws -> [UInt8]
}

extension ByteSource {
    func remainingSizeHint() -> Int? { nil }

    mutating func readAll() throws -> [UInt8] {
        // One byte over the hint, so the read that finds the end needs no larger buffer.
        try readAll(after: [], capacity: max(64, (remainingSizeHint() ?? 0) + 1))
    }

    /// `prefix` followed by the rest of the input, read into `capacity` bytes and doubling from there.
    mutating func readAll(after prefix: [UInt8], capacity initialCapacity: Int) throws -> [UInt8] {
        var capacity = max(initialCapacity, prefix.count + 1)
        var result = prefix
        while true {
            var eof = false
            let previous = result
            result = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = previous.count
                if count > 0 {
                    previous.withUnsafeBufferPointer { buffer.baseAddress!.initialize(from: $0.baseAddress!, count: count) }
                }
                while count < capacity {
                    let n = try read(into: buffer.baseAddress! + count, count: capacity - count)
                    if n == 0 { eof = true; break }
                    count += n
                }
            }
            if eof { return result }
            capacity *= 2
        }
    }
}

struct FileSource: ByteSource {
    let fd: Int32
    let file: String

    func remainingSizeHint() -> Int? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let position = lseek(fd, 0, SEEK_CUR)
        return position >= 0 ? max(0, Int(info.st_size) - Int(position)) : nil
    }

    /// A regular file of a megabyte or more is read as two halves at once (`pread`), which copies the bytes out of
    /// the page cache in half the time on two cores; then on, in case the file grew. Anything unexpected (a short
    /// half, an error) starts over with plain sequential reads, which report the error.
    mutating func readAll() throws -> [UInt8] {
        let position = lseek(fd, 0, SEEK_CUR)
        guard let size = remainingSizeHint(), size >= 1 << 20, position >= 0 else {
            return try readAll(after: [], capacity: max(64, (remainingSizeHint() ?? 0) + 1))
        }
        let fd = self.fd
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            let done = UnsafeMutablePointer<Bool>.allocate(capacity: 2)
            defer { done.deallocate() }
            let box = SendableBox((buffer.baseAddress!, done))
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                let (base, done) = box.value
                let lo = half * size / 2, hi = (half + 1) * size / 2
                var offset = lo
                while offset < hi {
                    let n = pread(fd, base + offset, hi - offset, off_t(Int(position) + offset))
                    if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { break }
                }
                done[half] = offset == hi
            }
            complete = done[0] && done[1]
            count = complete ? size : 0
        }
        guard complete, lseek(fd, position + off_t(size), SEEK_SET) >= 0 else {
            _ = lseek(fd, position, SEEK_SET)
            return try readAll(after: [], capacity: size + 1)
        }
        // At the end, as is usual, no copy; a file that grew meanwhile is read on (copying, rarely).
        var probe = [UInt8](repeating: 0, count: 4096)
        let n = try probe.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: $0.count) }
        if n == 0 { return bytes }
        return try readAll(after: bytes + probe[0..<n], capacity: 2 * (size + n))
    }
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

    mutating func readAll() throws -> [UInt8] {
        defer { offset = bytes.count }
        return offset == 0 ? bytes : Array(bytes[offset...])
    }
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

/// Field boundaries of the records of one chunk, flat: record `r`'s field `j` is entry `r * columns + j`.
struct FieldSpans {
    var start: [Int] = []
    var end: [Int] = []
    /// 0: plain; 1: quoted; 2: quoted and holds escaped quotes.
    var flags: [UInt8] = []

    var count: Int { start.count }

    mutating func removeAll() {
        start.removeAll(keepingCapacity: true)
        end.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
    }

    mutating func truncate(to n: Int) {
        start.removeSubrange(n...)
        end.removeSubrange(n...)
        flags.removeSubrange(n...)
    }

    @inline(__always)
    mutating func add(_ s: Int, _ e: Int, _ f: UInt8) {
        start.append(s)
        end.append(e)
        flags.append(f)
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

/// Scans one record starting at `start` in `p[0..<len]`, appending its fields to `spans`. `eof` says whether more
/// bytes may follow; `innerLines` receives the line breaks inside quoted fields.
@inline(__always)
func scanRecord(_ p: UnsafeBufferPointer<UInt8>, from start: Int, length len: Int, eof: Bool, delimiter: UInt8,
                into spans: inout FieldSpans, innerLines: inout Int) -> ScanOutcome {
    innerLines = 0
    var i = start
    while true {
        if i < len && p[i] == quote {
            let fs = i + 1
            i += 1
            var flag: UInt8 = 1
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
                if c == lf { innerLines += 1 }
                i += 1
            }
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

/// The first (up to) eight bytes of `p[s..<e]` as a little-endian word, zero beyond `e`.
@inline(__always)
func fieldHead(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> UInt64 {
    let n = min(8, e - s)
    if n <= 0 { return 0 }
    if s + 8 <= p.count {
        let word = UInt64(littleEndian: UnsafeRawPointer(p.baseAddress! + s).loadUnaligned(as: UInt64.self))
        return n == 8 ? word : word & ((1 &<< UInt64(8 * n)) &- 1)
    }
    var word: UInt64 = 0
    for i in 0..<n { word |= UInt64(p[s + i]) &<< UInt64(8 * i) }
    return word
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
final class ColumnBuilder: @unchecked Sendable {
    enum Mode { case numeric, categorical, boolean }
    enum Outcome { case ok, notABoolean, invalidUTF8 }
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

    /// Room for `rows` values in the arrays this column's mode fills.
    func reserve(rows: Int) {
        missing.reserveCapacity(rows)
        switch mode {
        case .numeric: numbers.reserveCapacity(rows)
        case .categorical: codes.reserveCapacity(rows)
        case .boolean: bools.reserveCapacity(rows)
        }
    }

    /// Appends numbers parsed in pass one (`keep` leaves out dropped records).
    func appendNumbers(_ v: UnsafePointer<Double>, _ m: UnsafePointer<Bool>, count n: Int, keep: [Bool]?) {
        if let keep {
            for r in 0..<n where keep[r] {
                numbers.append(v[r])
                missing.append(m[r])
                if m[r] { anyMissing = true }
            }
        } else {
            numbers.append(contentsOf: UnsafeBufferPointer(start: v, count: n))
            missing.append(contentsOf: UnsafeBufferPointer(start: m, count: n))
            if !anyMissing { for r in 0..<n where m[r] { anyMissing = true; break } }
        }
    }

    /// Appends one categorical or boolean value from `p[s..<e]` (flag 2: unescape quotes first).
    func appendField(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ flag: UInt8) -> Outcome {
        if s == e { appendMissing(); return .ok }
        if flag == 2 {
            let bytes = unescapedField(p, s, e, flag)
            return bytes.withUnsafeBufferPointer { appendField($0, 0, $0.count, 0) }
        }
        switch mode {
        case .numeric:
            // Only reached for text in an inferred column converted mid-chunk; never for numbers.
            return .ok
        case .categorical:
            return appendCategorical(p, s, e) ? .ok : .invalidUTF8
        case .boolean:
            guard let b = Self.boolean(p, s, e, strict: fixed != .boolean) else { return .notABoolean }
            bools.append(b)
            missing.append(false)
            if b, trueSpelling == nil { trueSpelling = lossyText(p[s..<e]) }
            if !b, falseSpelling == nil { falseSpelling = lossyText(p[s..<e]) }
            return .ok
        }
    }

    func appendMissing() {
        missing.append(true)
        anyMissing = true
        switch mode {
        case .numeric: numbers.append(.nan)
        case .categorical: codes.append(-1)
        case .boolean: bools.append(false)
        }
    }

    /// False when a new value is not UTF-8.
    func appendCategorical(_ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        // Labels and other low-cardinality columns mostly repeat the previous value: check it before hashing.
        if let last = codes.last, last >= 0, Self.same(levelBytes[Int(last)], p, s, e) {
            codes.append(last)
            missing.append(false)
            return true
        }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for j in s..<e { h = (h ^ UInt64(p[j])) &* 0x0000_0100_0000_01B3 }
        if let candidates = lookup[h] {
            for c in candidates where Self.same(levelBytes[Int(c)], p, s, e) {
                codes.append(c)
                missing.append(false)
                return true
            }
        }
        let bytes = Array(p[s..<e])
        guard let text = String(validating: bytes, as: UTF8.self) else { return false }
        let c = Int32(levels.count)
        levels.append(text)
        levelBytes.append(bytes)
        lookup[h, default: []].append(c)
        codes.append(c)
        missing.append(false)
        return true
    }

    /// Appends a part's values of a categorical column (span slot `slot`), reusing the previous record's code when
    /// the bytes repeat, with the arrays held in locals for the loop. Returns the record of a value that is not UTF-8.
    func appendRepeating(_ p: UnsafeBufferPointer<UInt8>, _ part: PartResult, slot: Int, stride: Int) -> Int? {
        var lastCode: Int32 = -1
        var lastStart = 0, lastLength = -1  // the previous value's bytes in this part (-1: none yet)
        var lastHead: UInt64 = 0
        var recentShort: [(head: UInt64, length: Int, code: Int32)] = []  // up to four, newest last
        var localCodes: [Int32] = [], localMissing: [Bool] = []
        swap(&codes, &localCodes)
        swap(&missing, &localMissing)
        defer {
            swap(&codes, &localCodes)
            swap(&missing, &localMissing)
        }
        localCodes.reserveCapacity(localCodes.count + part.records)
        localMissing.reserveCapacity(localMissing.count + part.records)
        for r in 0..<part.records {
            let k = r &* stride &+ slot
            let s = part.spanStart[k], e = part.spanEnd[k], flag = part.spanFlags[k]
            if s == e {
                localCodes.append(-1)
                localMissing.append(true)
                anyMissing = true
                continue
            }
            if flag != 2 && e - s == lastLength && part.spanHead[k] == lastHead {
                var same = true
                if lastLength > 8 {
                    for i in 8..<lastLength where p[s + i] != p[lastStart + i] { same = false; break }
                }
                if same {
                    localCodes.append(lastCode)
                    localMissing.append(false)
                    continue
                }
            }
            // A value of at most eight bytes is its length and head: look it up among the recent ones.
            if flag != 2 && e - s <= 8 {
                let head = part.spanHead[k], length = e - s
                if let hit = recentShort.firstIndex(where: { $0.head == head && $0.length == length }) {
                    lastCode = recentShort[hit].code
                    lastStart = s
                    lastLength = length
                    lastHead = head
                    localCodes.append(lastCode)
                    localMissing.append(false)
                    continue
                }
            }
            // Slow path: the general lookup (hashing, new levels, unescaping).
            swap(&codes, &localCodes)  // moves, not copies: one array owner at a time
            swap(&missing, &localMissing)
            let outcome = appendField(p, s, e, flag)
            swap(&codes, &localCodes)
            swap(&missing, &localMissing)
            if outcome != .ok { return r }
            lastCode = localCodes.last!
            if flag != 2 { lastStart = s; lastLength = e - s; lastHead = part.spanHead[k] } else { lastLength = -1 }
            if flag != 2 && e - s <= 8 {
                if recentShort.count == 4 { recentShort.removeFirst() }
                recentShort.append((lastHead, lastLength, lastCode))
            }
        }
        return nil
    }

    /// Whether `level` holds exactly the bytes `p[s..<e]` (memcmp: the generic `elementsEqual` is slow here).
    @inline(__always)
    static func same(_ level: [UInt8], _ p: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard level.count == e - s else { return false }
        return level.withUnsafeBufferPointer { l in
            if l.count > 16 { return memcmp(l.baseAddress!, p.baseAddress! + s, l.count) == 0 }
            for i in 0..<l.count where l[i] != p[s + i] { return false }
            return true
        }
    }

    /// Switches an inferred numeric column to categorical, given the text of the rows so far (nil for missing).
    func convertToCategorical(texts: [String?]) {
        mode = .categorical
        numbers = []
        missing = []
        anyMissing = false
        for t in texts {
            guard let t else { appendMissing(); continue }
            let bytes = Array(t.utf8)
            _ = bytes.withUnsafeBufferPointer { appendCategorical($0, 0, $0.count) }
        }
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

// MARK: - Pass one: scan and parse a range of records

/// How pass one treats each column: numeric columns are parsed on the spot into a column-major block, the others
/// have their field bounds recorded for pass two.
struct PartLayout: Sendable {
    let columns: Int
    let delimiter: UInt8
    /// Per column: its slot in the numeric block (>= 0), or `-1 - slot` in the span block.
    let slot: [Int]
    let numericCount: Int
    let spanCount: Int
    /// Per numeric slot: a non-number is an error (schema says numeric) rather than a reason to turn categorical.
    let fixedNumeric: [Bool]
    let nonFiniteIsError: Bool
}

/// An error pass one found; it stops the part (everything before it is complete).
struct PartError {
    enum Kind { case ragged(Int), unterminatedQuote, textAfterQuote, notANumber, nonFinite }
    var kind: Kind
    /// Lines from the part's first line.
    var line: Int
    var column: Int?
    var value: String?
}

/// What pass one produced for one range of a chunk. Buffers are manual so the hot loop does no reference counting.
final class PartResult: @unchecked Sendable {
    let capacity: Int
    let values: UnsafeMutablePointer<Double>
    let missing: UnsafeMutablePointer<Bool>
    let spanStart: UnsafeMutablePointer<Int>
    let spanEnd: UnsafeMutablePointer<Int>
    let spanFlags: UnsafeMutablePointer<UInt8>
    /// The span's first (up to) eight bytes, little-endian, zero beyond its end: taken while the bytes are in cache,
    /// so pass two can tell most repeated short values (labels) apart without reading the record again.
    let spanHead: UnsafeMutablePointer<UInt64>
    var records = 0
    var recordStart: [Int] = []
    var recordEnd: [Int] = []
    var recordLine: [Int] = []
    /// Lines consumed, blank ones included.
    var lines = 0
    /// The index after the last consumed record.
    var end = 0
    var error: PartError?
    /// Per numeric slot: the first record where an inferred numeric column met text (Int.max: never).
    var numericFailure: [Int]
    /// (record, column) of NaN and infinity, in reading order.
    var nonFinite: [(Int, Int)] = []

    init(capacity: Int, layout: PartLayout) {
        self.capacity = capacity
        values = .allocate(capacity: max(1, capacity * layout.numericCount))
        missing = .allocate(capacity: max(1, capacity * layout.numericCount))
        spanStart = .allocate(capacity: max(1, capacity * layout.spanCount))
        spanEnd = .allocate(capacity: max(1, capacity * layout.spanCount))
        spanFlags = .allocate(capacity: max(1, capacity * layout.spanCount))
        spanHead = .allocate(capacity: max(1, capacity * layout.spanCount))
        numericFailure = Array(repeating: Int.max, count: layout.numericCount)
        recordStart.reserveCapacity(capacity)
        recordEnd.reserveCapacity(capacity)
        recordLine.reserveCapacity(capacity)
    }

    deinit {
        values.deallocate()
        missing.deallocate()
        spanStart.deallocate()
        spanEnd.deallocate()
        spanFlags.deallocate()
        spanHead.deallocate()
    }
}

/// Scans and parses the records in `p[from..<to]` (fused: each field is parsed while its bytes are in cache).
/// Stops at an incomplete record (unless `eof`) or at the first error.
func parsePart(_ p: UnsafeBufferPointer<UInt8>, from: Int, to: Int, eof: Bool, layout: PartLayout, into out: PartResult) {
    let ncols = layout.columns
    let delimiter = layout.delimiter
    let cap = out.capacity
    let values = out.values, missing = out.missing
    let spanStart = out.spanStart, spanEnd = out.spanEnd, spanFlags = out.spanFlags, spanHead = out.spanHead
    let spanCount = layout.spanCount
    var failure = out.numericFailure
    var nonFinite: [(Int, Int)] = []
    var recordStart = out.recordStart, recordEnd = out.recordEnd, recordLine = out.recordLine
    var scratch: [UInt8] = []
    var r = 0
    var lines = 0
    var i = from
    var consumed = from
    var error: PartError? = nil
    layout.slot.withUnsafeBufferPointer { slot in
    layout.fixedNumeric.withUnsafeBufferPointer { fixedNumeric in
    records: while i < to {
        let begin = i
        var j = 0
        var inner = 0
        var next = 0
        var blankCandidate = false
        fields: while true {
            var fs: Int, fe: Int, flag: UInt8 = 0
            var early: Double? = nil
            var earlyEnd = -1
            var terminator = false
            if i < to && p[i] == quote {
                fs = i + 1
                i += 1
                flag = 1
                while true {
                    if i >= to {
                        if eof { error = PartError(kind: .unterminatedQuote, line: lines, column: nil, value: nil) }
                        break records
                    }
                    let c = p[i]
                    if c == quote {
                        if i + 1 < to {
                            if p[i + 1] == quote { flag = 2; i += 2; continue }
                        } else if !eof {
                            break records
                        }
                        break
                    }
                    if c == lf { inner += 1 }
                    i += 1
                }
                fe = i
                i += 1
                if i >= to {
                    if !eof { break records }
                    terminator = true
                    next = to
                } else {
                    let c = p[i]
                    if c == delimiter {
                        i += 1
                    } else if c == lf {
                        terminator = true
                        next = i + 1
                    } else if c == cr && i + 1 < to && p[i + 1] == lf {
                        terminator = true
                        next = i + 2
                    } else if c == cr && i + 1 >= to {
                        if !eof { break records }
                        terminator = true
                        next = to
                    } else {
                        var e = i
                        while e < to && p[e] != delimiter && p[e] != lf { e += 1 }
                        error = PartError(kind: .textAfterQuote, line: lines, column: j < ncols ? j : nil, value: lossyText(p[(fs - 1)..<e]))
                        break records
                    }
                }
            } else {
                fs = i
                // Numbers are parsed in the same pass that finds the field's end (the common case).
                if j < ncols, slot[j] >= 0, failure[slot[j]] == Int.max, let (v, k) = NumberParsing.prefix(p, i, to) {
                    early = v
                    earlyEnd = k
                    i = k
                }
                while i < to {
                    let c = p[i]
                    if c == delimiter || c == lf { break }
                    i += 1
                }
                if i >= to {
                    if !eof { break records }
                    fe = to
                    if fe > fs && p[fe - 1] == cr { fe -= 1 }
                    terminator = true
                    next = to
                } else if p[i] == lf {
                    fe = i
                    if fe > fs && p[fe - 1] == cr { fe -= 1 }
                    terminator = true
                    next = i + 1
                } else {
                    fe = i
                    i += 1
                }
                if j == 0 && terminator && fe == fs { blankCandidate = true }
            }
            if j < ncols {
                let s = slot[j]
                if s >= 0 {
                    let k = s &* cap &+ r
                    if failure[s] == Int.max {  // a column that met text is left to pass two
                        if fs == fe {
                            values[k] = .nan
                            missing[k] = true
                        } else {
                            let parsed: Double?
                            if let early, fe == earlyEnd {
                                parsed = early
                            } else if flag == 2 {
                                scratch = unescapedField(p, fs, fe, 2)
                                parsed = scratch.withUnsafeBufferPointer { NumberParsing.parse($0, 0, $0.count) }
                            } else {
                                parsed = NumberParsing.parse(p, fs, fe)
                            }
                            if let v = parsed {
                                values[k] = v
                                missing[k] = false
                                if !v.isFinite {
                                    if layout.nonFiniteIsError {
                                        error = PartError(kind: .nonFinite, line: lines, column: j, value: lossyText(p[fs..<fe]))
                                        break records
                                    }
                                    nonFinite.append((r, j))
                                }
                            } else {
                                var blank = true
                                for q in fs..<fe where p[q] != 0x20 && p[q] != 0x09 { blank = false; break }
                                if blank {
                                    values[k] = .nan
                                    missing[k] = true
                                } else if fixedNumeric[s] {
                                    error = PartError(kind: .notANumber, line: lines, column: j,
                                                      value: lossyText(flag == 2 ? scratch[...] : Array(p[fs..<fe])[...]))
                                    break records
                                } else {
                                    failure[s] = r
                                }
                            }
                        }
                    }
                } else {
                    let k = r &* spanCount &+ (-1 &- s)
                    spanStart[k] = fs
                    spanEnd[k] = fe
                    spanFlags[k] = flag
                    spanHead[k] = fieldHead(p, fs, fe)
                }
            }
            j += 1
            if terminator { break fields }
        }
        if j != ncols {
            if j == 1 && blankCandidate && ncols > 1 {
                lines += 1 + inner
                i = next
                consumed = next
                continue records
            }
            error = PartError(kind: .ragged(j), line: lines, column: nil, value: nil)
            break records
        }
        var end = next
        while end > begin && (p[end - 1] == lf || p[end - 1] == cr) { end -= 1 }
        recordStart.append(begin)
        recordEnd.append(end)
        recordLine.append(lines)
        lines += 1 + inner
        r += 1
        i = next
        consumed = next
        if r == cap { break records }
    }
    }
    }
    // `i` may sit inside an unfinished record; the part ends after the last complete one.
    out.end = consumed
    out.records = r
    out.lines = lines
    out.error = error
    // Failures and non-finite cells in a record that was not completed do not count.
    out.numericFailure = failure.map { $0 < r ? $0 : Int.max }
    out.nonFinite = nonFinite.filter { $0.0 < r }
    out.recordStart = recordStart
    out.recordEnd = recordEnd
    out.recordLine = recordLine
}

// MARK: - The parser

struct Parser {
    let file: String
    let options: CSVReadOptions
    let delimiter: UInt8
    var header: [String] = []
    var builders: [ColumnBuilder] = []
    var line = 1
    var lineNumbers: [Int] = []
    var dropped: [CellNote] = []
    var nonFiniteCells: [CellNote] = []
    // Original record bytes: the whole input (`keepWhole`), or one kept array per chunk.
    var keptChunks: [[UInt8]] = []
    var keepWhole = false
    /// The input's size when known (0 otherwise), to size the columns once after the first chunk.
    var expectedBytes = 0
    var reservedRows = false
    var recordChunk: [Int32] = []
    var recordStart: [Int] = []
    var recordEnd: [Int] = []

    init(file: String, options: CSVReadOptions) throws {
        self.file = file
        self.options = options
        self.delimiter = try options.delimiterByte(file: file)
        guard options.chunkSize > 0 else { throw TableError(.invalidArgument("chunkSize must be positive, got \(options.chunkSize)"), file: file) }
    }

    mutating func run<S: ByteSource>(_ source: inout S) throws {
        if options.keepOriginalText {
            let bytes = try source.readAll()
            try parseKept(bytes)
        } else {
            try parseStreaming(&source)
        }
    }

    /// Parses bytes that are kept whole as the table's original text: the records are parsed in windows of
    /// `chunkSize` bytes (so the parse buffers stay one window's size), and each row's text is an offset range in
    /// `bytes` itself, with no copy.
    mutating func parseKept(_ bytes: [UInt8]) throws {
        keptChunks = [bytes]
        keepWhole = true
        expectedBytes = bytes.count
        try bytes.withUnsafeBufferPointer { all in
            var start = all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF ? 3 : 0
            var window = max(options.chunkSize, 64)
            while true {
                let end = all.count - start <= window ? all.count : start + window
                let eof = end == all.count
                let p = UnsafeBufferPointer(rebasing: all[0..<end])
                var consumed = start
                if header.isEmpty {
                    consumed = try readHeader(p, from: start, eof: eof)
                }
                if !header.isEmpty {
                    consumed = try parseChunk(p, from: consumed, eof: eof)
                }
                if eof { break }
                // A record longer than the window: widen it until the record fits.
                if consumed == start { window *= 2 } else { start = consumed; window = max(options.chunkSize, 64) }
            }
        }
        if header.isEmpty { throw TableError(.emptyFile, file: file) }
    }

    /// Reads and parses `chunkSize` bytes at a time, carrying an unfinished record over to the next chunk.
    mutating func parseStreaming<S: ByteSource>(_ source: inout S) throws {
        expectedBytes = source.remainingSizeHint() ?? 0
        var capacity = max(options.chunkSize, 64)
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var length = 0
        var eof = false
        var first = true
        while true {
            while !eof && length < capacity {
                let n = try source.read(into: buffer + length, count: capacity - length)
                if n == 0 { eof = true } else { length += n }
            }
            var start = 0
            let p = UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: length)
            if first {
                if length >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { start = 3 }
            }
            var consumed = start
            if header.isEmpty {
                consumed = try readHeader(p, from: start, eof: eof)
            }
            if !header.isEmpty {
                consumed = try parseChunk(p, from: consumed, eof: eof)
            }
            first = false
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

    /// Reads the header record; returns where the data starts (or `from` when the header is not complete yet).
    mutating func readHeader(_ p: UnsafeBufferPointer<UInt8>, from: Int, eof: Bool) throws -> Int {
        var spans = FieldSpans()
        var inner = 0
        guard from < p.count else { return from }
        switch scanRecord(p, from: from, length: p.count, eof: eof, delimiter: delimiter, into: &spans, innerLines: &inner) {
        case .incomplete:
            return from
        case .unterminatedQuote:
            throw TableError(.unterminatedQuote, file: file, row: 1)
        case .textAfterQuote(let at):
            throw TableError(.textAfterClosingQuote, file: file, row: 1, value: lossyText(p[at..<min(at + 40, p.count)]))
        case .record(let next):
            var names: [String] = []
            for f in 0..<spans.count {
                let bytes = unescapedField(p, spans.start[f], spans.end[f], spans.flags[f])
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    throw TableError(.invalidUTF8, file: file, row: 1, value: lossyText(bytes))
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
                ColumnBuilder(name: name, fixed: options.schema[name] ?? (name == options.labelColumn ? .categorical : nil))
            }
            line = 2 + inner
            return next
        }
    }

    func layout() -> PartLayout {
        var slot: [Int] = []
        var numeric = 0, spans = 0
        var fixed: [Bool] = []
        for b in builders {
            if b.mode == .numeric {
                slot.append(numeric)
                fixed.append(b.fixed == .numeric)
                numeric += 1
            } else {
                slot.append(-1 - spans)
                spans += 1
            }
        }
        return PartLayout(columns: builders.count, delimiter: delimiter, slot: slot, numericCount: numeric,
                          spanCount: spans, fixedNumeric: fixed, nonFiniteIsError: options.nonFinite == .error)
    }

    /// Parses the complete records in `p[start...]`: pass one (scan and parse numbers) over one range, or two halves
    /// in parallel when the chunk is large; then pass two (text columns) and the non-finite policy, in file order.
    /// Returns the index after the last complete record. Errors come out in file order.
    mutating func parseChunk(_ p: UnsafeBufferPointer<UInt8>, from start: Int, eof: Bool) throws -> Int {
        let layout = self.layout()
        let ncols = max(1, builders.count)
        var parts: [PartResult] = []
        // Split at line breaks into up to 8 ranges parsed in parallel (more ranges than cores, so a descheduled
        // thread's share is picked up by the other). A range is kept only if the one before it ended exactly where
        // it starts; otherwise the split fell inside a quoted field and the rest is parsed from where that one ended.
        var bounds = [start]
        let pieces = p.count - start >= options.parallelThreshold ? 8 : 1
        for i in 1..<max(pieces, 1) {
            var b = max(bounds.last!, start + (p.count - start) * i / pieces)
            while b < p.count && p[b] != lf { b += 1 }
            b += 1
            if b < p.count && b > bounds.last! { bounds.append(b) }
        }
        bounds.append(p.count)
        let ranges = (0..<(bounds.count - 1)).map { bounds[$0]..<bounds[$0 + 1] }
        let results = ranges.map { PartResult(capacity: $0.count / ncols + 2, layout: layout) }
        if ranges.count > 1 {
            let box = SendableBox((results, ranges, p))
            DispatchQueue.concurrentPerform(iterations: ranges.count) { i in
                let (results, ranges, p) = box.value
                parsePart(p, from: ranges[i].lowerBound, to: ranges[i].upperBound, eof: i == ranges.count - 1 && eof,
                          layout: layout, into: results[i])
            }
        } else {
            parsePart(p, from: start, to: p.count, eof: eof, layout: layout, into: results[0])
        }
        parts.append(results[0])
        for i in 1..<results.count {
            let previous = parts.last!
            if previous.error != nil || previous.end != ranges[i].lowerBound {
                if previous.error == nil {
                    let rest = PartResult(capacity: (p.count - previous.end) / ncols + 2, layout: layout)
                    parsePart(p, from: previous.end, to: p.count, eof: eof, layout: layout, into: rest)
                    parts.append(rest)
                }
                break
            }
            parts.append(results[i])
        }
        var consumed = start
        // Record offsets are kept relative to the kept bytes: this chunk's copy, or the whole input.
        let chunkIndex = keepWhole ? 0 : Int32(keptChunks.count)
        let keepFrom = keepWhole ? 0 : parts.lazy.compactMap { $0.recordStart.first }.first  // the first part may hold no whole record
        var keepTo = keepFrom ?? 0
        for part in parts {
            try merge(part, p, layout: layout, chunkIndex: chunkIndex, keepFrom: keepFrom ?? 0)
            if let last = part.recordEnd.last { keepTo = last }
            consumed = part.end
            if let e = part.error {
                let row = line - part.lines + e.line
                let column = e.column.map { header[$0] }
                switch e.kind {
                case .ragged(let n): throw TableError(.raggedRow(fields: n, expected: header.count), file: file, row: row)
                case .unterminatedQuote: throw TableError(.unterminatedQuote, file: file, row: row)
                case .textAfterQuote: throw TableError(.textAfterClosingQuote, file: file, row: row, column: column, value: e.value)
                case .notANumber: throw TableError(.expectedNumber, file: file, row: row, column: column, value: e.value)
                case .nonFinite: throw TableError(.nonFinite, file: file, row: row, column: column, value: e.value)
                }
            }
        }
        if options.keepOriginalText, !keepWhole, let keepFrom { keptChunks.append(Array(p[keepFrom..<keepTo])) }
        if !reservedRows {  // after the first chunk only, whose offsets count from the start of the input
            reservedRows = true
            reserveRows(bytesSoFar: consumed)
        }
        return consumed
    }

    /// Sizes the columns for the whole input, extrapolating from the first chunk's rows per byte, so they are not
    /// regrown (and copied) chunk after chunk. A row takes at least one byte per column, which caps the guess.
    mutating func reserveRows(bytesSoFar: Int) {
        guard expectedBytes > 0, bytesSoFar > 0, !lineNumbers.isEmpty else { return }
        let estimate = Double(lineNumbers.count) * Double(expectedBytes) / Double(bytesSoFar) * 1.02 + 16
        let rows = min(Int(estimate), expectedBytes / max(1, header.count) + 1)
        guard rows > lineNumbers.count else { return }
        for b in builders { b.reserve(rows: rows) }
        lineNumbers.reserveCapacity(rows)
        if options.keepOriginalText {
            recordChunk.reserveCapacity(rows)
            recordStart.reserveCapacity(rows)
            recordEnd.reserveCapacity(rows)
        }
    }

    /// Pass two for one part, in file order: numbers into their columns, text columns value by value, the
    /// non-finite policy, line numbers and original text. `line` advances past the part.
    mutating func merge(_ part: PartResult, _ p: UnsafeBufferPointer<UInt8>, layout: PartLayout, chunkIndex: Int32, keepFrom: Int) throws {
        let records = part.records
        let firstLine = line
        line += part.lines
        guard records > 0 else { return }
        // Non-finite cells: which records to drop, which cells to mark missing.
        var keep: [Bool]? = nil
        if !part.nonFinite.isEmpty {
            switch options.nonFinite {
            case .error: break  // pass one stopped at the first
            case .dropRow:
                var k = Array(repeating: true, count: records)
                for (r, j) in part.nonFinite where k[r] {
                    k[r] = false
                    dropped.append(CellNote(line: firstLine + part.recordLine[r], column: header[j], value: fieldText(p, part, r, j)))
                }
                keep = k
            case .imputeMedian:
                for (r, j) in part.nonFinite {
                    part.missing[layout.slot[j] * part.capacity + r] = true
                    nonFiniteCells.append(CellNote(line: firstLine + part.recordLine[r], column: header[j], value: fieldText(p, part, r, j)))
                }
            }
        }
        var firstError: (record: Int, column: Int, kind: TableError.Kind, value: String)? = nil
        for (j, b) in builders.enumerated() {
            let s = layout.slot[j]
            var from = 0
            // (A column an earlier part of this chunk turned categorical takes this part's fields as text.)
            if s >= 0 && b.mode == .numeric {
                let stop = min(part.numericFailure[s], records)
                b.appendNumbers(part.values + s * part.capacity, part.missing + s * part.capacity, count: stop, keep: keep)
                if stop == records { continue }
                // An inferred column met text: earlier rows become text, with their exact spelling where known.
                var texts: [String?] = []
                texts.reserveCapacity(b.count)
                let earlier = b.count - (keep.map { $0[0..<stop].filter { $0 }.count } ?? stop)
                for row in 0..<b.count {
                    if b.missing[row] { texts.append(nil); continue }
                    texts.append(row < earlier ? (priorText(row: row, column: j) ?? NumberFormatting.shortest(b.numbers[row])) : nil)
                }
                var k = earlier
                for r in 0..<stop where keep?[r] ?? true {
                    if !b.missing[k] { texts[k] = fieldText(p, part, r, j) }
                    k += 1
                }
                b.convertToCategorical(texts: texts)
                from = stop
            }
            if s < 0 && b.mode == .categorical && keep == nil && from == 0 {
                // The common text column (labels): a batch loop that repeats the previous code without hashing.
                if let r = b.appendRepeating(p, part, slot: -1 - s, stride: layout.spanCount) {
                    if firstError == nil || r < firstError!.record {
                        firstError = (r, j, .invalidUTF8, fieldText(p, part, r, j))
                    }
                }
                continue
            }
            for r in from..<records where keep?[r] ?? true {
                let outcome: ColumnBuilder.Outcome
                if s < 0 {
                    let k = r * layout.spanCount + (-1 - s)
                    outcome = b.appendField(p, part.spanStart[k], part.spanEnd[k], part.spanFlags[k])
                } else {
                    let bytes = fieldBytes(p, part, r, j)
                    outcome = bytes.withUnsafeBufferPointer { b.appendField($0, 0, $0.count, 0) }
                }
                if outcome != .ok {
                    if firstError == nil || r < firstError!.record {
                        firstError = (r, j, outcome == .invalidUTF8 ? .invalidUTF8 : .expectedBoolean, fieldText(p, part, r, j))
                    }
                    break
                }
            }
        }
        if let e = firstError {
            throw TableError(e.kind, file: file, row: firstLine + part.recordLine[e.record], column: header[e.column], value: e.value)
        }
        if let keep {
            for r in 0..<records where keep[r] {
                lineNumbers.append(firstLine + part.recordLine[r])
                if options.keepOriginalText {
                    recordChunk.append(chunkIndex)
                    recordStart.append(part.recordStart[r] - keepFrom)
                    recordEnd.append(part.recordEnd[r] - keepFrom)
                }
            }
        } else {
            lineNumbers.append(contentsOf: part.recordLine.lazy.map { firstLine + $0 })
            if options.keepOriginalText {
                recordChunk.append(contentsOf: repeatElement(chunkIndex, count: records))
                if keepFrom == 0 {
                    recordStart.append(contentsOf: part.recordStart)
                    recordEnd.append(contentsOf: part.recordEnd)
                } else {
                    recordStart.append(contentsOf: part.recordStart.lazy.map { $0 - keepFrom })
                    recordEnd.append(contentsOf: part.recordEnd.lazy.map { $0 - keepFrom })
                }
            }
        }
    }

    /// The text of field `j` of record `r` of a part, re-scanned from the record's bytes.
    func fieldText(_ p: UnsafeBufferPointer<UInt8>, _ part: PartResult, _ r: Int, _ j: Int) -> String {
        lossyText(fieldBytes(p, part, r, j))
    }

    func fieldBytes(_ p: UnsafeBufferPointer<UInt8>, _ part: PartResult, _ r: Int, _ j: Int) -> [UInt8] {
        var spans = FieldSpans()
        var inner = 0
        guard case .record = scanRecord(p, from: part.recordStart[r], length: part.recordEnd[r], eof: true, delimiter: delimiter, into: &spans, innerLines: &inner),
              spans.count > j else { return [] }
        return unescapedField(p, spans.start[j], spans.end[j], spans.flags[j])
    }

    /// The exact text of an earlier chunk's row, from the kept record bytes (nil when not kept).
    func priorText(row: Int, column j: Int) -> String? {
        guard options.keepOriginalText, row < recordChunk.count, Int(recordChunk[row]) < keptChunks.count else { return nil }
        var spans = FieldSpans()
        var inner = 0
        return keptChunks[Int(recordChunk[row])].withUnsafeBufferPointer { q -> String? in
            guard case .record = scanRecord(q, from: recordStart[row], length: recordEnd[row], eof: true, delimiter: delimiter, into: &spans, innerLines: &inner),
                  spans.count > j else { return nil }
            return lossyText(unescapedField(q, spans.start[j], spans.end[j], spans.flags[j]))
        }
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

/// Lets a parallel loop share values it only reads, or writes in disjoint parts.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
