import Foundation
import Testing
@testable import CopiaTable

/// The committed fixture: 200 rows and imbalanced-learn's selections (Fixtures/make_fixtures.py made both).
struct UnderSamplingFixture {
    let x: FeatureMatrix
    let y: ClassLabels
    let kept: [String: [Int]]

    static let shared: UnderSamplingFixture = {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let table = try! CSVReader.read(path: dir.appendingPathComponent("undersampling.csv").path,
                                        options: CSVReadOptions(labelColumn: "label"))
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("undersampling.json"))) as! [String: Any]
        return UnderSamplingFixture(x: try! FeatureMatrix(table), y: try! ClassLabels(table),
                                    kept: json["kept"] as! [String: [Int]])
    }()
}

@Suite struct UnderSamplerFixtureTests {
    static let cases: [(String, any Resampler)] = [
        ("TomekLinks auto", TomekLinks()),
        ("TomekLinks all", TomekLinks(samplingStrategy: .all)),
        ("EditedNearestNeighbours auto", EditedNearestNeighbours()),
        ("EditedNearestNeighbours all mode 5", EditedNearestNeighbours(samplingStrategy: .all, nNeighbors: 5, kindSel: .mode)),
        ("NearMiss 1", NearMiss(version: 1)),
        ("NearMiss 2", NearMiss(version: 2)),
        ("NearMiss 3", NearMiss(version: 3)),
        ("NearMiss 1 counts", NearMiss(samplingStrategy: .counts(["0": 40, "1": 30]), version: 1)),
    ]

    @Test(arguments: cases.map(\.0))
    func selectionEqualsImbalancedLearns(_ name: String) throws {
        let fixture = UnderSamplingFixture.shared
        let sampler = Self.cases.first { $0.0 == name }!.1
        let r = try sampler.resample(fixture.x, labels: fixture.y, seed: 0)
        #expect(r.kept == fixture.kept[name])
        #expect(Set(r.kept).union(r.removed) == Set(0..<fixture.x.rows) && Set(r.kept).isDisjoint(with: r.removed))
    }
}

@Suite struct RandomUnderSamplerTests {
    @Test func keepsTheStrategysCountOfEachClassFromItsOwnRows() throws {
        let (x, y) = try blobs(rows: 130, columns: 2, classes: [100, 20, 10])
        let r = try RandomUnderSampler().resample(x, labels: y, seed: 5)
        #expect(r.kept.count == 30 && r.removed.count == 100)
        var counts = [0, 0, 0]
        for c in r.labels(from: y) { counts[c] += 1 }
        #expect(counts == [10, 10, 10])
        #expect(try RandomUnderSampler().resample(x, labels: y, seed: 5) == r)
        #expect(try RandomUnderSampler().resample(x, labels: y, seed: 6) != r)
    }
}
