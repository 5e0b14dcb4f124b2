/// Everything that can go wrong reading, preparing or resampling a table, with where it happened.
///
/// The description is one line a person can act on:
/// `wine.csv: row 17, column "alcohol": expected a number, got "abc"` or
/// `wine.csv: row 5 has 12 fields, the header has 14`.
///
/// `row` is the 1-based line number in the file where the record starts (the header is line 1), so an editor's
/// "go to line" lands on it. For tables that did not come from a file, `file` is empty and `row` is the 1-based row.
public struct TableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// A record with a different number of fields than the header.
        case raggedRow(fields: Int, expected: Int)
        /// Text in a column whose schema (or inferred type) is numeric.
        case expectedNumber
        /// Text in a boolean column that is not a boolean.
        case expectedBoolean
        /// NaN or infinity in a numeric column under the `error` policy.
        case nonFinite
        /// Bytes that are not UTF-8.
        case invalidUTF8
        /// A quoted field that never closes.
        case unterminatedQuote
        /// Characters after a closing quote, before the delimiter.
        case textAfterClosingQuote
        /// A column named in the spec (label, schema, features) that the table lacks.
        case unknownColumn
        /// The same column name twice in the header.
        case duplicateColumn
        /// A file with no header line.
        case emptyFile
        /// A missing value where a complete one is needed (e.g. features given to a sampler).
        case missingValue
        /// The file could not be opened, read or written.
        case io(String)
        /// An invalid parameter or input for a scaler or sampler, explained.
        case invalidArgument(String)
    }

    public var kind: Kind
    /// The file's name as given to the reader (empty for in-memory tables).
    public var file: String
    /// The 1-based line number of the record, or nil when the error is not about one row.
    public var row: Int?
    /// The column name, or nil.
    public var column: String?
    /// The offending text, or nil.
    public var value: String?

    public init(_ kind: Kind, file: String = "", row: Int? = nil, column: String? = nil, value: String? = nil) {
        self.kind = kind
        self.file = file
        self.row = row
        self.column = column
        self.value = value
    }

    /// An invalid-argument error for samplers and scalers.
    public static func invalid(_ message: String) -> TableError { TableError(.invalidArgument(message)) }

    public var description: String {
        var place = file
        if let row {
            place += place.isEmpty ? "row \(row)" : ": row \(row)"
        }
        if case .raggedRow(let fields, let expected) = kind {
            return "\(place) has \(fields) field\(fields == 1 ? "" : "s"), the header has \(expected)"
        }
        if let column { place += place.isEmpty ? "column \"\(column)\"" : ", column \"\(column)\"" }
        let shown = value.map { "\"\(TableError.clip($0))\"" } ?? ""
        let what: String
        switch kind {
        case .raggedRow: what = ""  // handled above
        case .expectedNumber: what = "expected a number, got \(shown)"
        case .expectedBoolean: what = "expected a boolean (true/false, yes/no, 1/0), got \(shown)"
        case .nonFinite: what = "\(shown) is not finite; the spec's nonFinite policy is \"error\" (use \"dropRow\" or \"imputeMedian\")"
        case .invalidUTF8: what = "invalid UTF-8 in \(shown)"
        case .unterminatedQuote: what = "a quoted field is never closed"
        case .textAfterClosingQuote: what = "text after a closing quote: \(shown)"
        case .unknownColumn: what = "no such column" + (value.map { "; the header has \($0)" } ?? "")
        case .duplicateColumn: what = "the header names this column twice"
        case .emptyFile: what = "the file is empty (no header line)"
        case .missingValue: what = "a missing value where a complete one is needed; impute or drop it first"
        case .io(let message): what = message
        case .invalidArgument(let message): what = message
        }
        return place.isEmpty ? what : "\(place): \(what)"
    }

    /// Long values are clipped so an error stays one readable line.
    static func clip(_ s: String) -> String {
        s.count <= 60 ? s : String(s.prefix(57)) + "..."
    }
}
