import CopiaCore
import Foundation
import Testing
@testable import CopiaLearn

/// On a noisy linear regression trained with SGD (Hessian 2/3 I, so rates above 3 diverge), the range test suggests a
/// rate in [1e-3, 1] (0.14 measured), stops once the loss blows up, leaves the model as it was, and writes an SVG plot.
@Test func rangeTestSuggestsAStableRateAndRestoresTheModel() throws {
    var rng = CounterRandom(seed: 5, stage: "init", sample: "lr-find")
    let model = Linear(4, 1, rng: &rng)
    let before = model.weight.value
    let opt = SGD(parameters: model.allParameters, learningRate: 0)
    let trueWeights = Tensor(shape: [4, 1], scalars: [1, -2, 0.5, 3])
    let finder = LearningRateFinder(startRate: 1e-5, endRate: 10, steps: 150)
    let result = finder.run(model: model, optimizer: opt, batch: { step -> (Tensor, Tensor) in
        let x = randomTensor([32, 4], seed: UInt64(step))
        return (x, x.matmul(trueWeights) + randomTensor([32, 1], seed: UInt64(1000 + step), range: -0.1...0.1))
    }) { batch in
        let l = Losses.meanSquaredError(model(batch.0), batch.1)
        _ = model.backward(l.gradient)
        return l.value
    }
    #expect(result.suggestedRate >= 1e-3 && result.suggestedRate <= 1, "suggested \(result.suggestedRate)")
    #expect(result.rates.count < 150, "the test stops at divergence")
    #expect(result.rates.first == 1e-5)
    #expect(result.smoothedLosses.min()! < result.losses[0] / 2)
    #expect(result.losses.min()! < result.losses[0] / 100)
    #expect(model.weight.value == before)
    #expect(opt.stepCount == 0)

    let path = temporaryDirectory("lr") + ".svg"
    try result.writePlot(to: path)
    let svg = try String(contentsOfFile: path, encoding: .utf8)
    #expect(svg.hasPrefix("<svg") && svg.contains("<polyline") && svg.contains("suggested"))
}

@Test func rangeTestRatesGrowExponentially() {
    let f = LearningRateFinder(startRate: 1e-4, endRate: 1, steps: 5)
    let rates = (0..<5).map(f.rate(atStep:))
    for (r, e) in zip(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1] as [Float]) { #expect(abs(r - e) / e < 1e-5) }
}
