/// SMOTE-NC: SMOTE for mixed numeric and categorical features (Chawla, Bowyer, Hall & Kegelmeyer, 2002, section 6.1).
///
/// Distances: Euclidean over the numeric features, plus `Med^2` for every categorical feature that differs, where
/// `Med` is the median of the standard deviations of the numeric features within the class being grown (the
/// paper's rule; imbalanced-learn adds `Med^2 / 2`). New rows interpolate the numeric features as SMOTE; each
/// categorical feature takes the value most frequent among the base's `kNeighbors` nearest same-class rows (ties to
/// the level listed first), so categorical values always come from the neighbours.
///
/// Categorical columns are those `FeatureMatrix.categorical` lists (categorical and boolean table columns).
/// Provenance: base, neighbour, gap, and the voters for the categorical values.
public struct SMOTENC: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var kNeighbors: Int
    public var name: String { "SMOTENC" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 5) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        guard !x.categorical.isEmpty else { throw TableError.invalid("\(name) needs at least one categorical feature; use SMOTE") }
        let numeric = x.numericColumns
        guard !numeric.isEmpty else { throw TableError.invalid("\(name) needs at least one numeric feature; use SMOTEN") }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        let k = kNeighbors
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = byClass[c]
            let className = labels.classes[c]
            let med = medianOfStandardDeviations(x, rows: rows, columns: numeric)
            let augmented = try oneHotAugmented(x, numeric: numeric, weight: med / 2.0.squareRoot())
            let g = try sameClassNeighbours(augmented, rows: rows, k: k, sampler: name, className: className)
            // Per base: the categorical vote of its neighbours.
            var votes = [[Double]](repeating: [], count: rows.count)
            for q in 0..<rows.count {
                votes[q] = x.categorical.enumerated().map { ci, j in
                    var counts = [Int](repeating: 0, count: x.levels[ci].count)
                    for n in g.neighbours(of: q) { counts[Int(x[n, j])] += 1 }
                    var best = 0
                    for l in counts.indices where counts[l] > counts[best] { best = l }
                    return Double(best)
                }
            }
            let position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
            let categorical = x.categorical
            let voteTable = votes
            synthetic.append(contentsOf: interpolate(x, label: c, className: className, count: add, seed: seed, stage: stage, draw: { rng, _ in
                let b = rng.int(below: rows.count)
                return InterpolationDraw(base: rows[b], neighbour: g.indices[b * k + rng.int(below: k)], gap: rng.unit())
            }, categorical: { draw, row in
                let q = position[draw.base]!
                for (ci, j) in categorical.enumerated() { row[j] = voteTable[q][ci] }
                return Array(g.neighbours(of: q))
            }))
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

/// The median of the numeric features' standard deviations within `rows` (population standard deviation).
func medianOfStandardDeviations(_ x: FeatureMatrix, rows: [Int], columns: [Int]) -> Double {
    let sds = columns.map { j -> Double in
        let n = Double(rows.count)
        let mean = rows.reduce(0) { $0 + x[$1, j] } / n
        return (rows.reduce(0) { $0 + (x[$1, j] - mean) * (x[$1, j] - mean) } / n).squareRoot()
    }.sorted()
    guard !sds.isEmpty else { return 0 }
    return sds.count % 2 == 1 ? sds[sds.count / 2] : (sds[sds.count / 2 - 1] + sds[sds.count / 2]) / 2
}

/// Numeric columns as they are, then every categorical column one-hot encoded with value `weight`: two rows that
/// differ in one categorical feature are `2 * weight^2` further apart (squared).
func oneHotAugmented(_ x: FeatureMatrix, numeric: [Int], weight: Double) throws -> FeatureMatrix {
    let width = numeric.count + x.levels.reduce(0) { $0 + $1.count }
    var values = [Double](repeating: 0, count: x.rows * width)
    for r in 0..<x.rows {
        var o = r * width
        for j in numeric { values[o] = x[r, j]; o += 1 }
        for (ci, j) in x.categorical.enumerated() {
            values[o + Int(x[r, j])] = weight
            o += x.levels[ci].count
        }
    }
    return try FeatureMatrix(rows: x.rows, columns: width, values: values)
}

/// SMOTEN: SMOTE for categorical features only. Rows are compared with the value difference metric (Stanfill &
/// Waltz, 1986; Cost & Salzberg, 1993): two values of a feature are as far apart as their class distributions,
/// `delta(v, w) = sum over classes |P(class | v) - P(class | w)|`, and two rows by `sqrt(sum over features delta^2)`.
/// Each new row takes, feature by feature, the value most frequent among a random base's `kNeighbors` nearest rows of
/// its class (itself excluded; ties to the level listed first), as imbalanced-learn's SMOTEN does.
///
/// Provenance: base and voters (no interpolation, so no gap).
public struct SMOTEN: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var kNeighbors: Int
    public var name: String { "SMOTEN" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 5) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        guard x.categorical.count == x.columns, x.columns > 0 else {
            throw TableError.invalid("\(name) needs every feature categorical; use SMOTENC for mixed features")
        }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        let classCount = labels.classes.count
        // P(class | value) per feature.
        let conditional: [[[Double]]] = (0..<x.columns).map { j in
            var counts = [[Double]](repeating: [Double](repeating: 0, count: classCount), count: x.levels[j].count)
            for r in 0..<x.rows { counts[Int(x[r, j])][labels.codes[r]] += 1 }
            return counts.map { row in
                let total = row.reduce(0, +)
                return total > 0 ? row.map { $0 / total } : row
            }
        }
        let delta: [[[Double]]] = conditional.map { p in
            p.map { a in p.map { b in zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) } } }
        }
        var synthetic = SyntheticRows(columns: x.columns)
        let k = kNeighbors
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = labels.rowsByClass[c]
            guard rows.count > k else {
                throw TableError.invalid("\(name): class \"\(labels.classes[c])\" has \(rows.count) rows; kNeighbors = \(k) needs at least \(k + 1)")
            }
            var neighbours = [[Int]](repeating: [], count: rows.count)
            var votes = [[Double]](repeating: [], count: rows.count)
            for (q, a) in rows.enumerated() {
                let ranked = rows.enumerated().filter { $0.offset != q }.map { (_, b) -> (Double, Int) in
                    var s = 0.0
                    for j in 0..<x.columns {
                        let d = delta[j][Int(x[a, j])][Int(x[b, j])]
                        s += d * d
                    }
                    return (s, b)
                }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                neighbours[q] = ranked.prefix(k).map(\.1)
                votes[q] = (0..<x.columns).map { j in
                    var counts = [Int](repeating: 0, count: x.levels[j].count)
                    for n in neighbours[q] { counts[Int(x[n, j])] += 1 }
                    var best = 0
                    for l in counts.indices where counts[l] > counts[best] { best = l }
                    return Double(best)
                }
            }
            let keys = RowKeys(seed: seed, stage: stage, className: labels.classes[c])
            for i in 0..<add {
                var rng = keys.random(i)
                let q = rng.int(below: rows.count)
                synthetic.append(SyntheticRow(label: c, values: votes[q], base: rows[q], voters: neighbours[q], draw: i))
            }
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}
