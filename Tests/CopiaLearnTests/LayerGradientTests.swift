import CopiaCore
import Testing
@testable import CopiaLearn

/// Every layer's backward pass agrees with central finite differences (tolerances in `GradientCheck`).
enum LayerCase: String, CaseIterable, CustomStringConvertible, Sendable {
    case linear, linearNoBias, conv2dStride1, conv2dStride2Padding1, convTranspose2dStride2Padding1,
         convTranspose2dStride1, batchNorm1dTraining, batchNorm1dEvaluation, batchNorm2dTraining, layerNorm, dropout,
         embedding, relu, leakyRelu, gelu, sigmoid, tanh, flatten, reshape, sequential
    var description: String { rawValue }

    func make() -> (layer: any Layer, input: Tensor, checkInput: Bool, forward: ((Tensor) -> Tensor)?) {
        var rng = CounterRandom(seed: 3, stage: "init", sample: rawValue)
        switch self {
        case .linear:
            let l = Linear(5, 4, rng: &rng)
            l.bias!.value = randomTensor([4], seed: 9)
            return (l, randomTensor([3, 5]), true, nil)
        case .linearNoBias: return (Linear(4, 3, bias: false, rng: &rng), randomTensor([2, 4]), true, nil)
        case .conv2dStride1:
            return (Conv2d(2, 3, kernelSize: 3, rng: &rng), randomTensor([2, 2, 5, 4]), true, nil)
        case .conv2dStride2Padding1:
            return (Conv2d(2, 3, kernelSize: 4, stride: 2, padding: 1, rng: &rng), randomTensor([2, 2, 6, 6]), true, nil)
        case .convTranspose2dStride2Padding1:
            return (ConvTranspose2d(3, 2, kernelSize: 4, stride: 2, padding: 1, rng: &rng), randomTensor([2, 3, 3, 3]), true, nil)
        case .convTranspose2dStride1:
            return (ConvTranspose2d(2, 2, kernelSize: 3, rng: &rng), randomTensor([1, 2, 3, 4]), true, nil)
        case .batchNorm1dTraining:
            let l = BatchNorm1d(3)
            l.gamma.value = randomTensor([3], seed: 4, range: 0.5...1.5)
            return (l, randomTensor([5, 3], range: -2...2), true, nil)
        case .batchNorm1dEvaluation:
            let l = BatchNorm1d(3)
            l.runningMean.value = randomTensor([3], seed: 5)
            l.runningVariance.value = randomTensor([3], seed: 6, range: 0.5...2)
            l.isTraining = false
            return (l, randomTensor([4, 3]), true, nil)
        case .batchNorm2dTraining:
            let l = BatchNorm2d(2)
            l.beta.value = randomTensor([2], seed: 4)
            return (l, randomTensor([3, 2, 2, 2], range: -2...2), true, nil)
        case .layerNorm:
            let l = LayerNorm(5)
            l.gamma.value = randomTensor([5], seed: 4, range: 0.5...1.5)
            return (l, randomTensor([3, 5], range: -2...2), true, nil)
        case .dropout:
            let l = Dropout(probability: 0.3, seed: 1)
            return (l, randomTensor([4, 6]), true, { x in l.calls = 0; return l.forward(x) })
        case .embedding:
            return (Embedding(5, 3, rng: &rng), Tensor(shape: [4], scalars: [0, 3, 3, 4]), false, nil)
        case .relu: return (ReLU(), randomTensor([3, 7], awayFromZero: 0.05), true, nil)
        case .leakyRelu: return (LeakyReLU(slope: 0.2), randomTensor([3, 7], awayFromZero: 0.05), true, nil)
        case .gelu: return (GELU(), randomTensor([3, 7], range: -3...3), true, nil)
        case .sigmoid: return (Sigmoid(), randomTensor([3, 7], range: -4...4), true, nil)
        case .tanh: return (Tanh(), randomTensor([3, 7], range: -2...2), true, nil)
        case .flatten: return (Flatten(), randomTensor([2, 3, 2, 2]), true, nil)
        case .reshape: return (Reshape([2, 3]), randomTensor([2, 6]), true, nil)
        case .sequential:
            let s = Sequential(Linear(4, 6, rng: &rng), Tanh(), Linear(6, 8, rng: &rng), Reshape([2, 2, 2]),
                               Conv2d(2, 2, kernelSize: 2, padding: 1, rng: &rng), Flatten(), Sigmoid())
            return (s, randomTensor([3, 4]), true, nil)
        }
    }
}

@Test(arguments: LayerCase.allCases)
func layerGradientsMatchFiniteDifferences(_ c: LayerCase) {
    let (layer, input, checkInput, forward) = c.make()
    let mismatches = GradientCheck().check(layer: layer, input: input, checkInput: checkInput, forward: forward)
    #expect(mismatches.isEmpty, "\(c): \(mismatches.prefix(5))")
}

enum LossCase: String, CaseIterable, CustomStringConvertible, Sendable {
    case mseMean, mseSum, bceWithLogitsMean, bceWithLogitsSum, crossEntropy, gaussianKLMean, gaussianKLLogVariance
    var description: String { rawValue }
}

@Test(arguments: LossCase.allCases)
func lossGradientsMatchFiniteDifferences(_ c: LossCase) {
    let target = randomTensor([3, 4], seed: 11, range: 0...1)
    let x = randomTensor([3, 4], seed: 12, range: -2...2)
    let check = GradientCheck()
    let mismatches: [GradientCheck.Mismatch]
    switch c {
    case .mseMean: mismatches = check.check(loss: { Losses.meanSquaredError($0, target) }, input: x)
    case .mseSum: mismatches = check.check(loss: { Losses.meanSquaredError($0, target, reduction: .sum) }, input: x)
    case .bceWithLogitsMean:
        mismatches = check.check(loss: { Losses.binaryCrossEntropyWithLogits($0, target) }, input: x)
    case .bceWithLogitsSum:
        mismatches = check.check(loss: { Losses.binaryCrossEntropyWithLogits($0, target, reduction: .sum) }, input: x)
    case .crossEntropy:
        mismatches = check.check(loss: { Losses.crossEntropy($0, labels: [0, 3, 2]) }, input: x)
    case .gaussianKLMean:
        let lv = randomTensor([3, 4], seed: 13)
        mismatches = check.check(loss: { m in
            let k = Losses.gaussianKL(mean: m, logVariance: lv, reduction: .mean)
            return Loss(value: k.value, gradient: k.meanGradient)
        }, input: x)
    case .gaussianKLLogVariance:
        mismatches = check.check(loss: { lv in
            let k = Losses.gaussianKL(mean: x, logVariance: lv)
            return Loss(value: k.value, gradient: k.logVarianceGradient)
        }, input: randomTensor([3, 4], seed: 13))
    }
    #expect(mismatches.isEmpty, "\(c): \(mismatches.prefix(5))")
}
