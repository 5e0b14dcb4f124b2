import CCopiaBLAS
import CopiaCore

/// A 2-D convolution over NCHW batches with a square kernel, stride and zero padding, as im2col plus GEMM, a few samples
/// per product, the batch shared between `BLAS.setThreads(_:)` threads.
///
/// Weight `[out, in, k, k]` and bias `[out]` follow PyTorch's `nn.Conv2d`; the output is
/// `[batch, out, (H + 2p - k) / s + 1, (W + 2p - k) / s + 1]`. The input is kept for the backward pass, which
/// rebuilds the column matrix chunk by chunk instead of storing the whole batch's.
public final class Conv2d: Layer, ParameterGradientSwitch {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int
    public var isTraining = true
    var accumulatesParameterGradients = true
    private var geometry: ConvGeometry?
    private var input = Tensor(shape: [0])
    private let workspace = ConvolutionWorkspace()
    private let gradientParts = ConvolutionWorkspace()
    private var planes: LabelPlanes?
    private let planeBias = ConvolutionWorkspace()
    /// Tests only: threads and column-matrix floats per chunk, instead of `BLAS.setThreads(_:)`'s count and 1 MB.
    var threadsOverride: Int?, chunkBudgetOverride: Int?

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
        return forward(input, planes: nil)
    }

    /// As `forward` on `images` with `classCount` one-hot label planes appended as the last input channels
    /// (`ConditionalGAN`'s discriminator input), without building the planes: being constant, their part of the
    /// convolution is a bias per label and output position, and their weight gradient sums of the output gradient.
    /// This saves the planes' share of im2col and of the three products (10 of 11 input channels in the DCGAN).
    /// `backward` then returns the gradient of `images` only.
    func forward(_ images: Tensor, labels: [Int], classCount: Int) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] + classCount == inChannels && labels.count == images.shape[0],
                     "Conv2d(\(inChannels), \(outChannels)): \(images.shape) with \(classCount) label planes for \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount }, "Conv2d: labels outside 0..<\(classCount)")
        return forward(images, planes: LabelPlanes(labels: labels.map { Int32($0) }, count: classCount))
    }

    /// One-hot label planes that stand for the last `count` input channels.
    private struct LabelPlanes {
        var labels: [Int32], count: Int
    }

    private func forward(_ input: Tensor, planes: LabelPlanes?) -> Tensor {
        let g = ConvGeometry(batch: input.shape[0], channels: input.shape[1], height: input.shape[2],
                             width: input.shape[3], kernel: kernelSize, stride: stride, padding: padding)
        precondition(g.outHeight > 0 && g.outWidth > 0, "Conv2d: kernel \(kernelSize) too large for input \(input.shape)")
        geometry = g
        self.input = input
        self.planes = planes
        let workers = max(1, min(BLAS.threads(threadsOverride), g.batch))
        let chunk = g.chunkSize(workers: workers, budget: chunkBudgetOverride ?? 1 << 18)
        var workspaceShape = g.shape
        workspace.reserve(workers: workers, floats: ccopia_conv2d_workspace(&workspaceShape, Int32(outChannels), Int32(chunk)))
        let spatial = g.outHeight * g.outWidth
        let inSize = g.channels * g.height * g.width, outSize = outChannels * spatial
        let (oc, ldw, workspace, batch) = (Int32(outChannels), Int32(inChannels * kernelSize * kernelSize), workspace, g.batch)
        if let planes {
            planeBias.reserve(workers: 1, floats: planes.count * outSize)
            weight.value.scalars.withUnsafeBufferPointer { w in
                withOptionalPointer(bias?.value) { b in
                    let (pw, pb, pp, count) = (UInt(bitPattern: w.baseAddress), UInt(bitPattern: b), planeBias.address(0),
                                               Int32(planes.count))
                    forEachChannelRange(outChannels, threads: workers) { first, last in
                        var shape = g.shape
                        ccopia_conv2d_plane_bias(&shape, oc, first, last, count, Int32(g.channels),
                                                 UnsafePointer(bitPattern: pw), ldw, UnsafePointer(bitPattern: pb),
                                                 UnsafeMutablePointer(bitPattern: pp))
                    }
                }
            }
        }
        let planeBiasAddress = planes == nil ? 0 : planeBias.address(0)
        let labels = planes?.labels ?? []
        return Tensor(shape: [g.batch, outChannels, g.outHeight, g.outWidth]) { out in
            input.scalars.withUnsafeBufferPointer { x in
                weight.value.scalars.withUnsafeBufferPointer { w in
                    withOptionalPointer(bias?.value) { b in
                        labels.withUnsafeBufferPointer { l in
                            let (px, pw, pb, py) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: w.baseAddress),
                                                    UInt(bitPattern: b), UInt(bitPattern: out.baseAddress))
                            let pl = UInt(bitPattern: l.baseAddress)
                            Parallel.forEach(workers) { i in
                                let r = sampleRange(i, of: workers, batch: batch)
                                var shape = g.shape
                                ccopia_conv2d_forward(&shape, oc, Int32(r.count), Int32(chunk),
                                                      UnsafePointer(bitPattern: px)! + r.lowerBound * inSize,
                                                      UnsafePointer(bitPattern: pw), ldw, UnsafePointer(bitPattern: pb),
                                                      UnsafePointer(bitPattern: planeBiasAddress),
                                                      UnsafePointer<Int32>(bitPattern: pl).map { $0 + r.lowerBound },
                                                      UnsafeMutablePointer(bitPattern: py)! + r.lowerBound * outSize,
                                                      UnsafeMutablePointer(bitPattern: workspace.address(i)))
                            }
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
        guard let g = geometry else { preconditionFailure("Conv2d.backward called before forward") }
        precondition(outputGradient.shape == [g.batch, outChannels, g.outHeight, g.outWidth],
                     "Conv2d.backward expects \([g.batch, outChannels, g.outHeight, g.outWidth]), got \(outputGradient.shape)")
        let spatial = g.outHeight * g.outWidth
        let accumulates = accumulatesParameterGradients
        let workers = max(1, min(BLAS.threads(threadsOverride), g.batch))
        let (batch, oc) = (Int32(g.batch), Int32(outChannels))
        if let bias, accumulates {
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                bias.gradient.scalars.withUnsafeMutableBufferPointer { db in
                    let (pdy, pdb) = (UInt(bitPattern: dy.baseAddress), UInt(bitPattern: db.baseAddress))
                    forEachChannelRange(outChannels, threads: workers) { first, last in
                        ccopia_channel_sums(UnsafePointer(bitPattern: pdy), batch, oc, spatial, first, last,
                                            UnsafeMutablePointer(bitPattern: pdb))
                    }
                }
            }
        }
        let ldw = Int32(inChannels * kernelSize * kernelSize)
        if let planes, accumulates {
            planeBias.reserve(workers: 1, floats: planes.count * outChannels * spatial)
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                    planes.labels.withUnsafeBufferPointer { l in
                        let (pdy, pdw, pl, pz) = (UInt(bitPattern: dy.baseAddress), UInt(bitPattern: dw.baseAddress),
                                                  UInt(bitPattern: l.baseAddress), planeBias.address(0))
                        let (count, channels) = (Int32(planes.count), Int32(g.channels))
                        forEachChannelRange(outChannels, threads: workers) { first, last in
                            var shape = g.shape
                            ccopia_conv2d_plane_weight_gradient(&shape, oc, first, last, batch, UnsafePointer(bitPattern: pl),
                                                                count, channels, UnsafePointer(bitPattern: pdy),
                                                                UnsafeMutablePointer(bitPattern: pdw), ldw,
                                                                UnsafeMutablePointer(bitPattern: pz))
                        }
                    }
                }
            }
        }
        let chunk = g.chunkSize(workers: workers, budget: chunkBudgetOverride ?? 1 << 18)
        var workspaceShape = g.shape
        workspace.reserve(workers: workers, floats: ccopia_conv2d_workspace(&workspaceShape, Int32(outChannels), Int32(chunk)))
        let weightCount = weight.value.count
        let partCount = accumulates ? workers : 1
        gradientParts.reserve(workers: partCount, floats: weightCount)
        for w in 1..<partCount { gradientParts.buffer(w).update(repeating: 0, count: weightCount) }
        let inSize = g.channels * g.height * g.width, outSize = outChannels * spatial
        let (ic, ws, parts) = (Int32(g.channels), workspace, gradientParts)
        let body = { (dx: UnsafeMutablePointer<Float>?) in
            self.input.scalars.withUnsafeBufferPointer { x in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    self.weight.value.scalars.withUnsafeBufferPointer { w in
                        self.weight.gradient.scalars.withUnsafeMutableBufferPointer { dw in
                            let (px, pdy, pw, pdw, pdx) = (UInt(bitPattern: x.baseAddress), UInt(bitPattern: dy.baseAddress),
                                                           UInt(bitPattern: w.baseAddress), UInt(bitPattern: dw.baseAddress),
                                                           UInt(bitPattern: dx))
                            Parallel.forEach(workers) { i in
                                let r = sampleRange(i, of: workers, batch: g.batch)
                                var shape = g.shape
                                let dwi = !accumulates ? 0 : i == 0 ? pdw : parts.address(i)
                                ccopia_conv2d_backward(&shape, oc, Int32(r.count), Int32(chunk),
                                                       UnsafePointer(bitPattern: px)! + r.lowerBound * inSize,
                                                       UnsafePointer(bitPattern: pdy)! + r.lowerBound * outSize,
                                                       UnsafePointer(bitPattern: pw), ldw,
                                                       UnsafeMutablePointer(bitPattern: dwi), ic,
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

/// Calls `body` with the address of `tensor`'s scalars, or with nil when there is no tensor.
func withOptionalPointer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.scalars.withUnsafeBufferPointer { body($0.baseAddress) }
}
