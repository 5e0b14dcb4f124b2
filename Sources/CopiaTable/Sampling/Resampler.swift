import CopiaCore

/// One new row made by an over-sampler, with where it came from.
///
/// For interpolating samplers every numeric feature is `base + gaps[i] * (neighbours[i] - base)`: one neighbour and
/// one gap for the SMOTE family (gap in [0, 1), negative for SVMSMOTE's extrapolation). Random over-sampling copies
/// `base` (no neighbours); with shrinkage it adds the noise visible in `values`. SMOTENC and SMOTEN take categorical
/// values by a vote among `voters`. This is the per-row provenance imbalanced-learn does not expose
/// (imbalanced-learn issue 772), as plain data a pipeline can write as one manifest line per row.
public struct SyntheticRow: Sendable, Equatable, Codable {
    /// The class, as an index into `ClassLabels.classes`.
    public var label: Int
    /// Feature values, in the `FeatureMatrix`'s column order.
    public var values: [Double]
    /// The row (index into the sampler's input) the new row starts from.
    public var base: Int
    /// The rows it moves towards.
    public var neighbours: [Int]
    /// How far, one per neighbour.
    public var gaps: [Double]
    /// Rows whose categorical values were voted on (SMOTENC, SMOTEN); empty otherwise.
    public var voters: [Int]
    /// The row's position among its class's drawn rows: its random draws came from
    /// `CounterRandom(seed: seed, stage: stage, sample: "<class name>#<draw>")`. Equal to the row's position among its
    /// class's rows in the result, except after a cleaning step (SMOTETomek, SMOTEENN) has removed some.
    public var draw: Int

    public init(label: Int, values: [Double], base: Int, neighbours: [Int] = [], gaps: [Double] = [], voters: [Int] = [],
                draw: Int = 0) {
        self.label = label
        self.values = values
        self.base = base
        self.neighbours = neighbours
        self.gaps = gaps
        self.voters = voters
        self.draw = draw
    }
}

/// Synthetic rows stored by column (flat arrays, no allocation per row); each element is a `SyntheticRow`.
public struct SyntheticRows: RandomAccessCollection, Sendable, Equatable {
    /// Features per row.
    public private(set) var columns: Int
    public private(set) var labels: [Int] = []
    /// Row-major feature values, `columns` per row.
    public private(set) var values: [Double] = []
    public private(set) var bases: [Int] = []
    /// Per row, `SyntheticRow.draw`.
    public private(set) var draws: [Int] = []
    /// Row `i`'s neighbours and gaps are at `neighbourOffsets[i]..<neighbourOffsets[i + 1]`.
    var neighbourOffsets: [Int] = [0]
    var neighbourRows: [Int] = []
    var gapValues: [Double] = []
    var voterOffsets: [Int] = [0]
    var voterRows: [Int] = []

    public init(columns: Int = 0) { self.columns = columns }

    public var startIndex: Int { 0 }
    public var endIndex: Int { labels.count }

    public subscript(i: Int) -> SyntheticRow {
        let n = neighbourOffsets[i]..<neighbourOffsets[i + 1]
        return SyntheticRow(label: labels[i], values: Array(values[(i * columns)..<((i + 1) * columns)]), base: bases[i],
                            neighbours: Array(neighbourRows[n]), gaps: Array(gapValues[n]),
                            voters: Array(voterRows[voterOffsets[i]..<voterOffsets[i + 1]]), draw: draws[i])
    }

    mutating func setValues(_ v: [Double]) { values = v }

    /// Feature `j` of every row.
    public func column(_ j: Int) -> [Double] { (0..<count).map { values[$0 * columns + j] } }

    public mutating func append(_ row: SyntheticRow) {
        if labels.isEmpty && columns == 0 { columns = row.values.count }
        precondition(row.values.count == columns, "a synthetic row has \(row.values.count) values, the others \(columns)")
        precondition(row.neighbours.count == row.gaps.count, "one gap per neighbour, got \(row.neighbours.count) and \(row.gaps.count)")
        labels.append(row.label)
        values.append(contentsOf: row.values)
        bases.append(row.base)
        draws.append(row.draw)
        neighbourRows.append(contentsOf: row.neighbours)
        gapValues.append(contentsOf: row.gaps)
        neighbourOffsets.append(neighbourRows.count)
        voterRows.append(contentsOf: row.voters)
        voterOffsets.append(voterRows.count)
    }

    public mutating func append(contentsOf other: SyntheticRows) {
        if labels.isEmpty && (columns == 0 || columns == other.columns) {
            self = other  // the common case: one class's rows into an empty result, without copying
            return
        }
        if labels.isEmpty && columns == 0 { columns = other.columns }
        precondition(other.isEmpty || other.columns == columns, "synthetic rows of different widths: \(other.columns) and \(columns)")
        labels.append(contentsOf: other.labels)
        values.append(contentsOf: other.values)
        bases.append(contentsOf: other.bases)
        draws.append(contentsOf: other.draws)
        let n0 = neighbourRows.count, v0 = voterRows.count
        neighbourRows.append(contentsOf: other.neighbourRows)
        gapValues.append(contentsOf: other.gapValues)
        neighbourOffsets.append(contentsOf: other.neighbourOffsets.dropFirst().map { $0 + n0 })
        voterRows.append(contentsOf: other.voterRows)
        voterOffsets.append(contentsOf: other.voterOffsets.dropFirst().map { $0 + v0 })
    }

    /// Rows with at most one neighbour each (none when `neighbours` is empty), from flat arrays: the fast path.
    init(label: Int, columns: Int, values: [Double], bases: [Int], neighbours: [Int], gaps: [Double], voters: [[Int]]? = nil,
         firstDraw: Int = 0) {
        self.columns = columns
        self.labels = Array(repeating: label, count: bases.count)
        self.values = values
        self.bases = bases
        self.draws = Array(firstDraw..<(firstDraw + bases.count))
        self.neighbourRows = neighbours
        self.gapValues = gaps
        self.neighbourOffsets = neighbours.isEmpty ? Array(repeating: 0, count: bases.count + 1) : Array(0...bases.count)
        if let voters {
            var offsets = [0]
            for v in voters {
                voterRows.append(contentsOf: v)
                offsets.append(voterRows.count)
            }
            self.voterOffsets = offsets
        } else {
            self.voterOffsets = Array(repeating: 0, count: bases.count + 1)
        }
    }
}

/// What a resampler did: which input rows it kept and removed, and the rows it made.
///
/// The output is `kept` rows (in input order) followed by `synthetic` rows (class by class in class order, then in
/// the order they were drawn), as imbalanced-learn orders `fit_resample`'s output.
public struct ResampleResult: Sendable, Equatable {
    /// The sampler's name, as in pipeline JSON (e.g. "SMOTE").
    public var sampler: String
    /// Input rows kept, ascending.
    public var kept: [Int]
    /// Input rows removed, ascending (under-samplers and cleaning).
    public var removed: [Int]
    public var synthetic: SyntheticRows

    public init(sampler: String, kept: [Int], removed: [Int] = [], synthetic: SyntheticRows = SyntheticRows()) {
        self.sampler = sampler
        self.kept = kept
        self.removed = removed
        self.synthetic = synthetic
    }

    /// The number of output rows.
    public var count: Int { kept.count + synthetic.count }

    /// The output's labels (codes into the input's classes).
    public func labels(from input: ClassLabels) -> [Int] {
        kept.map { input.codes[$0] } + synthetic.labels
    }

    /// The output's features: kept rows, then synthetic rows.
    public func features(from input: FeatureMatrix) -> FeatureMatrix {
        var out = input.gathering(kept)
        out.values.append(contentsOf: synthetic.values)
        return FeatureMatrix(unchecked: kept.count + synthetic.count, input.columns, out.values, input.names,
                             input.categorical, input.levels)
    }

    /// The output as a table: kept rows of `table` (with their original text and line numbers), then the synthetic
    /// rows, built from `features`' column order (numeric values, categorical levels, booleans) and their class name
    /// in the label column. Columns of `table` that are neither features nor the label are left missing in new rows.
    /// - Throws: `TableError` when `features` does not describe `table`'s columns.
    public func table(from table: Table, features: FeatureMatrix, labels: ClassLabels) throws -> Table {
        let keptRows = table.rows(kept)
        guard !synthetic.isEmpty else { return keptRows }
        guard features.columns == synthetic.columns else {
            throw TableError.invalid("the features have \(features.columns) columns, the synthetic rows \(synthetic.columns)")
        }
        let n = synthetic.count
        var columns: [Column] = []
        for column in table.columns {
            if column.name == table.labelColumn {
                if case .numeric = column.values {
                    columns.append(.numeric(column.name, try synthetic.labels.map { c in
                        guard let v = Double(labels.classes[c]) else { throw TableError.invalid("label \"\(labels.classes[c])\" is not a number") }
                        return v
                    }))
                } else {
                    columns.append(.categorical(column.name, synthetic.labels.map { labels.classes[$0] }))
                }
                continue
            }
            guard let j = features.names.firstIndex(of: column.name) else {
                columns.append(Column(name: column.name, values: Self.emptyValues(like: column.values, count: n),
                                      missing: Array(repeating: true, count: n)))
                continue
            }
            switch column.values {
            case .numeric:
                columns.append(.numeric(column.name, synthetic.column(j)))
            case .categorical(_, let levels):
                columns.append(Column(name: column.name, values: .categorical(codes: synthetic.column(j).map { Int32($0) }, levels: levels)))
            case .boolean(_, let spelling):
                columns.append(Column(name: column.name, values: .boolean(synthetic.column(j).map { $0 != 0 }, spelling: spelling)))
            }
        }
        let newRows = try Table(columns: columns, labelColumn: table.labelColumn, file: table.file)
        return try keptRows.appending(newRows)
    }

    static func emptyValues(like values: Column.Values, count n: Int) -> Column.Values {
        switch values {
        case .numeric: return .numeric(Array(repeating: .nan, count: n))
        case .categorical(_, let levels): return .categorical(codes: Array(repeating: -1, count: n), levels: levels)
        case .boolean(_, let s): return .boolean(Array(repeating: false, count: n), spelling: s)
        }
    }
}

/// Something that resamples a labelled feature matrix: an over-, under- or combined sampler.
///
/// Randomness comes only from `CounterRandom` keyed by `(seed, stage, "<class>#<i>")` per drawn row (or per class for
/// selections), so results do not depend on thread count or on which other rows were drawn.
public protocol Resampler: Sendable {
    /// The name used in pipeline JSON and in `ResampleResult.sampler`.
    var name: String { get }
    /// Resamples; `stage` names the pipeline stage in the random keys.
    func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult
}

extension Resampler {
    /// Resamples with the stage name "resample".
    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64) throws -> ResampleResult {
        try resample(x, labels: labels, seed: seed, stage: "resample")
    }

    /// Resamples a table's features (all columns but the label) and labels, and returns the result with the output
    /// table.
    public func resample(_ table: Table, seed: UInt64, stage: String = "resample") throws -> (result: ResampleResult, table: Table) {
        let x = try FeatureMatrix(table)
        let y = try ClassLabels(table)
        let result = try resample(x, labels: y, seed: seed, stage: stage)
        return (result, try result.table(from: table, features: x, labels: y))
    }
}

/// The generator for one drawn row: keyed by class name and the row's position among that class's new rows.
@inline(__always)
func rowRandom(seed: UInt64, stage: String, className: String, index: Int) -> CounterRandom {
    CounterRandom(seed: seed, stage: stage, sample: "\(className)#\(index)")
}

/// Checks shared by all samplers.
func validate(_ x: FeatureMatrix, _ labels: ClassLabels) throws {
    guard labels.codes.count == x.rows else {
        throw TableError.invalid("\(x.rows) feature rows but \(labels.codes.count) labels")
    }
}
