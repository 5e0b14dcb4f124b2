/// Dense features for the samplers: `rows x columns` doubles, row-major, plus which columns hold categorical codes.
///
/// Categorical and boolean table columns become codes (0, 1, 2, ... as doubles) and are listed in `categorical` with
/// their levels, so SMOTENC and SMOTEN can treat them as categories and everything else can refuse them.
public struct FeatureMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major values; categorical cells hold their level code.
    public var values: [Double]
    public let names: [String]
    /// Indices of the columns holding categorical codes, ascending.
    public let categorical: [Int]
    /// Level names of each categorical column (same order as `categorical`).
    public let levels: [[String]]

    /// A numeric matrix.
    /// - Throws: `TableError` when the sizes disagree or a value is NaN or infinite.
    public init(rows: Int, columns: Int, values: [Double], names: [String]? = nil,
                categorical: [Int] = [], levels: [[String]] = []) throws {
        guard rows >= 0, columns >= 0, values.count == rows * columns else {
            throw TableError.invalid("a \(rows) x \(columns) matrix needs \(rows * columns) values, got \(values.count)")
        }
        guard categorical.count == levels.count, categorical.allSatisfy({ $0 >= 0 && $0 < columns }) else {
            throw TableError.invalid("categorical columns and their levels do not match")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw TableError(.nonFinite, row: bad / max(columns, 1) + 1, column: names?[bad % max(columns, 1)] ?? "#\(bad % max(columns, 1))",
                             value: "\(values[bad])")
        }
        self.rows = rows
        self.columns = columns
        self.values = values
        self.names = names ?? (0..<columns).map { "x\($0)" }
        let order = categorical.indices.sorted { categorical[$0] < categorical[$1] }
        self.categorical = order.map { categorical[$0] }
        self.levels = order.map { levels[$0] }
    }

    /// A matrix from rows of equal length.
    public init(_ rows: [[Double]], names: [String]? = nil) throws {
        let c = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == c }) else { throw TableError.invalid("rows of different lengths") }
        try self.init(rows: rows.count, columns: c, values: rows.flatMap { $0 }, names: names)
    }

    /// The feature columns of `table` (all but the label, or those named), numeric as they are, categorical and
    /// boolean as codes.
    /// - Throws: `TableError` naming the file, row and column of a missing value, or an unknown column.
    public init(_ table: Table, columns names: [String]? = nil) throws {
        let chosen = names ?? table.featureColumnNames
        let cols = try chosen.map { try table.requireColumn($0) }
        let n = table.rowCount, d = cols.count
        var values = [Double](repeating: 0, count: n * d)
        var categorical: [Int] = [], levels: [[String]] = []
        for (j, c) in cols.enumerated() {
            if let r = (0..<n).first(where: { c.isMissing($0) }) {
                throw TableError(.missingValue, file: table.file, row: table.rowLocation(r), column: c.name)
            }
            switch c.values {
            case .numeric(let v):
                for r in 0..<n { values[r * d + j] = v[r] }
                if let r = v.firstIndex(where: { !$0.isFinite }) {
                    throw TableError(.nonFinite, file: table.file, row: table.rowLocation(r), column: c.name, value: "\(v[r])")
                }
            case .categorical(let codes, let lv):
                for r in 0..<n { values[r * d + j] = Double(codes[r]) }
                categorical.append(j)
                levels.append(lv)
            case .boolean(let b, let spelling):
                for r in 0..<n { values[r * d + j] = b[r] ? 1 : 0 }
                categorical.append(j)
                levels.append([spelling.false, spelling.true])
            }
        }
        try self.init(rows: n, columns: d, values: values, names: chosen, categorical: categorical, levels: levels)
    }

    @inline(__always)
    public subscript(row: Int, column: Int) -> Double { values[row * columns + column] }

    /// One row's values.
    public func row(_ i: Int) -> ArraySlice<Double> { values[(i * columns)..<((i + 1) * columns)] }

    /// The rows at `indices`, in that order.
    public func gathering(_ indices: [Int]) -> FeatureMatrix {
        var v: [Double] = []
        v.reserveCapacity(indices.count * columns)
        for i in indices { v.append(contentsOf: row(i)) }
        return FeatureMatrix(unchecked: indices.count, columns, v, names, categorical, levels)
    }

    /// The numeric (non-categorical) column indices.
    public var numericColumns: [Int] {
        let c = Set(categorical)
        return (0..<columns).filter { !c.contains($0) }
    }

    init(unchecked rows: Int, _ columns: Int, _ values: [Double], _ names: [String], _ categorical: [Int], _ levels: [[String]]) {
        self.rows = rows
        self.columns = columns
        self.values = values
        self.names = names
        self.categorical = categorical
        self.levels = levels
    }

    /// An error unless every column is numeric (for samplers that interpolate every feature).
    func requireNumeric(for sampler: String) throws {
        if let j = categorical.first {
            throw TableError(.invalidArgument("\(sampler) needs numeric features; \"\(names[j])\" is categorical (use SMOTENC or SMOTEN, or one-hot encode it)"), column: names[j])
        }
    }
}

/// Class labels as dense codes into `classes`.
public struct ClassLabels: Sendable, Equatable {
    /// Per row, an index into `classes`.
    public var codes: [Int]
    /// Class names, sorted as imbalanced-learn sorts them (see `LabelEncoding`).
    public var classes: [String]

    public init(codes: [Int], classes: [String]) throws {
        guard codes.allSatisfy({ $0 >= 0 && $0 < classes.count }) else {
            throw TableError.invalid("a label code is outside 0..<\(classes.count)")
        }
        self.codes = codes
        self.classes = classes
    }

    /// Labels from their text, coded and sorted like imbalanced-learn.
    public init(_ labels: [String]) {
        let (codes, classes) = LabelEncoding.encode(labels)
        self.codes = codes
        self.classes = classes
    }

    /// The label column of a table.
    public init(_ table: Table) throws {
        let (codes, classes) = try table.labelCodes()
        self.codes = codes
        self.classes = classes
    }

    /// Rows per class, indexed like `classes`.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: classes.count)
        for k in codes { c[k] += 1 }
        return c
    }

    /// The row indices of each class, ascending.
    public var rowsByClass: [[Int]] {
        var r = [[Int]](repeating: [], count: classes.count)
        for (i, k) in codes.enumerated() { r[k].append(i) }
        return r
    }

    /// Classes in order of first appearance (imbalanced-learn's tie-break for "minority" and "majority").
    var firstAppearance: [Int] {
        var seen = [Bool](repeating: false, count: classes.count)
        var order: [Int] = []
        for k in codes where !seen[k] {
            seen[k] = true
            order.append(k)
        }
        return order
    }
}
