import CopiaCore

/// SVM-SMOTE (Nguyen, Cooper & Kamei, 2011): SMOTE from the support vectors of a class, which mark its border.
///
/// A linear soft-margin SVM (class against the rest, `C`, dual coordinate descent of Hsieh et al., 2008, on
/// standardised features, visiting rows in order, so it is deterministic) gives the class's support vectors.
/// Support vectors whose `mNeighbors` nearest rows are all of other classes are noise and dropped. A new row starts
/// at a random remaining support vector: one *in danger* (at least half of its m neighbours of other classes)
/// interpolates towards one of its `kNeighbors` nearest same-class rows (gap in [0, 1)); a *safe* one extrapolates
/// away from it (gap in (-outStep, 0]), widening the class region.
///
/// Differences from imbalanced-learn, on purpose: a linear SVM rather than an RBF `SVC`; each row is interpolated
/// or extrapolated by its base's state rather than splitting the count by a Beta(10, 10) draw; class counts match
/// the strategy exactly.
///
/// Provenance: base (a support vector), neighbour and gap (negative for extrapolation).
public struct SVMSMOTE: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var kNeighbors: Int
    public var mNeighbors: Int
    public var outStep: Double
    /// The SVM's soft-margin cost.
    public var c: Double
    public var name: String { "SVMSMOTE" }

    public init(samplingStrategy: SamplingStrategy = .auto, kNeighbors: Int = 5, mNeighbors: Int = 10, outStep: Double = 0.5, c: Double = 1) {
        self.samplingStrategy = samplingStrategy
        self.kNeighbors = kNeighbors
        self.mNeighbors = mNeighbors
        self.outStep = outStep
        self.c = c
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        try x.requireNumeric(for: name)
        guard c > 0, outStep >= 0 else { throw TableError.invalid("\(name): c must be > 0 and outStep >= 0") }
        guard x.rows > mNeighbors else {
            throw TableError.invalid("\(name): \(x.rows) rows; mNeighbors = \(mNeighbors) needs at least \(mNeighbors + 1)")
        }
        let targets = try samplingStrategy.targets(for: labels, kind: .overSampling)
        let standardised = try Scaler.fit(.standardise, on: x).transform(x)
        var synthetic = SyntheticRows(columns: x.columns)
        let byClass = labels.rowsByClass
        let all = Array(0..<x.rows)
        for (cls, add) in targets.enumerated() where add > 0 {
            let rows = byClass[cls]
            let className = labels.classes[cls]
            let support = LinearSVM.supportVectors(standardised, positive: labels.codes.map { $0 == cls }, c: c)
                .filter { labels.codes[$0] == cls }
            guard !support.isEmpty else { throw TableError.invalid("\(name): class \"\(className)\" has no support vectors") }
            let m = try NearestNeighbours.search(x, candidates: all, queries: support, k: mNeighbors + 1).droppingFirst()
            var bases: [Int] = [], danger: [Bool] = []
            for (q, s) in support.enumerated() {
                let others = m.neighbours(of: q).reduce(0) { $0 + (labels.codes[$1] != cls ? 1 : 0) }
                if others == mNeighbors { continue }  // noise
                bases.append(s)
                danger.append(2 * others >= mNeighbors)
            }
            guard !bases.isEmpty else { throw TableError.invalid("\(name): every support vector of class \"\(className)\" is noise") }
            let g = try sameClassNeighbours(x, rows: rows, k: kNeighbors, sampler: name, className: className)
            let position = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
            let k = kNeighbors, out = outStep
            let basesCopy = bases, dangerCopy = danger
            synthetic.append(contentsOf: interpolate(x, label: cls, className: className, count: add, seed: seed, stage: stage) { rng, _ in
                let b = rng.int(below: basesCopy.count)
                let q = position[basesCopy[b]]!
                let n = g.indices[q * k + rng.int(below: k)]
                let u = rng.unit()
                return InterpolationDraw(base: basesCopy[b], neighbour: n, gap: dangerCopy[b] ? u : -out * u)
            })
        }
        return ResampleResult(sampler: name, kept: Array(0..<x.rows), synthetic: synthetic)
    }
}

/// A linear soft-margin SVM with a bias, trained by dual coordinate descent with hinge loss (Hsieh, Chang, Lin,
/// Keerthi & Sundararajan, ICML 2008).
enum LinearSVM {
    /// Rows with a positive dual coefficient (on or inside the margin), ascending.
    static func supportVectors(_ x: FeatureMatrix, positive: [Bool], c: Double, epochs: Int = 200, tolerance: Double = 1e-3) -> [Int] {
        let n = x.rows, d = x.columns
        var w = [Double](repeating: 0, count: d + 1)  // last: bias (feature fixed at 1)
        var alpha = [Double](repeating: 0, count: n)
        let q = (0..<n).map { i in x.row(i).reduce(1) { $0 + $1 * $1 } }
        for _ in 0..<epochs {
            var maxViolation = 0.0
            for i in 0..<n {
                let yi: Double = positive[i] ? 1 : -1
                var dot = w[d]
                for j in 0..<d { dot += w[j] * x.values[i * d + j] }
                let grad = yi * dot - 1
                let projected = alpha[i] == 0 ? min(grad, 0) : (alpha[i] == c ? max(grad, 0) : grad)
                maxViolation = max(maxViolation, abs(projected))
                guard projected != 0 else { continue }
                let old = alpha[i]
                alpha[i] = min(max(old - grad / q[i], 0), c)
                let step = (alpha[i] - old) * yi
                for j in 0..<d { w[j] += step * x.values[i * d + j] }
                w[d] += step
            }
            if maxViolation < tolerance { break }
        }
        return (0..<n).filter { alpha[$0] > 0 }
    }
}
