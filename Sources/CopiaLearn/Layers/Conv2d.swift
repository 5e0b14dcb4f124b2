import CopiaCore

/// A 2-D convolution over NCHW batches with a square kernel, stride and zero padding, as im2col plus one GEMM per batch.
///
/// Weight `[out, in, k, k]` and bias `[out]` follow PyTorch's `nn.Conv2d`; the output is
/// `[batch, out, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]`. The column matrix is kept between steps as workspace.
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
    public var isTraining = true
    private var geometry: ConvGeometry?
    private var columns: [Float] = []
    private var inputShape: [Int] = []

    /// - Parameters:
    ///   - initializer: for the weight (default He uniform, fan-in `in * k * k`); the bias starts at zero.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, initializer: Initializer = .heUniform, rng: inout CounterRandom) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "Conv2d(\(inChannels), \(outChannels), k: \(kernelSize), s: \(stride), p: \(padding)): invalid")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let kk = kernelSize * kernelSize
        weight = Parameter(name: "weight", value: initializer.make(
            shape: [outChannels, inChannels, kernelSize, kernelSize], fanIn: inChannels * kk, fanOut: outChannels * kk,
            using: &rng))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(shape: [outChannels])) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inChannels,
                     "Conv2d(\(inChannels), \(outChannels)) expects [batch, \(inChannels), H, W], got \(input.shape)")
        let g = ConvGeometry(batch: input.shape[0], channels: inChannels, height: input.shape[2], width: input.shape[3],
                             kernel: kernelSize, stride: stride, padding: padding)
        precondition(g.outHeight > 0 && g.outWidth > 0, "Conv2d: kernel \(kernelSize) too large for input \(input.shape)")
        geometry = g
        inputShape = input.shape
        let needed = g.rows * g.columns
        if columns.count != needed { columns = [Float](repeating: 0, count: needed) }
        input.scalars.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { g.im2col(x.baseAddress!, into: $0.baseAddress!) }
        }
        let spatial = g.outHeight * g.outWidth
        let product = Tensor(shape: [outChannels, g.columns]) { y in
            weight.value.scalars.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { c in
                    BLAS.sgemm(m: outChannels, n: g.columns, k: g.rows, a: w.baseAddress!, b: c.baseAddress!,
                               c: y.baseAddress!)
                }
            }
        }
        return Tensor(shape: [g.batch, outChannels, g.outHeight, g.outWidth]) { out in
            product.scalars.withUnsafeBufferPointer { p in
                ChannelMajor.toBatchMajor(p.baseAddress!, batch: g.batch, channels: outChannels, spatial: spatial,
                                          into: out.baseAddress!)
            }
            if let bias { addChannelBias(bias.value, to: out, batch: g.batch, channels: outChannels, spatial: spatial) }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let g = geometry else { preconditionFailure("Conv2d.backward called before forward") }
        let spatial = g.outHeight * g.outWidth
        precondition(outputGradient.shape == [g.batch, outChannels, g.outHeight, g.outWidth],
                     "Conv2d.backward expects \([g.batch, outChannels, g.outHeight, g.outWidth]), got \(outputGradient.shape)")
        let dyP = Tensor(shape: [outChannels, g.columns]) { y in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                ChannelMajor.fromBatchMajor(dy.baseAddress!, batch: g.batch, channels: outChannels, spatial: spatial,
                                            into: y.baseAddress!)
            }
        }
        if let bias { accumulateChannelSums(dyP, into: bias) }
        // dW += dy · colsᵀ
        weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
            dyP.scalars.withUnsafeBufferPointer { dy in
                columns.withUnsafeBufferPointer { c in
                    BLAS.sgemm(transposeB: true, m: outChannels, n: g.rows, k: g.columns, a: dy.baseAddress!,
                               b: c.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
        }
        if !needsInputGradient { return nil }
        // dcols = Wᵀ · dy, written over the cached columns (no longer needed), then folded back.
        columns.withUnsafeMutableBufferPointer { c in
            weight.value.scalars.withUnsafeBufferPointer { w in
                dyP.scalars.withUnsafeBufferPointer { dy in
                    BLAS.sgemm(transposeA: true, m: g.rows, n: g.columns, k: outChannels, a: w.baseAddress!,
                               b: dy.baseAddress!, c: c.baseAddress!)
                }
            }
        }
        var dx = Tensor(shape: inputShape)
        dx.scalars.withUnsafeMutableBufferPointer { x in
            columns.withUnsafeBufferPointer { g.col2im($0.baseAddress!, into: x.baseAddress!) }
        }
        return dx
    }
}

/// Adds `bias[c]` to every position of channel `c` of an NCHW buffer.
func addChannelBias(_ bias: Tensor, to out: UnsafeMutableBufferPointer<Float>, batch: Int, channels: Int, spatial: Int) {
    bias.scalars.withUnsafeBufferPointer { b in
        for n in 0..<batch {
            for c in 0..<channels {
                let p = out.baseAddress! + (n * channels + c) * spatial
                let v = b[c]
                for i in 0..<spatial { p[i] += v }
            }
        }
    }
}

/// Adds the row sums of a `[channels, columns]` tensor into a bias gradient.
func accumulateChannelSums(_ x: Tensor, into bias: Parameter) {
    let channels = x.shape[0], columns = x.shape[1]
    x.scalars.withUnsafeBufferPointer { src in
        bias.gradient.scalars.withUnsafeMutableBufferPointer { g in
            for c in 0..<channels {
                var s: Float = 0
                let row = src.baseAddress! + c * columns
                for i in 0..<columns { s += row[i] }
                g[c] += s
            }
        }
    }
}
