import CopiaCore
import Testing
@testable import CopiaLearn

/// A deliberately wrong backward pass, to show the gradient check can fail.
final class DoublingGradient: Layer {
    var isTraining = true
    func forward(_ input: Tensor) -> Tensor { input.map { $0 * $0 } }
    var input = Tensor(shape: [0])
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient * 3 }
}

@Test func gradientCheckRejectsAWrongBackwardPass() {
    let mismatches = GradientCheck().check(layer: DoublingGradient(), input: randomTensor([2, 3]))
    #expect(mismatches.count == 6)
}

@Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
func matmulMatchesNaiveProduct(transposeA: Bool, transposeB: Bool) {
    let (m, k, n) = (5, 7, 3)
    let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
    let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
    let c = a.matmul(b, transposeSelf: transposeA, transposeOther: transposeB)
    #expect(c.shape == [m, n])
    for i in 0..<m {
        for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += (transposeA ? a[p, i] : a[i, p]) * (transposeB ? b[j, p] : b[p, j]) }
            #expect(abs(c[i, j] - s) < 1e-5)
        }
    }
    var acc = Tensor(shape: [m, n], repeating: 1)
    acc.addMatmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: 2)
    #expect(acc.maxAbsDifference(c * 2 + Tensor(shape: [m, n], repeating: 1)) < 1e-5)
}

@Test func linearComputesAffineMap() {
    var rng = CounterRandom(seed: 1, stage: "t", sample: "t")
    let l = Linear(2, 2, rng: &rng)
    l.weight.value = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    l.bias!.value = Tensor(shape: [2], scalars: [10, 20])
    let y = l(Tensor(shape: [1, 2], scalars: [1, 1]))
    #expect(y.scalars == [13, 27])
}

/// Direct convolution, the definition, for comparing the im2col path.
func directConvolution(_ x: Tensor, weight: Tensor, bias: Tensor, stride: Int, padding: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, k) = (weight.shape[0], weight.shape[2])
    let ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1
    var y = Tensor(shape: [n, o, ho, wo])
    for b in 0..<n { for oc in 0..<o { for oy in 0..<ho { for ox in 0..<wo {
        var s = bias[oc]
        for ic in 0..<c { for ky in 0..<k { for kx in 0..<k {
            let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
            if iy >= 0 && iy < h && ix >= 0 && ix < w { s += x[b, ic, iy, ix] * weight[oc, ic, ky, kx] }
        } } }
        y[b, oc, oy, ox] = s
    } } } }
    return y
}

@Test(arguments: [(3, 1, 0), (4, 2, 1), (3, 2, 1), (1, 1, 0)])
func conv2dMatchesDirectConvolution(kernel: Int, stride: Int, padding: Int) {
    var rng = CounterRandom(seed: 2, stage: "t", sample: "conv")
    let conv = Conv2d(3, 4, kernelSize: kernel, stride: stride, padding: padding, rng: &rng)
    conv.bias!.value = randomTensor([4], seed: 3)
    let x = randomTensor([2, 3, 7, 6], seed: 4)
    let expected = directConvolution(x, weight: conv.weight.value, bias: conv.bias!.value, stride: stride, padding: padding)
    let y = conv(x)
    #expect(y.shape == expected.shape)
    #expect(y.maxAbsDifference(expected) < 1e-4)
}

@Test(arguments: [(4, 2, 1), (3, 1, 0), (3, 2, 0)])
func convTransposeScattersEachInputThroughTheKernel(kernel: Int, stride: Int, padding: Int) {
    var rng = CounterRandom(seed: 2, stage: "t", sample: "convT")
    let layer = ConvTranspose2d(3, 2, kernelSize: kernel, stride: stride, padding: padding, rng: &rng)
    layer.bias!.value = randomTensor([2], seed: 3)
    let x = randomTensor([2, 3, 4, 3], seed: 5)
    let ho = (4 - 1) * stride - 2 * padding + kernel, wo = (3 - 1) * stride - 2 * padding + kernel
    var expected = Tensor(shape: [2, 2, ho, wo])
    for b in 0..<2 { for oc in 0..<2 { for y in 0..<ho { for xx in 0..<wo { expected[b, oc, y, xx] = layer.bias!.value[oc] } } } }
    for b in 0..<2 { for ic in 0..<3 { for iy in 0..<4 { for ix in 0..<3 { for oc in 0..<2 {
        for ky in 0..<kernel { for kx in 0..<kernel {
            let oy = iy * stride - padding + ky, ox = ix * stride - padding + kx
            if oy >= 0 && oy < ho && ox >= 0 && ox < wo {
                expected[b, oc, oy, ox] += x[b, ic, iy, ix] * layer.weight.value[ic, oc, ky, kx]
            }
        } }
    } } } } }
    let y = layer(x)
    #expect(y.shape == [2, 2, ho, wo])
    #expect(y.maxAbsDifference(expected) < 1e-4)
}

@Test func batchNormStandardisesEachChannelInTraining() {
    let bn = BatchNorm2d(3)
    let y = bn(randomTensor([4, 3, 5, 5], seed: 8, range: 2...6))
    for c in 0..<3 {
        var values: [Float] = []
        for b in 0..<4 { for i in 0..<5 { for j in 0..<5 { values.append(y[b, c, i, j]) } } }
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)
        #expect(abs(mean) < 1e-4)
        #expect(abs(variance - 1) < 1e-3)
    }
    #expect(bn.runningMean.value.scalars.allSatisfy { $0 > 0.3 && $0 < 0.5 })  // 0.1 × ≈4
}

@Test func dropoutIsIdentityInEvaluationAndKeepsExpectationInTraining() {
    let d = Dropout(probability: 0.25, seed: 5)
    let x = Tensor(shape: [100, 100], repeating: 1)
    let y = d(x)
    #expect(abs(y.mean() - 1) < 0.02)
    #expect(Set(y.scalars) == [0, Float(1 / 0.75)])
    d.isTraining = false
    #expect(d(x) == x)
}

@Test func embeddingLooksUpRows() {
    var rng = CounterRandom(seed: 1, stage: "t", sample: "e")
    let e = Embedding(4, 2, rng: &rng)
    let y = e(Tensor(shape: [2], scalars: [3, 1]))
    #expect(y.shape == [2, 2])
    #expect(y.scalars == [e.weight.value[3, 0], e.weight.value[3, 1], e.weight.value[1, 0], e.weight.value[1, 1]])
}

@Test func sameSeedGivesSameWeightsAndDifferentSeedsDiffer() {
    func make(_ seed: UInt64) -> Sequential {
        var rng = CounterRandom(seed: seed, stage: "init", sample: "mlp")
        return Sequential(Linear(8, 16, initializer: .heNormal, rng: &rng), ReLU(), Linear(16, 4, rng: &rng))
    }
    let a = make(1), b = make(1), c = make(2)
    #expect(a.allParameters.map(\.value) == b.allParameters.map(\.value))
    #expect(a.allParameters[0].value != c.allParameters[0].value)
    #expect(a.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
}

@Test func glorotAndHeHaveTheirStatedSpread() {
    var rng = CounterRandom(seed: 1, stage: "t", sample: "init")
    let g = Initializer.glorotUniform.make(shape: [200, 300], fanIn: 300, fanOut: 200, using: &rng)
    let bound = Float((6.0 / 500).squareRoot())
    #expect(g.scalars.allSatisfy { abs($0) <= bound })
    #expect(abs(g.squaredNorm() / Double(g.count) - Double(bound * bound) / 3) < 1e-3)
    let h = Initializer.heNormal.make(shape: [200, 300], fanIn: 300, fanOut: 200, using: &rng)
    #expect(abs(h.squaredNorm() / Double(h.count) - 2.0 / 300) < 3e-4)
}

@Test func tensorValidatesShapesFromOutside() {
    #expect(throws: LearnError.shapeMismatch(context: "batch", expected: [2, 3], got: [5])) {
        try Tensor(validatingShape: [2, 3], scalars: [1, 2, 3, 4, 5], context: "batch")
    }
}

@Test func concatenateAndSplitAreInverse() {
    let a = randomTensor([2, 3, 2], seed: 1), b = randomTensor([2, 1, 2], seed: 2)
    let c = Tensor.concatenate([a, b])
    #expect(c.shape == [2, 4, 2])
    let parts = c.split(sizes: [3, 1])
    #expect(parts[0] == a && parts[1] == b)
}
