import CopiaCore

/// A 2-D transposed convolution ("deconvolution") over NCHW batches: the adjoint of `Conv2d` with the same kernel,
/// stride and padding, computed as one GEMM followed by col2im.
///
/// Weight `[in, out, k, k]` and bias `[out]` follow PyTorch's `nn.ConvTranspose2d`; the output is
/// `[batch, out, (H - 1) s - 2p + k, (W - 1) s - 2p + k]`.
public final class ConvTranspose2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
    public var isTraining = true
    private var geometry: ConvGeometry?
    private var inputP: [Float] = []
    private var columns: [Float] = []

    /// - Parameters:
    ///   - initializer: for the weight (default He uniform, fan-in `out * k * k` as PyTorch computes it for this
    ///     layout); the bias starts at zero.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, initializer: Initializer = .heUniform, rng: inout CounterRandom) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
                     "ConvTranspose2d(\(inChannels), \(outChannels), k: \(kernelSize), s: \(stride), p: \(padding)): invalid")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        let kk = kernelSize * kernelSize
        weight = Parameter(name: "weight", value: initializer.make(
            shape: [inChannels, outChannels, kernelSize, kernelSize], fanIn: outChannels * kk, fanOut: inChannels * kk,
            using: &rng))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(shape: [outChannels])) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == inChannels,
                     "ConvTranspose2d(\(inChannels), \(outChannels)) expects [batch, \(inChannels), H, W], got \(input.shape)")
        let (n, hin, win) = (input.shape[0], input.shape[2], input.shape[3])
        let hout = (hin - 1) * stride - 2 * padding + kernelSize
        let wout = (win - 1) * stride - 2 * padding + kernelSize
        precondition(hout > 0 && wout > 0, "ConvTranspose2d: output would be empty for input \(input.shape)")
        // The output plays the role of a convolution's input whose output is the layer's input.
        let g = ConvGeometry(batch: n, channels: outChannels, height: hout, width: wout, kernel: kernelSize,
                             stride: stride, padding: padding)
        precondition(g.outHeight == hin && g.outWidth == win, "ConvTranspose2d: inconsistent geometry for \(input.shape)")
        geometry = g
        let spatialIn = hin * win
        if inputP.count != input.count { inputP = [Float](repeating: 0, count: input.count) }
        if columns.count != g.rows * g.columns { columns = [Float](repeating: 0, count: g.rows * g.columns) }
        input.scalars.withUnsafeBufferPointer { x in
            inputP.withUnsafeMutableBufferPointer { y in
                ChannelMajor.fromBatchMajor(x.baseAddress!, batch: n, channels: inChannels, spatial: spatialIn,
                                            into: y.baseAddress!)
            }
        }
        // cols [out k k, n hin win] = Wᵀ [out k k, in] · x [in, n hin win]
        columns.withUnsafeMutableBufferPointer { c in
            weight.value.scalars.withUnsafeBufferPointer { w in
                inputP.withUnsafeBufferPointer { x in
                    BLAS.sgemm(transposeA: true, m: g.rows, n: g.columns, k: inChannels, a: w.baseAddress!,
                               b: x.baseAddress!, c: c.baseAddress!)
                }
            }
        }
        var out = Tensor(shape: [n, outChannels, hout, wout])
        out.scalars.withUnsafeMutableBufferPointer { o in
            columns.withUnsafeBufferPointer { g.col2im($0.baseAddress!, into: o.baseAddress!) }
            if let bias { addChannelBias(bias.value, to: o, batch: n, channels: outChannels, spatial: hout * wout) }
        }
        return out
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("ConvTranspose2d.backward called before forward") }
        precondition(outputGradient.shape == [g.batch, outChannels, g.height, g.width],
                     "ConvTranspose2d.backward expects \([g.batch, outChannels, g.height, g.width]), got \(outputGradient.shape)")
        if let bias {
            let spatial = g.height * g.width
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                    for b in 0..<g.batch {
                        for c in 0..<outChannels {
                            let p = dy.baseAddress! + (b * outChannels + c) * spatial
                            var s: Float = 0
                            for i in 0..<spatial { s += p[i] }
                            db[c] += s
                        }
                    }
                }
            }
        }
        // dcols = im2col(dy), reusing the forward columns' buffer.
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            columns.withUnsafeMutableBufferPointer { g.im2col(dy.baseAddress!, into: $0.baseAddress!) }
        }
        // dW [in, out k k] += x [in, n hw] · dcolsᵀ
        weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
            inputP.withUnsafeBufferPointer { x in
                columns.withUnsafeBufferPointer { c in
                    BLAS.sgemm(transposeB: true, m: inChannels, n: g.rows, k: g.columns, a: x.baseAddress!,
                               b: c.baseAddress!, beta: 1, c: dw.baseAddress!)
                }
            }
        }
        // dx [in, n hw] = W [in, out k k] · dcols
        let dxP = Tensor(shape: [inChannels, g.columns]) { y in
            weight.value.scalars.withUnsafeBufferPointer { w in
                columns.withUnsafeBufferPointer { c in
                    BLAS.sgemm(m: inChannels, n: g.columns, k: g.rows, a: w.baseAddress!, b: c.baseAddress!,
                               c: y.baseAddress!)
                }
            }
        }
        return Tensor(shape: [g.batch, inChannels, g.outHeight, g.outWidth]) { dx in
            dxP.scalars.withUnsafeBufferPointer { p in
                ChannelMajor.toBatchMajor(p.baseAddress!, batch: g.batch, channels: inChannels,
                                          spatial: g.outHeight * g.outWidth, into: dx.baseAddress!)
            }
        }
    }
}
