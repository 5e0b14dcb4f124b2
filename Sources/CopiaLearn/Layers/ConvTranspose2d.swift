import CCopiaBLAS
import CopiaCore

/// A 2-D transposed convolution ("deconvolution") over NCHW batches: the adjoint of `Conv2d` with the same kernel,
/// stride and padding, computed as GEMM followed by col2im, a few samples per product, the batch shared between
/// `BLAS.setThreads(_:)` threads.
///
/// Weight `[in, out, k, k]` and bias `[out]` follow PyTorch's `nn.ConvTranspose2d`; the output is
/// `[batch, out, (H - 1) s - 2p + k, (W - 1) s - 2p + k]`.
public final class ConvTranspose2d: Layer, ParameterGradientSwitch {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
    public var isTraining = true
    var accumulatesParameterGradients = true
    private var geometry: ConvGeometry?
    private var input = Tensor(shape: [0])
    private let workspace = ConvolutionWorkspace()
    private let gradientParts = ConvolutionWorkspace()
    /// Tests only: threads and column-matrix floats per chunk, instead of `BLAS.setThreads(_:)`'s count and 1 MB.
    var threadsOverride: Int?, chunkBudgetOverride: Int?

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
        self.input = input
        let workers = max(1, min(BLAS.threads(threadsOverride), n))
        let chunk = g.chunkSize(workers: workers, budget: chunkBudgetOverride ?? 1 << 18)
        var workspaceShape = g.shape
        workspace.reserve(workers: workers,
                          floats: ccopia_conv_transpose2d_workspace(&workspaceShape, Int32(inChannels), Int32(chunk)))
        let inSize = inChannels * hin * win, outSize = outChannels * hout * wout
        let (inChannels, workspace) = (self.inChannels, self.workspace)
        return Tensor(shape: [n, outChannels, hout, wout]) { out in
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    withOptionalPointer(bias?.value) { b in
                        let (px, pw, pb, py) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: w.baseAddress),
                                                UInt(bitPattern: b), UInt(bitPattern: out.baseAddress))
                        Parallel.forEach(workers) { i in
                            let r = sampleRange(i, of: workers, batch: n)
                            var shape = g.shape
                            ccopia_conv_transpose2d_forward(&shape, Int32(inChannels), Int32(r.count), Int32(chunk),
                                                            UnsafePointer(bitPattern: px)! + r.lowerBound * inSize,
                                                            UnsafePointer(bitPattern: pw), UnsafePointer(bitPattern: pb),
                                                            UnsafeMutablePointer(bitPattern: py)! + r.lowerBound * outSize,
                                                            UnsafeMutablePointer(bitPattern: workspace.address(i)))
                        }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let g = geometry else { preconditionFailure("ConvTranspose2d.backward called before forward") }
        precondition(outputGradient.shape == [g.batch, outChannels, g.height, g.width],
                     "ConvTranspose2d.backward expects \([g.batch, outChannels, g.height, g.width]), got \(outputGradient.shape)")
        let accumulates = accumulatesParameterGradients
        let workers = max(1, min(BLAS.threads(threadsOverride), g.batch))
        if let bias, accumulates {
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                    let (pdy, pdb) = (UInt(bitPattern: dy.baseAddress), UInt(bitPattern: db.baseAddress))
                    let (batch, oc, spatial) = (Int32(g.batch), Int32(outChannels), g.height * g.width)
                    forEachChannelRange(outChannels, threads: workers) { first, last in
                        ccopia_channel_sums(UnsafePointer(bitPattern: pdy), batch, oc, spatial, first, last,
                                            UnsafeMutablePointer(bitPattern: pdb))
                    }
                }
            }
        }
        let chunk = g.chunkSize(workers: workers, budget: chunkBudgetOverride ?? 1 << 18)
        var workspaceShape = g.shape
        workspace.reserve(workers: workers,
                          floats: ccopia_conv_transpose2d_workspace(&workspaceShape, Int32(inChannels), Int32(chunk)))
        let weightCount = weight.value.count
        let partCount = accumulates ? workers : 1
        gradientParts.reserve(workers: partCount, floats: weightCount)
        for w in 1..<partCount { gradientParts.buffer(w).update(repeating: 0, count: weightCount) }
        let inSize = inChannels * g.outHeight * g.outWidth, outSize = outChannels * g.height * g.width
        let (ic, ws, parts, batch) = (Int32(inChannels), workspace, gradientParts, g.batch)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            self.input.scalars.withUnsafeBufferPointer { x in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    self.weight.value.scalars.withUnsafeBufferPointer { w in
                        self.weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                            let (px, pdy, pw, pdw, pdx) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: dy.baseAddress),
                                                           UInt(bitPattern: w.baseAddress), UInt(bitPattern: dw.baseAddress),
                                                           UInt(bitPattern: dx))
                            Parallel.forEach(workers) { i in
                                let r = sampleRange(i, of: workers, batch: batch)
                                var shape = g.shape
                                let dwi = !accumulates ? 0 : i == 0 ? pdw : parts.address(i)
                                ccopia_conv_transpose2d_backward(
                                    &shape, ic, Int32(r.count), Int32(chunk),
                                    UnsafePointer(bitPattern: px)! + r.lowerBound * inSize,
                                    UnsafePointer(bitPattern: pdy)! + r.lowerBound * outSize,
                                    UnsafePointer(bitPattern: pw), UnsafeMutablePointer(bitPattern: dwi),
                                    pdx == 0 ? nil : UnsafeMutablePointer(bitPattern: pdx)! + r.lowerBound * inSize,
                                    UnsafeMutablePointer(bitPattern: ws.address(i)))
                            }
                        }
                    }
                }
            }
        }
        var dx: Tensor? = nil
        if needsInputGradient {
            dx = Tensor(shape: input.shape) { body($0.baseAddress!) }
        } else {
            body(nil)
        }
        addPartials(parts, workers: partCount, count: weightCount, into: weight)
        return dx
    }
}
