import CopiaCore
import Testing

@Suite struct CounterRandomTests {
    /// Known-answer vectors of Philox4x32-10 from the Random123 distribution (kat_vectors).
    @Test(arguments: [
        (UInt64(0), UInt64(0), UInt64(0), UInt64(0xE169_C58D_6627_E8D5), UInt64(0x9B00_DBD8_BC57_AC4C)),
        (UInt64.max, UInt64.max, UInt64.max, UInt64(0x41C8_3B0E_408F_276D), UInt64(0x6D54_51FD_A20B_C7C6)),
        (UInt64(0x85A3_08D3_243F_6A88), UInt64(0x0370_7344_1319_8A2E), UInt64(0x299F_31D0_A409_3822),
         UInt64(0x94FD_CCEB_D16C_FE09), UInt64(0x2412_6EA1_5001_E420)),
    ])
    func philoxMatchesRandom123KnownAnswers(counter: UInt64, stream: UInt64, key: UInt64, lo: UInt64, hi: UInt64) {
        let block = CounterRandom.philox(counter: counter, stream: stream, key: key)
        #expect(block.0 == lo)
        #expect(block.1 == hi)
    }

    @Test func sameKeyGivesSameSequenceWhateverElseWasDrawn() {
        var a = CounterRandom(seed: 42, stage: "balance", sample: "3/img.png#2")
        var other = CounterRandom(seed: 42, stage: "balance", sample: "3/img.png#1")
        _ = (0..<100).map { _ in other.next() }
        var b = CounterRandom(seed: 42, stage: "balance", sample: "3/img.png#2")
        #expect((0..<10).map { _ in a.next() } == (0..<10).map { _ in b.next() })
    }

    @Test func differentSeedsStagesAndSamplesGiveDifferentStreams() {
        let base = CounterRandom(seed: 1, stage: "s", sample: "x").key
        #expect(CounterRandom(seed: 2, stage: "s", sample: "x").key != base)
        #expect(CounterRandom(seed: 1, stage: "t", sample: "x").key != base)
        #expect(CounterRandom(seed: 1, stage: "s", sample: "y").key != base)
        // Length-prefixing keeps ("ab", "c") apart from ("a", "bc").
        #expect(CounterRandom(seed: 1, stage: "ab", sample: "c").key != CounterRandom(seed: 1, stage: "a", sample: "bc").key)
    }

    @Test func drawsStayInTheirRanges() {
        var rng = CounterRandom(seed: 9, stage: "range", sample: "")
        for _ in 0..<10_000 {
            let u = rng.unit()
            #expect(u >= 0 && u < 1)
            let x = rng.uniform(-15...15)
            #expect(x >= -15 && x <= 15)
            let k = rng.int(below: 7)
            #expect(k >= 0 && k < 7)
        }
    }

    @Test func intBelowIsRoughlyUniform() {
        var rng = CounterRandom(seed: 3, stage: "uniform", sample: "")
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[rng.int(below: 10)] += 1 }
        // Each bucket expects 10,000; 5 standard deviations is about 475.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }

    @Test func chanceWithCertainProbabilitiesConsumesNothing() {
        var a = CounterRandom(seed: 5, stage: "p", sample: "")
        var b = a
        let always = a.chance(1.0), never = a.chance(0.0)
        #expect(always && !never)
        let x = a.next(), y = b.next()
        #expect(x == y)
    }

    @Test func shuffleIsAPermutation() {
        var rng = CounterRandom(seed: 11, stage: "shuffle", sample: "")
        var xs = Array(0..<50)
        rng.shuffle(&xs)
        #expect(xs.sorted() == Array(0..<50))
        #expect(xs != Array(0..<50))
    }
}
