/// A columnar table: named, typed columns of equal length, a label column, and for rows read from a file, where each
/// row came from and its original bytes.
///
/// ```swift
/// let table = try CSVReader.read(path: "wine.csv", options: CSVReadOptions(labelColumn: "quality"))
/// let train = table.rows(trainIndices)
/// let (codes, classes) = try train.labelCodes()
/// ```
///
/// Original text: the reader keeps each record's bytes (`originalText(ofRow:)`), and `CSVWriter` writes a row's
/// original bytes when the row is unchanged since reading (same columns, same delimiter, values not replaced). So an
/// untouched test split is written back byte-for-byte ("1.0" stays "1.0", quoting stays as it was), while new or
/// rescaled rows are written with the shortest text that reads back as the same `Double`. Replacing a column's values
/// (`setColumn`) forgets the original text of every row, so a rescaled table is never written with stale text.
public struct Table: Sendable, Equatable {
    public private(set) var columns: [Column]
    public private(set) var rowCount: Int
    /// The label column's name, if any.
    public var labelColumn: String?
    /// The file the table was read from (as named to the reader), for error messages; empty for in-memory tables.
    public var file: String
    /// Per row: the 1-based line in `file` where its record starts; 0 for rows not read from a file.
    public private(set) var lineNumbers: [Int]
    /// Rows the reader left out under the `dropRow` non-finite policy (never silently: each is listed with the cell that caused it).
    public var droppedRows: [CellNote]
    /// Non-finite cells the reader marked missing under the `imputeMedian` policy (to be filled by `MedianImputer`).
    public var nonFiniteCells: [CellNote] = []
    var original: OriginalRecords?

    /// A table from columns of equal length.
    /// - Throws: `TableError` when the lengths differ, a name repeats, or the label column is not among them.
    public init(columns: [Column], labelColumn: String? = nil, file: String = "") throws {
        let n = columns.first?.count ?? 0
        var seen = Set<String>()
        for c in columns {
            guard c.count == n else {
                throw TableError(.invalidArgument("column has \(c.count) rows, \"\(columns[0].name)\" has \(n)"), file: file, column: c.name)
            }
            guard seen.insert(c.name).inserted else { throw TableError(.duplicateColumn, file: file, column: c.name) }
        }
        if let labelColumn, !seen.contains(labelColumn) {
            throw TableError(.unknownColumn, file: file, column: labelColumn, value: columns.map(\.name).joined(separator: ", "))
        }
        self.columns = columns
        self.rowCount = n
        self.labelColumn = labelColumn
        self.file = file
        self.lineNumbers = Array(repeating: 0, count: n)
        self.droppedRows = []
        self.original = nil
    }

    init(columns: [Column], rowCount: Int, labelColumn: String?, file: String, lineNumbers: [Int],
         droppedRows: [CellNote], original: OriginalRecords?) {
        self.columns = columns
        self.rowCount = rowCount
        self.labelColumn = labelColumn
        self.file = file
        self.lineNumbers = lineNumbers
        self.droppedRows = droppedRows
        self.original = original
    }

    // MARK: - Columns

    public var columnNames: [String] { columns.map(\.name) }

    public func columnIndex(named name: String) -> Int? { columns.firstIndex { $0.name == name } }

    public func column(named name: String) -> Column? { columnIndex(named: name).map { columns[$0] } }

    /// The column named `name`, or an error naming the columns there are.
    public func requireColumn(_ name: String) throws -> Column {
        guard let c = column(named: name) else {
            throw TableError(.unknownColumn, file: file, column: name, value: columnNames.joined(separator: ", "))
        }
        return c
    }

    /// The columns other than the label, in header order.
    public var featureColumnNames: [String] { columnNames.filter { $0 != labelColumn } }

    /// Replaces (or adds) a column. Replacing values forgets every row's original text.
    /// - Throws: when the new column's length differs from `rowCount`.
    public mutating func setColumn(_ column: Column) throws {
        guard column.count == rowCount || columns.isEmpty else {
            throw TableError(.invalidArgument("column has \(column.count) rows, the table has \(rowCount)"), file: file, column: column.name)
        }
        if let i = columnIndex(named: column.name) {
            columns[i] = column
        } else {
            columns.append(column)
        }
        if columns.count == 1 { rowCount = column.count; lineNumbers = Array(repeating: 0, count: rowCount) }
        original = nil
    }

    // MARK: - Labels

    /// The label of each row as text.
    /// - Throws: when there is no label column or a label is missing.
    public func labels() throws -> [String] {
        let (codes, classes) = try labelCodes()
        return codes.map { classes[$0] }
    }

    /// Each row's class as an index into `classes`, with `classes` sorted (numerically when every label is a number,
    /// else by text), matching how imbalanced-learn orders classes.
    /// - Throws: when there is no label column or a label is missing.
    public func labelCodes() throws -> (codes: [Int], classes: [String]) {
        guard let labelColumn else { throw TableError(.invalidArgument("the table has no label column"), file: file) }
        let column = try requireColumn(labelColumn)
        var texts: [String] = []
        texts.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            guard let t = column.text(at: r) else {
                throw TableError(.missingValue, file: file, row: rowLocation(r), column: labelColumn)
            }
            texts.append(t)
        }
        return LabelEncoding.encode(texts)
    }

    /// The row's line in the source file, or its 1-based position when it was not read from a file.
    public func rowLocation(_ row: Int) -> Int { lineNumbers[row] > 0 ? lineNumbers[row] : row + 1 }

    // MARK: - Rows

    /// The rows at `indices`, in that order (indices may repeat). Keeps line numbers and original text.
    public func rows(_ indices: [Int]) -> Table {
        Table(columns: columns.map { $0.gathering(indices) }, rowCount: indices.count, labelColumn: labelColumn,
              file: file, lineNumbers: indices.map { lineNumbers[$0] }, droppedRows: droppedRows,
              original: original?.gathering(indices))
    }

    /// This table followed by `other`'s rows. Columns are matched by name and must have the same types;
    /// categorical levels are merged (new levels appended).
    /// - Throws: when the column names or types differ.
    public func appending(_ other: Table) throws -> Table {
        guard other.columnNames == columnNames else {
            throw TableError(.invalidArgument("cannot append a table with columns [\(other.columnNames.joined(separator: ", "))] to one with [\(columnNames.joined(separator: ", "))]"), file: file)
        }
        var merged: [Column] = []
        for (a, b) in zip(columns, other.columns) {
            let missing: [Bool] = (a.missing.isEmpty && b.missing.isEmpty) ? [] :
                (a.missing.isEmpty ? Array(repeating: false, count: rowCount) : a.missing) +
                (b.missing.isEmpty ? Array(repeating: false, count: other.rowCount) : b.missing)
            switch (a.values, b.values) {
            case (.numeric(let x), .numeric(let y)):
                merged.append(Column(name: a.name, values: .numeric(x + y), missing: missing))
            case (.boolean(let x, let s), .boolean(let y, _)):
                merged.append(Column(name: a.name, values: .boolean(x + y, spelling: s), missing: missing))
            case (.categorical(let xc, let xl), .categorical(let yc, let yl)):
                var levels = xl
                var index = Dictionary(uniqueKeysWithValues: xl.enumerated().map { ($1, Int32($0)) })
                let remap: [Int32] = yl.map { level in
                    if let c = index[level] { return c }
                    let c = Int32(levels.count)
                    levels.append(level)
                    index[level] = c
                    return c
                }
                let codes = xc + yc.map { $0 < 0 ? -1 : remap[Int($0)] }
                merged.append(Column(name: a.name, values: .categorical(codes: codes, levels: levels), missing: missing))
            default:
                throw TableError(.invalidArgument("cannot append a \(b.type.rawValue) column to a \(a.type.rawValue) one"), file: file, column: a.name)
            }
        }
        let mergedOriginal: OriginalRecords?
        if let o1 = original, let o2 = other.original, o1.signature == o2.signature {
            mergedOriginal = o1.appending(o2)
        } else if let o1 = original, other.original == nil {
            mergedOriginal = o1.appending(OriginalRecords.none(count: other.rowCount, signature: o1.signature))
        } else if let o2 = other.original, original == nil {
            mergedOriginal = OriginalRecords.none(count: rowCount, signature: o2.signature).appending(o2)
        } else {
            mergedOriginal = nil
        }
        return Table(columns: merged, rowCount: rowCount + other.rowCount, labelColumn: labelColumn, file: file,
                     lineNumbers: lineNumbers + other.lineNumbers, droppedRows: droppedRows + other.droppedRows,
                     original: mergedOriginal)
    }

    /// The bytes of row `row`'s record as they were in the file (without the line ending), or nil for rows not read
    /// from a file or whose values were replaced since.
    public func originalText(ofRow row: Int) -> ArraySlice<UInt8>? { original?.record(row) }

    /// Forgets the original text of every row, so the writer formats all values.
    public mutating func dropOriginalText() { original = nil }

    public static func == (a: Table, b: Table) -> Bool {
        a.columns == b.columns && a.rowCount == b.rowCount && a.labelColumn == b.labelColumn
    }
}

/// A cell the reader did something about under the non-finite policy: the row it dropped, or the cell it marked
/// missing for imputation.
public struct CellNote: Sendable, Equatable, Codable {
    /// The 1-based line where the record starts.
    public var line: Int
    public var column: String
    public var value: String
    public init(line: Int, column: String, value: String) {
        self.line = line
        self.column = column
        self.value = value
    }
}

/// Original record bytes, shared between gathered tables (copy-on-write).
struct OriginalRecords: Sendable {
    /// Column names and delimiter the bytes were written with: the writer uses them only for the same layout.
    struct Signature: Sendable, Equatable {
        var columns: [String]
        var delimiter: UInt8
    }
    var chunks: [[UInt8]]
    /// Per row: chunk index (-1 for none), start and end in that chunk.
    var chunk: [Int32]
    var start: [Int]
    var end: [Int]
    var signature: Signature

    func record(_ row: Int) -> ArraySlice<UInt8>? {
        let c = chunk[row]
        return c < 0 ? nil : chunks[Int(c)][start[row]..<end[row]]
    }

    func gathering(_ rows: [Int]) -> OriginalRecords {
        OriginalRecords(chunks: chunks, chunk: rows.map { chunk[$0] }, start: rows.map { start[$0] },
                        end: rows.map { end[$0] }, signature: signature)
    }

    func appending(_ other: OriginalRecords) -> OriginalRecords {
        let offset = Int32(chunks.count)
        return OriginalRecords(chunks: chunks + other.chunks, chunk: chunk + other.chunk.map { $0 < 0 ? -1 : $0 + offset },
                               start: start + other.start, end: end + other.end, signature: signature)
    }

    static func none(count: Int, signature: Signature) -> OriginalRecords {
        OriginalRecords(chunks: [], chunk: Array(repeating: -1, count: count), start: Array(repeating: 0, count: count),
                        end: Array(repeating: 0, count: count), signature: signature)
    }
}

/// Class labels to dense codes, ordered as imbalanced-learn (numpy.unique) orders them.
public enum LabelEncoding {
    /// Codes into the sorted distinct labels: numeric order when every label parses as a number, else text order.
    public static func encode(_ labels: [String]) -> (codes: [Int], classes: [String]) {
        let distinct = Array(Set(labels))
        let numbers = distinct.map { s -> Double? in
            let bytes = Array(s.utf8)
            return bytes.withUnsafeBufferPointer { NumberParsing.parse($0, 0, $0.count) }
        }
        let classes: [String]
        if numbers.allSatisfy({ $0 != nil && $0!.isFinite }) {
            classes = zip(distinct, numbers).sorted { ($0.1!, $0.0) < ($1.1!, $1.0) }.map(\.0)
        } else {
            classes = distinct.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return (labels.map { index[$0]! }, classes)
    }
}
