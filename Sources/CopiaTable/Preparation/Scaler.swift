/// A per-column affine scaling `(x - offset) / scale`, fitted on the training split only, so no statistic of a
/// held-out row leaks into training data.
///
/// | kind | offset | scale |
/// | --- | --- | --- |
/// | `standardise` | mean | population standard deviation (as scikit-learn's StandardScaler) |
/// | `minMax` | min | max - min |
/// | `meanNormalise` | mean | max - min |
/// | `robust` | median | interquartile range, q75 - q25 (linear interpolation, as numpy.percentile) |
///
/// A constant column (scale 0) gets scale 1, as in scikit-learn. Missing cells are ignored when fitting and stay
/// missing. The fitted statistics are `Codable` for dataset.json. Samplers usually work on scaled features and the
/// output is written in original units (`inverse`); `transform` gives the scaled values when those are wanted.
public struct Scaler: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case standardise, minMax, meanNormalise, robust
    }

    /// One column's fitted statistics.
    public struct ColumnStatistics: Codable, Sendable, Equatable {
        public var column: String
        public var offset: Double
        public var scale: Double
        public var count: Int
        public var mean: Double
        public var standardDeviation: Double
        public var min: Double
        public var max: Double
        public var median: Double
        public var q25: Double
        public var q75: Double
    }

    public var kind: Kind
    public var columns: [ColumnStatistics]

    /// Fits on the numeric columns of `training` (all numeric features, or those named).
    /// - Throws: `TableError` for an unknown or non-numeric column, or one with no values.
    public static func fit(_ kind: Kind, on training: Table, columns names: [String]? = nil) throws -> Scaler {
        let chosen = names ?? training.featureColumnNames.filter { training.column(named: $0)?.type == .numeric }
        var stats: [ColumnStatistics] = []
        for name in chosen {
            let column = try training.requireColumn(name)
            guard let v = column.doubles else {
                throw TableError(.invalidArgument("a scaler needs a numeric column; this one is \(column.type.rawValue)"), file: training.file, column: name)
            }
            let present = (0..<v.count).filter { !column.isMissing($0) }.map { v[$0] }
            guard !present.isEmpty else {
                throw TableError(.invalidArgument("no values to fit a scaler on"), file: training.file, column: name)
            }
            stats.append(Self.statistics(name, present, kind))
        }
        return Scaler(kind: kind, columns: stats)
    }

    /// Fits on the numeric columns of a feature matrix (categorical columns are left alone).
    public static func fit(_ kind: Kind, on training: FeatureMatrix) throws -> Scaler {
        guard training.rows > 0 else { throw TableError.invalid("no rows to fit a scaler on") }
        return Scaler(kind: kind, columns: training.numericColumns.map { j in
            Self.statistics(training.names[j], (0..<training.rows).map { training[$0, j] }, kind)
        })
    }

    static func statistics(_ name: String, _ values: [Double], _ kind: Kind) -> ColumnStatistics {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let sorted = values.sorted()
        func quantile(_ p: Double) -> Double {
            let h = p * Double(sorted.count - 1)
            let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
            return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
        }
        let sd = variance.squareRoot()
        let (lo, hi) = (sorted.first!, sorted.last!)
        let median = quantile(0.5), q25 = quantile(0.25), q75 = quantile(0.75)
        let offset: Double, scale: Double
        switch kind {
        case .standardise: (offset, scale) = (mean, sd)
        case .minMax: (offset, scale) = (lo, hi - lo)
        case .meanNormalise: (offset, scale) = (mean, hi - lo)
        case .robust: (offset, scale) = (median, q75 - q25)
        }
        return ColumnStatistics(column: name, offset: offset, scale: scale == 0 || !scale.isFinite ? 1 : scale,
                                count: values.count, mean: mean, standardDeviation: sd, min: lo, max: hi,
                                median: median, q25: q25, q75: q75)
    }

    // MARK: - Applying

    /// The table with the fitted columns scaled (their original text is forgotten).
    public func transform(_ table: Table) throws -> Table { try apply(table, inverse: false) }

    /// The table with the fitted columns back in original units.
    public func inverse(_ table: Table) throws -> Table { try apply(table, inverse: true) }

    /// The matrix with the fitted columns scaled (matched by name).
    public func transform(_ x: FeatureMatrix) throws -> FeatureMatrix { try apply(x, inverse: false) }

    /// The matrix with the fitted columns back in original units.
    public func inverse(_ x: FeatureMatrix) throws -> FeatureMatrix { try apply(x, inverse: true) }

    /// Synthetic rows made in scaled space, back in original units (numeric features only).
    public func inverse(_ rows: SyntheticRows, names: [String]) throws -> SyntheticRows {
        var out = rows
        let map = try columnMap(names)
        out.mapValues { j, v in map[j].map { s in v * s.scale + s.offset } ?? v }
        return out
    }

    func columnMap(_ names: [String]) throws -> [ColumnStatistics?] {
        let byName = Dictionary(columns.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
        for s in columns where !names.contains(s.column) {
            throw TableError(.unknownColumn, column: s.column, value: names.joined(separator: ", "))
        }
        return names.map { byName[$0] }
    }

    func apply(_ x: FeatureMatrix, inverse: Bool) throws -> FeatureMatrix {
        let map = try columnMap(x.names)
        var out = x
        for r in 0..<x.rows {
            for (j, s) in map.enumerated() {
                guard let s, !x.categorical.contains(j) else { continue }
                let v = x.values[r * x.columns + j]
                out.values[r * x.columns + j] = inverse ? v * s.scale + s.offset : (v - s.offset) / s.scale
            }
        }
        return out
    }

    func apply(_ table: Table, inverse: Bool) throws -> Table {
        var out = table
        for s in columns {
            let column = try table.requireColumn(s.column)
            guard let v = column.doubles else {
                throw TableError(.invalidArgument("a scaler needs a numeric column; this one is \(column.type.rawValue)"), file: table.file, column: s.column)
            }
            let scaled = v.map { inverse ? $0 * s.scale + s.offset : ($0 - s.offset) / s.scale }
            try out.setColumn(Column(name: s.column, values: .numeric(scaled), missing: column.missing))
        }
        return out
    }
}

extension SyntheticRows {
    /// Replaces every value `v` of feature `j` by `f(j, v)`.
    mutating func mapValues(_ f: (Int, Double) -> Double) {
        guard columns > 0 else { return }
        var v = values
        for i in 0..<v.count { v[i] = f(i % columns, v[i]) }
        setValues(v)
    }
}

/// Fills missing numeric cells with the median of the training split (the `imputeMedian` non-finite policy, and
/// empty fields). Fitted on the training split only; the medians are `Codable` for dataset.json.
public struct MedianImputer: Codable, Sendable, Equatable {
    /// Column name to training median.
    public var medians: [String: Double]

    /// Medians of the numeric feature columns of `training` (or those named), ignoring missing cells.
    /// - Throws: when a column has no values at all.
    public static func fit(on training: Table, columns names: [String]? = nil) throws -> MedianImputer {
        let chosen = names ?? training.featureColumnNames.filter { training.column(named: $0)?.type == .numeric }
        var medians: [String: Double] = [:]
        for name in chosen {
            let column = try training.requireColumn(name)
            guard let v = column.doubles else { throw TableError(.invalidArgument("median imputation needs a numeric column"), file: training.file, column: name) }
            let present = (0..<v.count).filter { !column.isMissing($0) }.map { v[$0] }
            guard !present.isEmpty else { throw TableError(.invalidArgument("no values to take a median of"), file: training.file, column: name) }
            medians[name] = Scaler.statistics(name, present, .robust).median
        }
        return MedianImputer(medians: medians)
    }

    /// The table with missing cells of the fitted columns filled in (as any change of values, this forgets the rows'
    /// original text).
    public func transform(_ table: Table) throws -> Table {
        var out = table
        for (name, median) in medians.sorted(by: { $0.key < $1.key }) {
            let column = try table.requireColumn(name)
            guard var v = column.doubles, !column.missing.isEmpty else { continue }
            for r in 0..<v.count where column.missing[r] { v[r] = median }
            try out.setColumn(.numeric(name, v))
        }
        return out
    }
}
