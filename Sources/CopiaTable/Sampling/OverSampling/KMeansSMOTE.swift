import CopiaCore

/// K-Means SMOTE (Douzas, Bacao & Last, 2018): cluster, then SMOTE inside the clusters where the class is common
/// enough, giving sparser clusters more new rows.
///
/// k-means (Lloyd's algorithm from a k-means++ start, Arthur & Vassilvitskii 2007, with the start drawn from
/// `CounterRandom(seed, stage, "kmeans")`) splits all rows into `nClusters`. A cluster qualifies for a class when the
/// class's share of it is at least `clusterBalanceThreshold` (default: half the class's overall share of new rows,
/// imbalanced-learn's "auto") and it holds more than `kNeighbors` rows of the class. Each qualifying cluster's weight
/// is its sparsity, `mean distance^e / rows` with `e = 0.16 * log_1.6(rows)^1.8` (the paper's density exponent), and
/// the class's new rows are apportioned to clusters by weight (largest remainders, so counts are exact). Inside a
/// cluster, rows are made as SMOTE does from the cluster's rows of the class.
///
/// Provenance: base, neighbour (both in the same cluster) and gap.
public struct KMeansSMOTE: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var kNeighbors: Int
    public var nClusters: Int
    /// nil: "auto".
    public var clusterBalanceThreshold: Double?
    public var name: String { "KMeansSMOTE" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 2, nClusters: Int = 8, clusterBalanceThreshold: Double? = nil) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
        self.nClusters = nClusters
        self.clusterBalanceThreshold = clusterBalanceThreshold
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        try x.requireNumeric(for: name)
        guard nClusters >= 1, nClusters <= x.rows else { throw TableError.invalid("\(name): nClusters must be in 1...\(x.rows), got \(nClusters)") }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        let assignment = KMeans.cluster(x, k: nClusters, seed: seed, stage: stage)
        var members = [[Int]](repeating: [], count: nClusters)
        for (i, a) in assignment.enumerated() { members[a].append(i) }
        var synthetic = SyntheticRows(columns: x.columns)
        for (cls, add) in targets.enumerated() where add > 0 {
            let className = labels.classes[cls]
            let threshold = clusterBalanceThreshold ?? Double(add) / Double(x.rows) / 2
            var valid: [[Int]] = [], weights: [Double] = []
            for rows in members where !rows.isEmpty {
                let own = rows.filter { labels.codes[$0] == cls }
                let share = Double(own.count) / Double(rows.count)
                guard share >= threshold, own.count > kNeighbors else { continue }
                valid.append(own)
                weights.append(Self.sparsity(x, own))
            }
            guard !valid.isEmpty else {
                throw TableError.invalid("\(name): no cluster has enough rows of class \"\(className)\"; lower clusterBalanceThreshold or change nClusters")
            }
            let total = weights.reduce(0, +)
            let shares = apportion(add, weights: weights.map { total > 0 ? $0 / total : 1 / Double(weights.count) })
            var drawn = 0
            for (v, own) in valid.enumerated() where shares[v] > 0 {
                let g = try sameClassNeighbours(x, rows: own, k: kNeighbors, sampler: name, className: className)
                let k = kNeighbors
                // One numbering across the class's clusters, so every row has its own "<class>#<i>" key.
                let part = interpolate(x, label: cls, className: className, count: shares[v], seed: seed, stage: stage,
                                       firstDraw: drawn) { rng, _ in
                    let b = rng.int(below: own.count)
                    return InterpolationDraw(base: own[b], neighbour: g.indices[b * k + rng.int(below: k)], gap: rng.unit())
                }
                synthetic.append(contentsOf: part)
                drawn += shares[v]
            }
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }

    static func sparsity(_ x: FeatureMatrix, _ rows: [Int]) -> Double {
        let n = rows.count
        guard n > 1 else { return 0 }
        var sum = 0.0
        for a in 0..<n {
            for b in (a + 1)..<n {
                var s = 0.0
                for j in 0..<x.columns { s += (x[rows[a], j] - x[rows[b], j]) * (x[rows[a], j] - x[rows[b], j]) }
                sum += 2 * s.squareRoot()
            }
        }
        let mean = sum / Double(n * n - n)
        let exponent = 0.16 * pow(log(Double(n)) / log(1.6), 1.8)
        return pow(mean, exponent) / Double(n)
    }
}

/// `total` split in proportion to real `weights` by largest remainders, ties to the lower index.
func apportion(_ total: Int, weights: [Double]) -> [Int] {
    let sum = weights.reduce(0, +)
    guard sum > 0 else { return weights.map { _ in 0 } }
    let exact = weights.map { Double(total) * $0 / sum }
    var shares = exact.map { Int($0.rounded(.down)) }
    var left = total - shares.reduce(0, +)
    for i in exact.indices.sorted(by: { (exact[$0] - Double(shares[$0]), $1) > (exact[$1] - Double(shares[$1]), $0) }) where left > 0 {
        shares[i] += 1
        left -= 1
    }
    return shares
}

/// Lloyd's k-means from a k-means++ start; deterministic for a seed.
enum KMeans {
    static func cluster(_ x: FeatureMatrix, k: Int, seed: UInt64, stage: String, iterations: Int = 100) -> [Int] {
        let n = x.rows, d = x.columns
        var rng = CounterRandom(seed: seed, stage: stage, sample: "kmeans")
        func dist2(_ i: Int, _ c: [Double], _ o: Int) -> Double {
            var s = 0.0
            for j in 0..<d { s += (x.values[i * d + j] - c[o + j]) * (x.values[i * d + j] - c[o + j]) }
            return s
        }
        var centres = [Double](repeating: 0, count: k * d)
        let first = rng.int(below: n)
        for j in 0..<d { centres[j] = x.values[first * d + j] }
        var nearest = (0..<n).map { dist2($0, centres, 0) }
        for c in 1..<k {
            let total = nearest.reduce(0, +)
            var pick = n - 1
            if total > 0 {
                var u = rng.unit() * total
                for i in 0..<n {
                    u -= nearest[i]
                    if u < 0 { pick = i; break }
                }
            } else {
                pick = rng.int(below: n)
            }
            for j in 0..<d { centres[c * d + j] = x.values[pick * d + j] }
            for i in 0..<n { nearest[i] = min(nearest[i], dist2(i, centres, c * d)) }
        }
        var assignment = [Int](repeating: -1, count: n)
        for _ in 0..<iterations {
            var changed = false
            for i in 0..<n {
                var best = 0, bestD = Double.infinity
                for c in 0..<k {
                    let dd = dist2(i, centres, c * d)
                    if dd < bestD { bestD = dd; best = c }
                }
                if assignment[i] != best { assignment[i] = best; changed = true }
            }
            if !changed { break }
            var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
            for i in 0..<n {
                counts[assignment[i]] += 1
                for j in 0..<d { sums[assignment[i] * d + j] += x.values[i * d + j] }
            }
            for c in 0..<k where counts[c] > 0 {
                for j in 0..<d { centres[c * d + j] = sums[c * d + j] / Double(counts[c]) }
            }
        }
        return assignment
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
