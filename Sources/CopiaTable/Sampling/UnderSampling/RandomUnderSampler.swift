import CopiaCore

/// Random under-sampling: each selected class keeps a random subset of its rows, of the size `samplingStrategy`
/// gives (by default the minority class's size). The subset of class `c` comes from a Fisher-Yates shuffle drawn
/// from `CounterRandom(seed, stage, "<class>")`.
public struct RandomUnderSampler: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var name: String { "RandomUnderSampler" }

    public init(samplingStrategy: SamplingStrategy = .auto) { self.samplingStrategy = samplingStrategy }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        let keep = try samplingStrategy.targets(for: labels, kind: .underSampling)
        var kept: [Int] = []
        for (c, rows) in labels.rowsByClass.enumerated() {
            if keep[c] >= rows.count {
                kept.append(contentsOf: rows)
                continue
            }
            var rng = CounterRandom(seed: seed, stage: stage, sample: labels.classes[c])
            var shuffled = rows
            rng.shuffle(&shuffled)
            kept.append(contentsOf: shuffled.prefix(keep[c]))
        }
        return ResampleResult(kept: kept, rows: x.rows, sampler: name)
    }
}

/// Tomek links (Tomek, 1976): two rows of different classes that are each other's nearest neighbour. The row of a
/// selected class in each link is removed (by default every class but the minority). Deterministic; equals
/// imbalanced-learn's TomekLinks selection.
public struct TomekLinks: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var name: String { "TomekLinks" }

    public init(samplingStrategy: SamplingStrategy = .auto) { self.samplingStrategy = samplingStrategy }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        let clean = try samplingStrategy.targets(for: labels, kind: .cleaning)
        guard x.rows > 1 else { return ResampleResult(kept: Array(0..<x.rows), rows: x.rows, sampler: name) }
        let all = Array(0..<x.rows)
        let nearest = try NearestNeighbours.search(x, candidates: all, queries: all, k: 2).droppingFirst().indices
        var kept: [Int] = []
        for i in 0..<x.rows {
            let j = nearest[i]
            let link = clean[labels.codes[i]] == 1 && labels.codes[j] != labels.codes[i] && nearest[j] == i
            if !link { kept.append(i) }
        }
        return ResampleResult(kept: kept, rows: x.rows, sampler: name)
    }
}

/// Edited nearest neighbours (Wilson, 1972): a row of a selected class is removed when its `nNeighbors` nearest rows
/// (among all rows) disagree with its class: any of them (`kindSel` "all", the default) or most of them ("mode").
/// Deterministic; equals imbalanced-learn's EditedNearestNeighbours selection.
public struct EditedNearestNeighbours: Resampler {
    public enum Selection: String, Codable, Sendable, CaseIterable { case all, mode }
    public var samplingStrategy: SamplingStrategy
    public var nNeighbors: Int
    public var kindSel: Selection
    public var name: String { "EditedNearestNeighbours" }

    public init(samplingStrategy: SamplingStrategy = .auto, nNeighbors: Int = 3, kindSel: Selection = .all) {
        self.samplingStrategy = samplingStrategy
        self.nNeighbors = nNeighbors
        self.kindSel = kindSel
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        guard nNeighbors >= 1 else { throw TableError.invalid("\(name): nNeighbors must be >= 1, got \(nNeighbors)") }
        guard x.rows > nNeighbors else {
            throw TableError.invalid("\(name): \(x.rows) rows; nNeighbors = \(nNeighbors) needs at least \(nNeighbors + 1)")
        }
        let clean = try samplingStrategy.targets(for: labels, kind: .cleaning)
        let queries = (0..<x.rows).filter { clean[labels.codes[$0]] == 1 }
        let graph = try NearestNeighbours.search(x, candidates: Array(0..<x.rows), queries: queries, k: nNeighbors + 1).droppingFirst()
        var removed = Set<Int>()
        for (qi, q) in queries.enumerated() {
            let c = labels.codes[q]
            let neighbourClasses = graph.neighbours(of: qi).map { labels.codes[$0] }
            let keep: Bool
            switch kindSel {
            case .all: keep = neighbourClasses.allSatisfy { $0 == c }
            case .mode: keep = Self.mode(neighbourClasses, classes: labels.classes.count) == c
            }
            if !keep { removed.insert(q) }
        }
        return ResampleResult(kept: (0..<x.rows).filter { !removed.contains($0) }, rows: x.rows, sampler: name)
    }

    /// The most frequent class, the lowest class code among ties (as scipy.stats.mode).
    static func mode(_ codes: [Int], classes: Int) -> Int {
        var counts = [Int](repeating: 0, count: classes)
        for c in codes { counts[c] += 1 }
        var best = 0
        for c in 0..<classes where counts[c] > counts[best] { best = c }
        return best
    }
}

/// NearMiss (Mani & Zhang, 2003): keeps the rows of each selected class that are closest to the minority class.
/// Version 1 keeps those with the smallest mean distance to their `nNeighbors` nearest minority rows; version 2,
/// to their `nNeighbors` farthest minority rows; version 3 first shortlists, for every minority row, its
/// `nNeighborsVer3` nearest rows of the class, then keeps the shortlisted rows with the largest mean distance to
/// their `nNeighbors` nearest minority rows. Deterministic; equals imbalanced-learn's NearMiss selection.
public struct NearMiss: Resampler {
    public var samplingStrategy: SamplingStrategy
    public var version: Int
    public var nNeighbors: Int
    public var nNeighborsVer3: Int
    public var name: String { "NearMiss" }

    public init(samplingStrategy: SamplingStrategy = .auto, version: Int = 1, nNeighbors: Int = 3, nNeighborsVer3: Int = 3) {
        self.samplingStrategy = samplingStrategy
        self.version = version
        self.nNeighbors = nNeighbors
        self.nNeighborsVer3 = nNeighborsVer3
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try validate(x, labels)
        guard (1...3).contains(version) else { throw TableError.invalid("\(name): version must be 1, 2 or 3, got \(version)") }
        let keep = try samplingStrategy.targets(for: labels, kind: .underSampling)
        let counts = labels.counts
        let minority = labels.firstAppearance.min { counts[$0] < counts[$1] }!
        let byClass = labels.rowsByClass
        let minorityRows = byClass[minority]
        guard nNeighbors >= 1, minorityRows.count >= nNeighbors else {
            throw TableError.invalid("\(name): the minority class has \(minorityRows.count) rows; nNeighbors = \(nNeighbors) needs at least that many")
        }
        var kept: [Int] = []
        for (c, rows) in byClass.enumerated() {
            if keep[c] >= rows.count {
                kept.append(contentsOf: rows)
                continue
            }
            var candidates = rows
            if version == 3 {
                guard rows.count >= nNeighborsVer3 else {
                    throw TableError.invalid("\(name): class \"\(labels.classes[c])\" has \(rows.count) rows; nNeighborsVer3 = \(nNeighborsVer3) needs at least that many")
                }
                let short = try NearestNeighbours.search(x, candidates: rows, queries: minorityRows, k: nNeighborsVer3)
                candidates = Array(Set(short.indices)).sorted()
            }
            let k = version == 2 ? minorityRows.count : nNeighbors
            let g = try NearestNeighbours.search(x, candidates: minorityRows, queries: candidates, k: k)
            let score: [Double] = (0..<candidates.count).map { q in
                // Sum of the last nNeighbors distances: the nearest (v1, v3) or farthest (v2) minority rows.
                var s = 0.0
                for j in (k - nNeighbors)..<k { s += g.distances[q * k + j] }
                return s
            }
            let order = candidates.indices.sorted { a, b in
                version == 3 ? (score[a] > score[b] || (score[a] == score[b] && a < b))
                             : (score[a] < score[b] || (score[a] == score[b] && a < b))
            }
            kept.append(contentsOf: order.prefix(keep[c]).map { candidates[$0] })
        }
        return ResampleResult(kept: kept, rows: x.rows, sampler: name)
    }
}

extension ResampleResult {
    /// A selection: `kept` (any order, sorted here), the rest of `0..<rows` removed.
    init(kept: [Int], rows: Int, sampler: String) {
        let sorted = kept.sorted()
        var removed: [Int] = []
        var k = 0
        for i in 0..<rows {
            if k < sorted.count && sorted[k] == i { k += 1 } else { removed.append(i) }
        }
        self.init(sampler: sampler, kept: sorted, removed: removed)
    }
}
