import CopiaCore
import Testing
@testable import CopiaTable

/// Checks the SMOTE-family invariant for every synthetic row: numeric values on the segment base -> neighbour.
func expectOnSegments(_ r: ResampleResult, _ x: FeatureMatrix, columns: [Int]? = nil) {
    for s in r.synthetic {
        let g = s.gaps[0], n = s.neighbours[0]
        for j in columns ?? Array(0..<x.columns) {
            let expected = x[s.base, j] + g * (x[n, j] - x[s.base, j])
            #expect(abs(s.values[j] - expected) <= 1e-12 * max(1, abs(expected)))
        }
    }
}

func classCounts(_ r: ResampleResult, _ y: ClassLabels) -> [Int] {
    var counts = [Int](repeating: 0, count: y.classes.count)
    for c in r.labels(from: y) { counts[c] += 1 }
    return counts
}

@Suite struct BorderlineSMOTETests {
    @Test(arguments: [BorderlineSMOTE.Kind.borderline1, .borderline2])
    func newRowsStartInDangerAndReachTheStrategysCount(kind: BorderlineSMOTE.Kind) throws {
        let (x, y) = try blobs(rows: 400, columns: 3, classes: [340, 60])
        let r = try BorderlineSMOTE(kind: kind).resample(x, labels: y, seed: 4)
        #expect(classCounts(r, y) == [340, 340])
        let all = Array(0..<x.rows)
        let minority = y.rowsByClass[1]
        for s in r.synthetic {
            let m = referenceNeighbours(x, candidates: all, query: s.base, k: 11).dropFirst()
            let others = m.filter { y.codes[$0] != 1 }.count
            #expect(others >= 5 && others < 10)
            if kind == .borderline1 {
                #expect(referenceNeighbours(x, candidates: minority, query: s.base, k: 6).dropFirst().contains(s.neighbours[0]))
                #expect(s.gaps[0] < 1)
            } else {
                #expect(m.prefix(5).contains(s.neighbours[0]))
                #expect(s.gaps[0] < (y.codes[s.neighbours[0]] == 1 ? 1 : 0.5))
            }
        }
        expectOnSegments(r, x)
    }
}

@Suite struct ADASYNTests {
    @Test func harderRowsGetMoreNewRowsAndCountsAreExact() throws {
        let (x, y) = try blobs(rows: 400, columns: 3, classes: [340, 60])
        let r = try ADASYN().resample(x, labels: y, seed: 4)
        #expect(classCounts(r, y) == [340, 340])
        expectOnSegments(r, x)
        var perBase: [Int: Int] = [:]
        for s in r.synthetic { perBase[s.base, default: 0] += 1 }
        let all = Array(0..<x.rows)
        let hardness = { (b: Int) in referenceNeighbours(x, candidates: all, query: b, k: 6).dropFirst().filter { y.codes[$0] != 1 }.count }
        for (b, n) in perBase { #expect(hardness(b) > 0 && n > 0) }
        #expect(apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(apportion(7, weights: [0, 5, 2]) == [0, 5, 2])
    }
}

@Suite struct SMOTENCTests {
    static func mixed() throws -> (Table, FeatureMatrix, ClassLabels) {
        var csv = "a,colour,b,flag,y\n"
        let colours = ["red", "green", "blue"]
        for i in 0..<90 {
            let minority = i >= 70
            csv += "\(Double(i % 17) * 0.3 + (minority ? 4 : 0)),\(colours[(i * 7 + (minority ? 1 : 0)) % 3]),\(Double(i % 5)),\(i % 4 == 0 ? "true" : "false"),\(minority ? "rare" : "common")\n"
        }
        let t = try CSVReader.read(string: csv, options: CSVReadOptions(labelColumn: "y"))
        return (t, try FeatureMatrix(t), try ClassLabels(t))
    }

    @Test func categoricalValuesComeFromTheNeighboursAndNumbersFromSegments() throws {
        let (t, x, y) = try Self.mixed()
        #expect(x.categorical == [1, 3])
        let r = try SMOTENC(kNeighbors: 3).resample(x, labels: y, seed: 1)
        #expect(classCounts(r, y) == [70, 70])
        expectOnSegments(r, x, columns: x.numericColumns)
        for s in r.synthetic {
            #expect(s.voters.count == 3 && s.voters.contains(s.neighbours[0]))
            for j in x.categorical {
                #expect(s.voters.contains { x[$0, j] == s.values[j] })
            }
        }
        let (_, out) = try SMOTENC(kNeighbors: 3).resample(t, seed: 1)
        #expect(out.column(named: "colour")?.type == .categorical && out.column(named: "flag")?.type == .boolean)
        #expect(out.rowCount == 140)
    }

    @Test func allNumericOrAllCategoricalIsAnError() throws {
        let (x, y) = try blobs(rows: 30, columns: 2, classes: [20, 10])
        #expect(throws: TableError.self) { try SMOTENC().resample(x, labels: y, seed: 1) }
    }
}

@Suite struct SMOTENTests {
    @Test func newRowsAreTheNeighboursMostFrequentValues() throws {
        var csv = "c1,c2,y\n"
        for i in 0..<60 { csv += "v\(i % 4),w\(i % 3),\(i < 45 ? "n" : "p")\n" }
        let t = try CSVReader.read(string: csv, options: CSVReadOptions(labelColumn: "y"))
        let x = try FeatureMatrix(t), y = try ClassLabels(t)
        let r = try SMOTEN(kNeighbors: 3).resample(x, labels: y, seed: 2)
        #expect(classCounts(r, y) == [45, 45])
        for s in r.synthetic {
            #expect(!s.voters.contains(s.base) && s.voters.count == 3)
            for j in 0..<2 { #expect(s.voters.contains { x[$0, j] == s.values[j] }) }
        }
    }
}

@Suite struct CombinedSamplerTests {
    @Test func cleaningAfterSMOTEKeepsProvenanceAndListsRemovedOriginals() throws {
        let (x, y) = try blobs(rows: 300, columns: 2, classes: [250, 50])
        for sampler in [SMOTETomek() as any Resampler, SMOTEENN()] {
            let r = try sampler.resample(x, labels: y, seed: 3)
            let smote = try SMOTE().resample(x, labels: y, seed: 3)
            #expect(Set(r.kept).union(r.removed) == Set(0..<300))
            #expect(r.synthetic.count <= 200 && r.synthetic.allSatisfy { s in smote.synthetic.contains(s) })
            #expect(r.removed.count > 0 || r.synthetic.count < 200)
        }
    }
}

@Suite struct SVMSMOTETests {
    @Test func basesAreSupportVectorsAndGapsFollowTheirState() throws {
        let (x, y) = try blobs(rows: 300, columns: 2, classes: [250, 50])
        let r = try SVMSMOTE().resample(x, labels: y, seed: 8)
        #expect(classCounts(r, y) == [250, 250])
        let support = Set(LinearSVM.supportVectors(try Scaler.fit(.standardise, on: x).transform(x), positive: y.codes.map { $0 == 1 }, c: 1))
        for s in r.synthetic {
            #expect(support.contains(s.base) && y.codes[s.base] == 1)
            #expect(s.gaps[0] > -0.5 && s.gaps[0] < 1)
        }
        expectOnSegments(r, x)
    }

    @Test func aSeparableProblemHasSupportVectorsOnTheMargin() throws {
        let x = try FeatureMatrix([[0, 0], [0, 1], [3, 0], [3, 1], [-1, 0], [4, 1]])
        let sv = LinearSVM.supportVectors(x, positive: [true, true, false, false, true, false], c: 10)
        #expect(Set(sv).isSubset(of: [0, 1, 2, 3]) && !sv.isEmpty)
    }
}

@Suite struct KMeansSMOTETests {
    @Test func newRowsStayInsideOneClusterAndCountsAreExact() throws {
        let (x, y) = try blobs(rows: 400, columns: 2, classes: [320, 80])
        let sampler = KMeansSMOTE(nClusters: 4)
        let r = try sampler.resample(x, labels: y, seed: 5)
        #expect(classCounts(r, y) == [320, 320])
        let clusters = KMeans.cluster(x, k: 4, seed: 5, stage: "resample")
        for s in r.synthetic { #expect(clusters[s.base] == clusters[s.neighbours[0]] && s.gaps[0] < 1) }
        expectOnSegments(r, x)
        #expect(try sampler.resample(x, labels: y, seed: 5) == r)
        #expect(apportion(5, weights: [0.5, 0.25, 0.25]) == [3, 1, 1])
    }
}

@Suite struct ReplayKeyTests {
    @Test func aRowsDrawNamesTheGeneratorThatMadeIt() throws {
        let (x, y) = try blobs(rows: 200, columns: 3, classes: [160, 40])
        let r = try SMOTE(kNeighbors: 4).resample(x, labels: y, seed: 11, stage: "oversample")
        let minority = y.rowsByClass[1]
        for s in r.synthetic {
            var rng = CounterRandom(seed: 11, stage: "oversample", sample: "1#\(s.draw)")
            #expect(minority[rng.int(below: minority.count)] == s.base)
            _ = rng.int(below: 4)
            #expect(rng.unit() == s.gaps[0])
        }
    }

    @Test(arguments: [0, 1, 2])
    func everyDrawIsUsedOncePerClass(_ which: Int) throws {
        let (x, y) = try blobs(rows: 400, columns: 2, classes: [320, 80])
        let sampler: any Resampler = [KMeansSMOTE(nClusters: 4), ADASYN(), RandomOverSampler()][which]
        let r = try sampler.resample(x, labels: y, seed: 5)
        #expect(r.synthetic.map(\.draw).sorted() == Array(0..<240), "\(sampler.name)")
    }
}
