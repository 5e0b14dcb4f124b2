/// The type of a table column, inferred by the CSV reader or fixed by the spec's schema.
public enum ColumnType: String, Codable, Sendable, CaseIterable {
    /// Numbers, stored as `Double` (so a CSV round trip of a finite number is exact).
    case numeric
    /// Text values, dictionary-encoded: `Int32` codes into a list of levels.
    case categorical
    /// true/false (also accepted: yes/no, and 1/0 when the schema says boolean).
    case boolean
}

/// One column of a `Table`: its name, values and a missing-value mask.
///
/// A missing cell (an empty CSV field) has `missing[i] == true`; its stored value is then meaningless
/// (NaN for numeric, code -1 for categorical, false for boolean).
public struct Column: Sendable, Equatable {
    /// The values, by type.
    public enum Values: Sendable, Equatable {
        case numeric([Double])
        /// Codes index `levels`; -1 marks a missing cell. Levels are in order of first appearance.
        case categorical(codes: [Int32], levels: [String])
        /// `spelling` is how true and false are written back (the first spelling the reader saw).
        case boolean([Bool], spelling: BooleanSpelling)

        /// Numbers compare by value, with NaN equal to NaN (missing numeric cells hold NaN).
        public static func == (a: Values, b: Values) -> Bool {
            switch (a, b) {
            case (.numeric(let x), .numeric(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            case (.categorical(let xc, let xl), .categorical(let yc, let yl)):
                return xc == yc && xl == yl
            case (.boolean(let x, let xs), .boolean(let y, let ys)):
                return x == y && xs == ys
            default:
                return false
            }
        }
    }

    public var name: String
    public var values: Values
    /// One flag per row; empty means "no missing cells" (the common case, kept cheap).
    public var missing: [Bool]

    public init(name: String, values: Values, missing: [Bool] = []) {
        self.name = name
        self.values = values
        self.missing = missing.contains(true) ? missing : []
    }

    /// A numeric column.
    public static func numeric(_ name: String, _ values: [Double], missing: [Bool] = []) -> Column {
        Column(name: name, values: .numeric(values), missing: missing)
    }

    /// A categorical column from text values (nil for missing), levels in order of first appearance.
    public static func categorical(_ name: String, _ values: [String?]) -> Column {
        var index: [String: Int32] = [:]
        var levels: [String] = []
        var codes: [Int32] = []
        codes.reserveCapacity(values.count)
        for v in values {
            guard let v else { codes.append(-1); continue }
            if let c = index[v] { codes.append(c); continue }
            let c = Int32(levels.count)
            index[v] = c
            levels.append(v)
            codes.append(c)
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels), missing: values.map { $0 == nil })
    }

    public var type: ColumnType {
        switch values {
        case .numeric: .numeric
        case .categorical: .categorical
        case .boolean: .boolean
        }
    }

    public var count: Int {
        switch values {
        case .numeric(let v): v.count
        case .categorical(let c, _): c.count
        case .boolean(let b, _): b.count
        }
    }

    public func isMissing(_ row: Int) -> Bool { !missing.isEmpty && missing[row] }

    /// The number of missing cells.
    public var missingCount: Int { missing.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// The numeric values, or nil for other types.
    public var doubles: [Double]? {
        if case .numeric(let v) = values { return v }
        return nil
    }

    /// A cell as text, as the CSV writer would write it (nil when missing).
    public func text(at row: Int) -> String? {
        if isMissing(row) { return nil }
        switch values {
        case .numeric(let v): return NumberFormatting.shortest(v[row])
        case .categorical(let codes, let levels): return codes[row] < 0 ? nil : levels[Int(codes[row])]
        case .boolean(let b, let spelling): return b[row] ? spelling.true : spelling.false
        }
    }

    /// The column restricted to `rows`, in that order (indices may repeat).
    public func gathering(_ rows: [Int]) -> Column {
        let m = missing.isEmpty ? [] : rows.map { missing[$0] }
        switch values {
        case .numeric(let v): return Column(name: name, values: .numeric(rows.map { v[$0] }), missing: m)
        case .categorical(let c, let levels):
            return Column(name: name, values: .categorical(codes: rows.map { c[$0] }, levels: levels), missing: m)
        case .boolean(let b, let s): return Column(name: name, values: .boolean(rows.map { b[$0] }, spelling: s), missing: m)
        }
    }
}

/// How a boolean column writes its values back.
public struct BooleanSpelling: Sendable, Equatable, Hashable {
    public var `true`: String
    public var `false`: String
    public init(true t: String = "true", false f: String = "false") {
        self.true = t
        self.false = f
    }
}
