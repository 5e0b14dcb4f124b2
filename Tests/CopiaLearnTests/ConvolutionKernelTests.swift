import CopiaCore
import Testing
@testable import CopiaLearn

/// im2col by its definition: one branch per element, padding reads zero.
func referenceIm2col(_ x: [Float], _ g: ConvGeometry) -> [Float] {
    var cols = [Float](repeating: .nan, count: g.rows * g.columns)
    for c in 0..<g.channels { for ky in 0..<g.kernel { for kx in 0..<g.kernel {
        let row = (c * g.kernel + ky) * g.kernel + kx
        for b in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
            let inside = iy >= 0 && iy < g.height && ix >= 0 && ix < g.width
            let column = (b * g.outHeight + oy) * g.outWidth + ox
            cols[row * g.columns + column] = inside ? x[((b * g.channels + c) * g.height + iy) * g.width + ix] : 0
        } } }
    } } }
    return cols
}

/// col2im by its definition: every column entry added to the pixel it was read from.
func referenceCol2im(_ cols: [Float], _ g: ConvGeometry) -> [Float] {
    var x = [Float](repeating: 0, count: g.batch * g.channels * g.height * g.width)
    for c in 0..<g.channels { for ky in 0..<g.kernel { for kx in 0..<g.kernel {
        let row = (c * g.kernel + ky) * g.kernel + kx
        for b in 0..<g.batch { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
            guard iy >= 0 && iy < g.height && ix >= 0 && ix < g.width else { continue }
            x[((b * g.channels + c) * g.height + iy) * g.width + ix] +=
                cols[row * g.columns + (b * g.outHeight + oy) * g.outWidth + ox]
        } } }
    } } }
    return x
}

/// (batch, channels, height, width, kernel, stride, padding): odd sizes, padding wider than a stride, 1x1, stride 3.
let convolutionGeometries: [ConvGeometry] = [
    (2, 3, 7, 6, 3, 1, 0), (3, 2, 5, 8, 4, 2, 1), (1, 1, 9, 9, 3, 3, 2), (2, 4, 6, 5, 1, 1, 0),
    (2, 2, 5, 5, 5, 2, 2), (1, 3, 4, 4, 3, 1, 1), (2, 11, 28, 28, 4, 2, 1), (1, 2, 3, 11, 2, 2, 0),
].map { ConvGeometry(batch: $0.0, channels: $0.1, height: $0.2, width: $0.3, kernel: $0.4, stride: $0.5, padding: $0.6) }

@Test(arguments: convolutionGeometries)
func im2colKernelEqualsTheDefinition(_ g: ConvGeometry) {
    let x = randomTensor([g.batch, g.channels, g.height, g.width], seed: 11).scalars
    var cols = [Float](repeating: .nan, count: g.rows * g.columns)
    x.withUnsafeBufferPointer { xp in cols.withUnsafeMutableBufferPointer { g.im2col(xp.baseAddress!, into: $0.baseAddress!) } }
    #expect(cols == referenceIm2col(x, g))
}

@Test(arguments: convolutionGeometries)
func col2imKernelSumsWhatIm2colRead(_ g: ConvGeometry) {
    let cols = randomTensor([g.rows, g.columns], seed: 12).scalars
    var x = [Float](repeating: .nan, count: g.batch * g.channels * g.height * g.width)
    cols.withUnsafeBufferPointer { cp in x.withUnsafeMutableBufferPointer { g.col2im(cp.baseAddress!, into: $0.baseAddress!) } }
    let expected = referenceCol2im(cols, g)
    #expect(zip(x, expected).allSatisfy { abs($0 - $1) <= 1e-5 })
}

/// Forward output, input gradient and parameter gradients of one forward/backward pass.
func convolutionPass(_ layer: any Layer, _ x: Tensor, _ dy: Tensor) -> [Tensor] {
    for p in layer.parameters { p.gradient = Tensor(shape: p.value.shape) }
    let y = layer.forward(x)
    let dx = layer.backward(dy)
    return [y, dx] + layer.parameters.map(\.gradient)
}

/// Threads 1, 2 and 3 with whole-share and one-sample chunks agree to rounding; the same setting twice, to the bit.
@Test(arguments: [false, true])
func convolutionsAgreeAcrossThreadsAndChunks(transposed: Bool) {
    var rng = CounterRandom(seed: 3, stage: "t", sample: "threads")
    let conv = Conv2d(5, 6, kernelSize: 4, stride: 2, padding: 1, rng: &rng)
    let convT = ConvTranspose2d(5, 6, kernelSize: 4, stride: 2, padding: 1, rng: &rng)
    conv.bias!.value = randomTensor([6], seed: 13)
    convT.bias!.value = randomTensor([6], seed: 14)
    let x = randomTensor([7, 5, 9, 8], seed: 15)
    let dy = randomTensor(transposed ? [7, 6, 18, 16] : [7, 6, 4, 4], seed: 16)
    func run(threads: Int, budget: Int?) -> [Tensor] {
        if transposed {
            convT.threadsOverride = threads
            convT.chunkBudgetOverride = budget
            return convolutionPass(convT, x, dy)
        }
        conv.threadsOverride = threads
        conv.chunkBudgetOverride = budget
        return convolutionPass(conv, x, dy)
    }
    let reference = run(threads: 1, budget: nil)
    for (threads, budget) in [(2, 1), (3, nil), (2, 2000)] {
        let result = run(threads: threads, budget: budget)
        for (a, b) in zip(result, reference) { #expect(a.maxAbsDifference(b) < 1e-4) }
        #expect(run(threads: threads, budget: budget) == result)
    }
}

/// A product split into row or column blocks between threads equals the single-threaded one, for every transpose.
@Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
func splitProductEqualsSingleThreadedProduct(transposeA: Bool, transposeB: Bool) {
    for (m, n, k) in [(70, 33, 9), (20, 90, 5), (16, 16, 3)] {
        let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 21), b = randomTensor(transposeB ? [n, k] : [k, n], seed: 22)
        var results: [[Float]] = []
        for workers in [1, 2, 3] {
            var c = randomTensor([m, n], seed: 23).scalars
            a.scalars.withUnsafeBufferPointer { ap in b.scalars.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer {
                BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!,
                           b: bp.baseAddress!, beta: 2, c: $0.baseAddress!, workers: workers, threshold: 0)
            } } }
            results.append(c)
        }
        #expect(results[1] == results[0])
        #expect(results[2] == results[0])
    }
}

/// Label planes given as labels give the output, weight and bias gradients, and image gradient of the planes built.
@Test(arguments: [(1, 3, 4, 2, 1, 1), (2, 2, 3, 1, 0, 2), (1, 4, 3, 2, 2, 2)])
func labelPlanesAsBiasesEqualBuiltPlanes(imageChannels: Int, classes: Int, kernel: Int, stride: Int, padding: Int,
                                         threads: Int) {
    var rng = CounterRandom(seed: 4, stage: "t", sample: "planes")
    let (n, h, w) = (5, 9, 8)
    let built = Conv2d(imageChannels + classes, 6, kernelSize: kernel, stride: stride, padding: padding, rng: &rng)
    built.bias!.value = randomTensor([6], seed: 31)
    let given = Conv2d(imageChannels + classes, 6, kernelSize: kernel, stride: stride, padding: padding, rng: &rng)
    given.weight.value = built.weight.value
    given.bias!.value = built.bias!.value
    (built.threadsOverride, given.threadsOverride) = (threads, threads)
    let images = randomTensor([n, imageChannels, h, w], seed: 32)
    let labels = (0..<n).map { ($0 * 7 + 1) % classes }
    var planes = Tensor(shape: [n, classes, h, w])
    for (i, l) in labels.enumerated() { for y in 0..<h { for x in 0..<w { planes[i, l, y, x] = 1 } } }

    let expected = built(Tensor.concatenate([images, planes]))
    let y = given.forward(images, labels: labels, classCount: classes)
    #expect(y.shape == expected.shape)
    #expect(y.maxAbsDifference(expected) < 1e-4)

    let dy = randomTensor(y.shape, seed: 33)
    let expectedDx = built.backward(dy).split(sizes: [imageChannels, classes])[0]
    let dx = given.backward(dy)
    #expect(dx.shape == expectedDx.shape)
    #expect(dx.maxAbsDifference(expectedDx) < 1e-4)
    #expect(given.weight.gradient.maxAbsDifference(built.weight.gradient) < 1e-3)
    #expect(given.bias!.gradient.maxAbsDifference(built.bias!.gradient) < 1e-3)
}
