/// SMOTE: Synthetic Minority Over-sampling TEchnique (Chawla, Bowyer, Hall & Kegelmeyer, 2002).
///
/// Each new row of a class starts at a random row of that class (the base), picks one of the base's `kNeighbors`
/// nearest rows of the same class, and moves a uniform random fraction of the way towards it:
/// `new = base + gap * (neighbour - base)`, `gap` in [0, 1). Neighbours are exact (Euclidean, `NearestNeighbours`).
/// Classes grow as `samplingStrategy` says (imbalanced-learn's meaning). Every feature must be numeric; see SMOTENC
/// and SMOTEN for categorical features.
///
/// Provenance: each `SyntheticRow` names its base, its neighbour and the gap.
public struct SMOTE: Resampler {
    public var samplingStrategy: SamplingStrategy
    /// Neighbours to choose among (imbalanced-learn's `k_neighbors`).
    public var kNeighbors: Int
    public var name: String { "SMOTE" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 5) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        try x.requireNumeric(for: name)
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = byClass[c]
            let graph = try sameClassNeighbours(x, rows: rows, k: kNeighbors, sampler: name, className: labels.classes[c])
            let k = kNeighbors
            synthetic.append(contentsOf: interpolate(x, label: c, className: labels.classes[c], count: add, seed: seed, stage: stage) { rng, _ in
                let b = rng.int(below: rows.count)
                let n = graph.indices[b * k + rng.int(below: k)]
                return InterpolationDraw(base: rows[b], neighbour: n, gap: rng.unit())
            })
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

/// For every row in `rows` (one class), its `wholeK` nearest rows of the whole matrix and its nearest rows of its
/// own class (`ownK + 1`, or all of them when fewer, itself included), in `rows` order: the own-class search
/// serves both, so the other classes are searched separately and the lists merged (`NearestNeighbours.merging`),
/// which gives exactly what a search over all rows gives, without searching the class's own rows twice.
func wholeAndOwnNeighbours(_ x: FeatureMatrix, rows: [Int], wholeK: Int, ownK: Int) throws -> (whole: NeighbourGraph, own: NeighbourGraph) {
    guard wholeK <= x.rows else { throw TableError.invalid("asked for \(wholeK) neighbours among only \(x.rows) rows") }
    var inClass = [Bool](repeating: false, count: x.rows)
    for r in rows { inClass[r] = true }
    let others = (0..<x.rows).filter { !inClass[$0] }
    let own = try NearestNeighbours.search(x, candidates: rows, queries: rows, k: min(max(wholeK, ownK + 1), rows.count))
    let other = others.isEmpty ? nil : try NearestNeighbours.search(x, candidates: others, queries: rows, k: min(wholeK, others.count))
    let whole = NearestNeighbours.merging(own, other, x: x, queries: rows, k: wholeK)
    return (whole, own.keepingFirst(min(ownK + 1, own.k)))
}

/// The `k` nearest same-class rows of every row in `rows` (itself excluded), in `rows` order.
func sameClassNeighbours(_ x: FeatureMatrix, rows: [Int], k: Int, sampler: String, className: String) throws -> NeighbourGraph {
    try checkSameClassNeighbours(rows: rows, k: k, sampler: sampler, className: className)
    return try NearestNeighbours.search(x, candidates: rows, queries: rows, k: k + 1).droppingFirst()
}

/// The errors of `sameClassNeighbours`: `k` must be at least 1 and the class must have more than `k` rows. The
/// messages name `k` by the sampler's own `parameter` (ADASYN's is `nNeighbors`).
func checkSameClassNeighbours(rows: [Int], k: Int, sampler: String, className: String, parameter: String = "kNeighbors") throws {
    guard k >= 1 else { throw TableError.invalid("\(sampler): \(parameter) must be >= 1, got \(k)") }
    guard rows.count > k else {
        throw TableError.invalid("\(sampler): class \"\(className)\" has \(rows.count) rows; \(parameter) = \(k) needs at least \(k + 1)")
    }
}

/// Random over-sampling: new rows are copies of random rows of their class (a bootstrap), or with `shrinkage`, a
/// smoothed bootstrap (ROSE, Menardi & Torelli, 2014): the copy plus Gaussian noise with standard deviation
/// `shrinkage * h * sd_j` in feature `j`, where `sd_j` is the class's sample standard deviation and
/// `h = (4 / ((d + 2) n))^(1 / (d + 4))` the normal-reference bandwidth for `n` rows in `d` dimensions.
/// Categorical features are copied without noise.
///
/// Provenance: each `SyntheticRow` names its base (no neighbours); any noise is visible in its values.
public struct RandomOverSampler: Resampler {
    public var samplingStrategy: SamplingStrategy
    /// nil: plain copies; a value >= 0: smoothed bootstrap.
    public var shrinkage: Double?
    public var name: String { "RandomOverSampler" }

    public init(samplingStrategy: SamplingStrategy = .auto, shrinkage: Double? = nil) {
        self.samplingStrategy = samplingStrategy
        self.shrinkage = shrinkage
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        if let s = shrinkage, !(s >= 0 && s.isFinite) { throw TableError.invalid("\(name): shrinkage must be >= 0, got \(s)") }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        let d = x.columns
        let numeric = x.numericColumns
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = byClass[c]
            guard !rows.isEmpty else { continue }
            var scale = [Double](repeating: 0, count: d)
            if let shrinkage {
                let n = Double(rows.count)
                let h = pow(4 / ((Double(d) + 2) * n), 1 / (Double(d) + 4))
                for j in numeric {
                    var mean = 0.0
                    for r in rows { mean += x[r, j] }
                    mean /= n
                    var ss = 0.0
                    for r in rows { ss += (x[r, j] - mean) * (x[r, j] - mean) }
                    let sd = rows.count > 1 ? (ss / (n - 1)).squareRoot() : 0
                    scale[j] = shrinkage * h * sd
                }
            }
            let keys = RowKeys(seed: seed, stage: stage, className: labels.classes[c])
            let noisy = shrinkage != nil
            let scales = scale
            var values = [Double](repeating: 0, count: add * d)
            var bases = [Int](repeating: 0, count: add)
            values.withUnsafeMutableBufferPointer { vp in
                bases.withUnsafeMutableBufferPointer { bp in
                    let out = SendableBox((vp, bp))
                    parallelBlocks(add) { range in
                        let (vp, bp) = out.value
                        for i in range {
                            var rng = keys.random(i)
                            let b = rows[rng.int(below: rows.count)]
                            bp[i] = b
                            for j in 0..<d { vp[i * d + j] = x[b, j] }
                            if noisy { for j in numeric { vp[i * d + j] += rng.normal() * scales[j] } }
                        }
                    }
                }
            }
            synthetic.append(contentsOf: SyntheticRows(label: c, columns: d, values: values, bases: bases, neighbours: [], gaps: []))
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CopiaCore
