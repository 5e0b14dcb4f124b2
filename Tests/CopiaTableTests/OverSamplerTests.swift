import CopiaCore
import Foundation
import Testing
@testable import CopiaTable

@Suite struct SamplingStrategyTests {
    let labels = ClassLabels(["a", "b", "b", "c", "c", "c", "c"])  // counts a 1, b 2, c 4

    @Test func namedStrategiesMeanWhatImbalancedLearnMeans() throws {
        #expect(try SamplingStrategy.auto.targets(for: labels, kind: .overSampling) == [3, 2, 0])
        #expect(try SamplingStrategy.minority.targets(for: labels, kind: .overSampling) == [3, 0, 0])
        #expect(try SamplingStrategy.notMinority.targets(for: labels, kind: .overSampling) == [0, 2, 0])
        #expect(try SamplingStrategy.all.targets(for: labels, kind: .overSampling) == [3, 2, 0])
        #expect(try SamplingStrategy.auto.targets(for: labels, kind: .underSampling) == [1, 1, 1])
        #expect(try SamplingStrategy.majority.targets(for: labels, kind: .underSampling) == [1, 2, 1])
        #expect(try SamplingStrategy.notMajority.targets(for: labels, kind: .underSampling) == [1, 1, 4])
        #expect(try SamplingStrategy.auto.targets(for: labels, kind: .cleaning) == [0, 1, 1])
    }

    @Test func countsAndRatiosAreChecked() throws {
        #expect(try SamplingStrategy.counts(["a": 5]).targets(for: labels, kind: .overSampling) == [4, 0, 0])
        #expect(try SamplingStrategy.counts(["c": 2]).targets(for: labels, kind: .underSampling) == [1, 2, 2])
        #expect(throws: TableError.self) { try SamplingStrategy.counts(["a": 0]).targets(for: labels, kind: .overSampling) }
        #expect(throws: TableError.self) { try SamplingStrategy.counts(["z": 3]).targets(for: labels, kind: .overSampling) }
        #expect(throws: TableError.self) { try SamplingStrategy.minority.targets(for: labels, kind: .underSampling) }
        let two = ClassLabels(["x", "y", "y", "y", "y", "y", "y", "y", "y", "y", "y"])  // 1 : 10
        #expect(try SamplingStrategy.ratio(0.5).targets(for: two, kind: .overSampling) == [4, 0])
        #expect(try SamplingStrategy.ratio(0.5).targets(for: two, kind: .underSampling) == [1, 2])
        #expect(throws: TableError.self) { try SamplingStrategy.ratio(0.5).targets(for: labels, kind: .overSampling) }
    }

    @Test func tiesGoToTheClassSeenFirst() throws {
        let tied = ClassLabels(["b", "a", "a", "b", "c"])
        // Majority ties between a and b: b appears first, so b is the one under-sampled.
        #expect(try SamplingStrategy.majority.targets(for: tied, kind: .underSampling) == [2, 1, 1])
    }

    @Test func strategiesDecodeFromJSON() throws {
        let decode = { (s: String) in try JSONDecoder().decode(SamplingStrategy.self, from: Data(s.utf8)) }
        #expect(try decode("\"not minority\"") == .notMinority)
        #expect(try decode("\"auto\"") == .auto)
        #expect(try decode("0.5") == .ratio(0.5))
        #expect(try decode("{\"a\": 3}") == .counts(["a": 3]))
        #expect(try decode("[\"a\"]") == .classes(["a"]))
        #expect(throws: DecodingError.self) { try decode("\"most\"") }
    }
}

@Suite struct SMOTETests {
    @Test func everyRowLiesOnASegmentToOneOfItsBasesNearestSameClassNeighbours() throws {
        let (x, y) = try blobs(rows: 230, columns: 4, classes: [200, 30])
        let smote = SMOTE(kNeighbors: 5)
        let r = try smote.resample(x, labels: y, seed: 7)
        #expect(r.synthetic.count == 170)
        let minority = y.rowsByClass[1]
        for s in r.synthetic {
            #expect(s.label == 1)
            #expect(minority.contains(s.base))
            let nearest = referenceNeighbours(x, candidates: minority, query: s.base, k: 6).dropFirst()
            #expect(nearest.contains(s.neighbours[0]))
            #expect(s.gaps[0] >= 0 && s.gaps[0] < 1)
            for j in 0..<x.columns {
                let expected = x[s.base, j] + s.gaps[0] * (x[s.neighbours[0], j] - x[s.base, j])
                #expect(abs(s.values[j] - expected) <= 1e-12 * max(1, abs(expected)))
            }
        }
    }

    @Test func classCountsMatchTheStrategyExactly() throws {
        let (x, y) = try blobs(rows: 160, columns: 3, classes: [100, 40, 20])
        for (strategy, expected) in [(SamplingStrategy.auto, [100, 100, 100]), (.minority, [100, 40, 100]),
                                     (.counts(["1": 55, "2": 21]), [100, 55, 21])] {
            let r = try SMOTE(samplingStrategy: strategy).resample(x, labels: y, seed: 1)
            var counts = [0, 0, 0]
            for c in r.labels(from: y) { counts[c] += 1 }
            #expect(counts == expected)
        }
    }

    @Test func sameSeedSameRowsAnyThreadCountAndDifferentSeedDifferentRows() throws {
        let (x, y) = try blobs(rows: 5000, columns: 5, classes: [4700, 300])
        let a = try SMOTE().resample(x, labels: y, seed: 3)
        let b = try SMOTE().resample(x, labels: y, seed: 3)
        #expect(a == b)
        // Row i does not depend on how many rows are drawn: a smaller target gives a prefix.
        let small = try SMOTE(samplingStrategy: .counts(["1": 1300])).resample(x, labels: y, seed: 3)
        #expect(Array(a.synthetic.values.prefix(small.synthetic.values.count)) == small.synthetic.values)
        let c = try SMOTE().resample(x, labels: y, seed: 4)
        #expect(a.synthetic.values != c.synthetic.values)
    }

    @Test func tooFewRowsAndCategoricalFeaturesAreErrors() throws {
        let (x, y) = try blobs(rows: 24, columns: 2, classes: [20, 4])
        #expect(throws: TableError.invalid("SMOTE: class \"1\" has 4 rows; kNeighbors = 5 needs at least 6")) {
            try SMOTE().resample(x, labels: y, seed: 1)
        }
        #expect(throws: TableError.invalid("ADASYN: class \"1\" has 4 rows; nNeighbors = 5 needs at least 6")) {
            try ADASYN().resample(x, labels: y, seed: 1)
        }
        let t = try CSVReader.read(string: "a,c,y\n1,x,0\n2,y,0\n3,x,1\n", options: CSVReadOptions(labelColumn: "y"))
        #expect(throws: TableError.self) { try SMOTE(kNeighbors: 1).resample(t, seed: 1) }
    }

    @Test func resampledTableKeepsOriginalRowsAndAppendsLabelledNewOnes() throws {
        var csv = "f1,f2,label\n"
        for i in 0..<20 { csv += "\(Double(i) * 0.5),\(i % 3),\(i < 14 ? "neg" : "pos")\n" }
        let table = try CSVReader.read(string: csv, options: CSVReadOptions(labelColumn: "label"))
        let (result, out) = try SMOTE(kNeighbors: 3).resample(table, seed: 9)
        #expect(out.rowCount == 28)
        #expect(try out.labels().filter { $0 == "pos" }.count == 14)
        #expect(out.originalText(ofRow: 0).map { Array($0) } == Array("0.0,0,neg".utf8))
        #expect(out.lineNumbers.suffix(8).allSatisfy { $0 == 0 })
        #expect(result.synthetic.count == 8)
        let written = try CSVReader.read(bytes: CSVWriter.encode(out), options: CSVReadOptions(labelColumn: "label"))
        #expect(written.column(named: "f1") == out.column(named: "f1"))
    }
}

@Suite struct RandomOverSamplerTests {
    @Test func copiesComeFromTheirClass() throws {
        let (x, y) = try blobs(rows: 50, columns: 3, classes: [40, 10])
        let r = try RandomOverSampler().resample(x, labels: y, seed: 2)
        #expect(r.synthetic.count == 30)
        for s in r.synthetic {
            #expect(y.codes[s.base] == 1 && s.neighbours.isEmpty)
            #expect(s.values == Array(x.row(s.base)))
        }
    }

    @Test func shrinkageAddsNoiseScaledByTheClassSpread() throws {
        let (x, y) = try blobs(rows: 1040, columns: 2, classes: [1000, 40])
        let r = try RandomOverSampler(shrinkage: 1).resample(x, labels: y, seed: 2)
        let offsets = r.synthetic.map { $0.values[1] - x[$0.base, 1] }
        let sd = (offsets.map { $0 * $0 }.reduce(0, +) / Double(offsets.count)).squareRoot()
        let h = pow(4.0 / (4.0 * 40.0), 1.0 / 6.0)
        #expect(sd > 0.5 * h && sd < 1.6 * h)  // class sd is about 1
        #expect(try RandomOverSampler(shrinkage: 0).resample(x, labels: y, seed: 2).synthetic.allSatisfy { $0.values == Array(x.row($0.base)) })
    }
}
