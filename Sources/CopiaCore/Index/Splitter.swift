/// Stratified, seeded train/validation/test assignment, optionally keeping groups whole.
///
/// Per class, samples are shuffled by a generator keyed on (seed, "split", class), and the first
/// `ceil(n * test)` go to test, the next `ceil(n * validation)` to validation (as scikit-learn's `train_test_split`
/// rounds the test share up), always leaving at least one training sample per class. The assignment depends only on
/// the seed and the set of sample ids, never on file-system order.
///
/// With groups, whole groups are assigned instead: groups are ordered by a keyed random draw and given to test, then
/// validation, while that split's share of the class's samples stays at or under its target (a greedy version of
/// scikit-learn's `StratifiedGroupKFold` idea); a group's class is its most common label.
public struct Splitter: Sendable {
    public var test: Double
    public var validation: Double
    public var seed: UInt64

    public init(test: Double, validation: Double = 0, seed: UInt64) {
        precondition(test >= 0 && validation >= 0 && test + validation < 1, "split fractions must be >= 0 and sum below 1, got test \(test), validation \(validation)")
        self.test = test
        self.validation = validation
        self.seed = seed
    }

    /// The split of each sample, parallel to `index.samples`.
    public func assign(_ index: SampleIndex, byGroup: Bool = false) -> [Split] {
        byGroup ? assignGroups(index) : assignSamples(index)
    }

    private func assignSamples(_ index: SampleIndex) -> [Split] {
        var result = [Split](repeating: .train, count: index.count)
        var byClass: [String: [Int]] = [:]
        for (i, s) in index.samples.enumerated() { byClass[s.label, default: []].append(i) }
        for label in index.classes {
            var members = byClass[label] ?? []
            var rng = CounterRandom(seed: seed, stage: "split", sample: label)
            rng.shuffle(&members)
            let (nTest, nValidation) = shares(of: members.count)
            for (k, i) in members.enumerated() {
                result[i] = k < nTest ? .test : (k < nTest + nValidation ? .validation : .train)
            }
        }
        return result
    }

    /// How many of `n` samples go to test and validation.
    public func shares(of n: Int) -> (test: Int, validation: Int) {
        guard n > 1 else { return (0, 0) }
        var t = Int((Double(n) * test).rounded(.up))
        var v = Int((Double(n) * validation).rounded(.up))
        if test == 0 { t = 0 }
        if validation == 0 { v = 0 }
        while t + v > n - 1 { if v > 0 { v -= 1 } else { t -= 1 } }
        return (t, v)
    }

    private func assignGroups(_ index: SampleIndex) -> [Split] {
        var members: [String: [Int]] = [:]
        for (i, s) in index.samples.enumerated() { members[s.group ?? "sample:" + s.id, default: []].append(i) }
        // A group's class: its most common label (ties broken by class order).
        var groupsByClass: [String: [String]] = [:]
        let classOrder = Dictionary(uniqueKeysWithValues: index.classes.enumerated().map { ($1, $0) })
        for (group, indices) in members {
            var counts: [String: Int] = [:]
            for i in indices { counts[index.samples[i].label, default: 0] += 1 }
            let label = index.classes.max { (counts[$0] ?? 0, -classOrder[$0]!) < (counts[$1] ?? 0, -classOrder[$1]!) }!
            groupsByClass[label, default: []].append(group)
        }
        var result = [Split](repeating: .train, count: index.count)
        for label in index.classes {
            var groups = (groupsByClass[label] ?? []).sorted()
            var rng = CounterRandom(seed: seed, stage: "split-groups", sample: label)
            rng.shuffle(&groups)
            let total = groups.reduce(0) { $0 + members[$1]!.count }
            let targetTest = Double(total) * test, targetValidation = Double(total) * validation
            var nTest = 0, nValidation = 0
            for (k, g) in groups.enumerated() {
                let size = members[g]!.count
                let isLast = k == groups.count - 1
                let split: Split
                if !isLast, test > 0, nTest == 0 || Double(nTest + size) <= targetTest {
                    split = .test
                    nTest += size
                } else if !isLast, validation > 0, nValidation == 0 || Double(nValidation + size) <= targetValidation {
                    split = .validation
                    nValidation += size
                } else {
                    split = .train
                }
                for i in members[g]! { result[i] = split }
            }
        }
        return result
    }
}
