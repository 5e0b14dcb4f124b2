/// Borderline-SMOTE (Han, Wang & Mao, 2005): SMOTE from the rows on the class border only.
///
/// A row of a class to grow is *in danger* when at least half, but not all, of its `mNeighbors` nearest rows (of the
/// whole training set) belong to other classes; rows with only other-class neighbours are taken as noise and rows
/// with mostly own-class neighbours as safe. New rows start at a random row in danger.
/// - `borderline1`: towards one of its `kNeighbors` nearest rows of its own class, gap in [0, 1) (as SMOTE).
/// - `borderline2`: towards one of its `kNeighbors` nearest rows of any class; gap in [0, 1) towards its own class,
///   in [0, 0.5) towards another class, so new rows stay on the class's side (Han et al.; imbalanced-learn instead
///   splits the count by a Beta(10, 10) draw).
/// A class with no row in danger gets no new rows (as in imbalanced-learn).
///
/// Provenance: base (a row in danger), neighbour and gap, per row.
public struct BorderlineSMOTE: Resampler {
    public enum Kind: String, Codable, Sendable, CaseIterable { case borderline1 = "borderline-1", borderline2 = "borderline-2" }
    public var samplingStrategy: SamplingStrategy
    public var kNeighbors: Int
    public var mNeighbors: Int
    public var kind: Kind
    public var name: String { "BorderlineSMOTE" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 5, mNeighbors: Int = 10, kind: Kind = .borderline1) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
        self.mNeighbors = mNeighbors
        self.kind = kind
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        try x.requireNumeric(for: name)
        guard mNeighbors >= 1, x.rows > mNeighbors else {
            throw TableError.invalid("\(name): \(x.rows) rows; mNeighbors = \(mNeighbors) needs at least \(mNeighbors + 1)")
        }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = byClass[c]
            let (whole, own) = try wholeAndOwnNeighbours(x, rows: rows, wholeK: mNeighbors + 1, ownK: kNeighbors)
            let m = whole.droppingFirst()
            let danger = (0..<rows.count).filter { q in  // positions in `rows`
                let others = m.neighbours(of: q).reduce(0) { $0 + (labels.codes[$1] != c ? 1 : 0) }
                return 2 * others >= mNeighbors && others < mNeighbors
            }
            if danger.isEmpty { continue }
            let k = kNeighbors
            let className = labels.classes[c]
            switch kind {
            case .borderline1:
                try checkSameClassNeighbours(rows: rows, k: k, sampler: name, className: className)
                let g = own.droppingFirst()
                synthetic.append(contentsOf: interpolate(x, label: c, className: className, count: add, seed: seed, stage: stage) { rng, _ in
                    let b = danger[rng.int(below: danger.count)]
                    return InterpolationDraw(base: rows[b], neighbour: g.indices[b * k + rng.int(below: k)], gap: rng.unit())
                })
            case .borderline2:
                guard k <= mNeighbors else { throw TableError.invalid("\(name): borderline-2 needs kNeighbors <= mNeighbors") }
                let mm = m.k
                let codes = labels.codes
                synthetic.append(contentsOf: interpolate(x, label: c, className: className, count: add, seed: seed, stage: stage) { rng, _ in
                    let b = danger[rng.int(below: danger.count)]
                    let n = m.indices[b * mm + rng.int(below: k)]
                    let u = rng.unit()
                    return InterpolationDraw(base: rows[b], neighbour: n, gap: codes[n] == c ? u : 0.5 * u)
                })
            }
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

/// ADASYN: adaptive synthetic sampling (He, Bai, Garcia & Li, 2008).
///
/// Rows of a class to grow get new rows in proportion to how many of their `nNeighbors` nearest rows (of the whole
/// training set) belong to other classes, so harder regions get more. Each new row interpolates, as SMOTE, towards
/// one of the base's `nNeighbors` nearest rows of its own class. The per-row numbers are apportioned by largest
/// remainders so the class reaches exactly the strategy's count (imbalanced-learn rounds each row's share, so its
/// total can miss by a few).
///
/// - Throws: when no row of a class to grow has a neighbour of another class.
public struct ADASYN: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var nNeighbors: Int
    public var name: String { "ADASYN" }

    public init(samplingStrategy: SamplingStrategy = .auto, nNeighbors: Int = 5) {
        self.samplingStrategy = samplingStrategy
        self.nNeighbors = nNeighbors
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        try x.requireNumeric(for: name)
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        let k = nNeighbors
        for (c, add) in targets.enumerated() where add > 0 {
            let rows = byClass[c]
            let className = labels.classes[c]
            try checkSameClassNeighbours(rows: rows, k: k, sampler: name, className: className, parameter: "nNeighbors")
            let (wholeAndSelf, own) = try wholeAndOwnNeighbours(x, rows: rows, wholeK: k + 1, ownK: k)
            let g = own.droppingFirst()
            let whole = wholeAndSelf.droppingFirst()
            let hardness = (0..<rows.count).map { q in whole.neighbours(of: q).reduce(0) { $0 + (labels.codes[$1] != c ? 1 : 0) } }
            let total = hardness.reduce(0, +)
            guard total > 0 else {
                throw TableError.invalid("\(name): no row of class \"\(className)\" has a neighbour of another class; use SMOTE")
            }
            let share = apportion(add, weights: hardness)
            // Row i of the class's new rows belongs to the base whose cumulative share covers i.
            let owner = share.enumerated().flatMap { q, n in repeatElement(q, count: n) }
            synthetic.append(contentsOf: interpolate(x, label: c, className: className, count: add, seed: seed, stage: stage) { rng, i in
                let b = owner[i]
                return InterpolationDraw(base: rows[b], neighbour: g.indices[b * k + rng.int(below: k)], gap: rng.unit())
            })
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

/// `total` split in proportion to `weights` by largest remainders (Hamilton's method), ties to the lower index.
func apportion(_ total: Int, weights: [Int]) -> [Int] {
    let sum = weights.reduce(0, +)
    guard sum > 0 else { return weights.map { _ in 0 } }
    var shares = weights.map { total * $0 / sum }
    let remainders = weights.enumerated().map { (i, w) in (rest: (total * w) % sum, index: i) }
    var left = total - shares.reduce(0, +)
    for r in remainders.sorted(by: { $0.rest > $1.rest || ($0.rest == $1.rest && $0.index < $1.index) }) where left > 0 {
        shares[r.index] += 1
        left -= 1
    }
    return shares
}
