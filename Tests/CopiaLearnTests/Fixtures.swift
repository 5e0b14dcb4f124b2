import Foundation
@testable import CopiaLearn

/// Test fixtures live beside this file (made by Benchmarks/learn/make_fixtures.py); they are read through `#filePath`
/// so the test target needs no resource bundle.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The first 200 UCI 8x8 digits: pixels scaled to [0, 1] as `[200, 64]`, and labels.
    static func digits() throws -> (pixels: Tensor, labels: [Int]) {
        let text = try String(contentsOf: directory.appendingPathComponent("digits200.csv"), encoding: .utf8)
        var pixels: [Float] = [], labels: [Int] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            pixels += fields.prefix(64).map { Float($0)! / 16 }
            labels.append(Int(fields[64])!)
        }
        return (Tensor(shape: [labels.count, 64], scalars: pixels), labels)
    }

    struct OptimizerReference: Decodable {
        var p0: [Float], target: [Float], weights: [Float]
        var trajectories: [String: [[Float]]]
        var schedules: [String: [Float]]
    }

    static func optimizers() throws -> OptimizerReference {
        try JSONDecoder().decode(OptimizerReference.self,
                                 from: Data(contentsOf: directory.appendingPathComponent("optimizers.json")))
    }
}
