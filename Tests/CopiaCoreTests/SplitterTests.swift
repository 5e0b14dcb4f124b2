import CopiaCore
import Testing

@Suite struct SplitterTests {
    func index(_ counts: [Int], groupSize: Int? = nil) -> SampleIndex {
        var samples: [Sample] = []
        for (k, n) in counts.enumerated() {
            for i in 0..<n {
                samples.append(Sample(id: "c\(k)/\(i)", label: "c\(k)", locator: "/x/c\(k)/\(i)", group: groupSize.map { "g\(k)-\(i / $0)" }))
            }
        }
        return SampleIndex(samples: samples)
    }

    @Test func eachClassIsSplitInProportionRoundingTestUp() {
        let idx = index([100, 11, 3])
        let splits = Splitter(test: 0.2, validation: 0.1, seed: 1).assign(idx)
        for (label, n, test, validation) in [("c0", 100, 20, 10), ("c1", 11, 3, 2), ("c2", 3, 1, 1)] {
            let mine = idx.samples.indices.filter { idx.samples[$0].label == label }
            #expect(mine.count == n)
            #expect(mine.filter { splits[$0] == .test }.count == test)
            #expect(mine.filter { splits[$0] == .validation }.count == validation)
        }
    }

    @Test func aClassOfOneStaysInTraining() {
        let idx = index([1, 5])
        let splits = Splitter(test: 0.5, seed: 1).assign(idx)
        #expect(splits[idx.samples.firstIndex { $0.label == "c0" }!] == .train)
    }

    @Test func assignmentDependsOnSeedNotOnInputOrder() {
        let idx = index([50, 20])
        let reversed = SampleIndex(samples: idx.samples.reversed())
        let a = Splitter(test: 0.3, seed: 7).assign(idx)
        let b = Splitter(test: 0.3, seed: 7).assign(reversed)
        #expect(a == b)
        #expect(Splitter(test: 0.3, seed: 8).assign(idx) != a)
    }

    @Test func groupsNeverStraddleSplits() {
        let idx = index([60, 30], groupSize: 4)
        let splits = Splitter(test: 0.25, seed: 3).assign(idx, byGroup: true)
        var splitOfGroup: [String: Split] = [:]
        for (s, split) in zip(idx.samples, splits) {
            if let seen = splitOfGroup[s.group!] { #expect(seen == split, "group \(s.group!) straddles") }
            splitOfGroup[s.group!] = split
        }
        let testCount = splits.filter { $0 == .test }.count
        #expect(testCount > 0 && testCount <= 30)
    }
}
