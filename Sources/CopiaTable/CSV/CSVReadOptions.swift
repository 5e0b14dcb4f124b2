/// What to do with NaN and infinity in a numeric column. Never silent: `dropRow` lists every dropped row in
/// `Table.droppedRows`, `imputeMedian` lists every affected cell in `Table.nonFiniteCells`.
public enum NonFinitePolicy: String, Codable, Sendable, CaseIterable {
    /// Stop with an error naming the file, row, column and value.
    case error
    /// Leave the row out.
    case dropRow
    /// Mark the cell missing; `MedianImputer`, fitted on the training split only, fills it with that split's median.
    case imputeMedian
}

/// How to read a CSV file: the parts of a pipeline's table source that concern parsing.
public struct CSVReadOptions: Codable, Sendable, Equatable {
    /// The field delimiter, one ASCII character (`","`, `";"`, `"\t"`, `"|"`).
    public var delimiter: String
    /// The label column's name (read as categorical text unless `schema` says otherwise).
    public var labelColumn: String?
    /// Column types that override inference, by column name.
    public var schema: [String: ColumnType]
    /// NaN and infinity in numeric columns.
    public var nonFinite: NonFinitePolicy
    /// Keep each record's bytes, so untouched rows are written back byte-for-byte and an inferred column that turns
    /// out to be text keeps its values' exact spelling. Costs memory about the size of the file.
    public var keepOriginalText: Bool
    /// Bytes parsed at a time (and read at a time, without `keepOriginalText`); a record longer than this grows the
    /// window.
    public var chunkSize: Int
    /// Chunks of at least this many bytes are parsed as two halves in parallel (tests lower it).
    var parallelThreshold = 1 << 18

    public init(delimiter: String = ",", labelColumn: String? = nil, schema: [String: ColumnType] = [:],
                nonFinite: NonFinitePolicy = .error, keepOriginalText: Bool = true, chunkSize: Int = 1 << 22) {
        self.delimiter = delimiter
        self.labelColumn = labelColumn
        self.schema = schema
        self.nonFinite = nonFinite
        self.keepOriginalText = keepOriginalText
        self.chunkSize = chunkSize
    }

    enum CodingKeys: String, CodingKey { case delimiter, labelColumn, schema, nonFinite, keepOriginalText, chunkSize }

    /// Decodes with every key optional (defaults as in `init`); unknown keys are the caller's spec validator's job.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CSVReadOptions()
        delimiter = try c.decodeIfPresent(String.self, forKey: .delimiter) ?? d.delimiter
        labelColumn = try c.decodeIfPresent(String.self, forKey: .labelColumn)
        schema = try c.decodeIfPresent([String: ColumnType].self, forKey: .schema) ?? d.schema
        nonFinite = try c.decodeIfPresent(NonFinitePolicy.self, forKey: .nonFinite) ?? d.nonFinite
        keepOriginalText = try c.decodeIfPresent(Bool.self, forKey: .keepOriginalText) ?? d.keepOriginalText
        chunkSize = try c.decodeIfPresent(Int.self, forKey: .chunkSize) ?? d.chunkSize
    }

    /// The delimiter byte, or an error when it is not one ASCII character other than a quote or line break.
    func delimiterByte(file: String) throws -> UInt8 {
        let u = Array(delimiter.utf8)
        guard u.count == 1, u[0] < 0x80, u[0] != 0x22, u[0] != 0x0A, u[0] != 0x0D else {
            throw TableError(.invalidArgument("the delimiter must be one ASCII character other than a quote or line break, got \"\(delimiter)\""), file: file)
        }
        return u[0]
    }
}
