/// Batch normalisation over the batch (and spatial) axes per feature or channel (Ioffe & Szegedy, 2015).
///
/// Training uses the batch's mean and biased variance and updates running estimates
/// (`running = (1 - momentum) running + momentum batch`, unbiased variance, as PyTorch); evaluation uses the running
/// estimates. `BatchNorm1d` takes `[batch, features]`, `BatchNorm2d` takes `[batch, channels, H, W]`.
public class BatchNorm: Layer {
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVariance: Parameter
    public let features: Int
    public let epsilon: Float
    public let momentum: Float
    public var isTraining = true
    private let expectedRank: Int
    private var normalized = Tensor(shape: [0])
    private var inverseStd: [Float] = []

    init(features: Int, rank: Int, epsilon: Float, momentum: Float) {
        precondition(features > 0, "BatchNorm needs a positive feature count, got \(features)")
        self.features = features
        self.epsilon = epsilon
        self.momentum = momentum
        expectedRank = rank
        gamma = Parameter(name: "weight", value: Tensor(shape: [features], repeating: 1))
        beta = Parameter(name: "bias", value: Tensor(shape: [features]))
        runningMean = Parameter(name: "running_mean", value: Tensor(shape: [features]))
        runningVariance = Parameter(name: "running_var", value: Tensor(shape: [features], repeating: 1))
    }

    public var parameters: [Parameter] { [gamma, beta] }
    public var buffers: [Parameter] { [runningMean, runningVariance] }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == expectedRank && input.shape[1] == features,
                     "\(type(of: self))(\(features)) expects rank \(expectedRank) with \(features) at dimension 1, got \(input.shape)")
        let n = input.shape[0], c = features, s = input.shape.dropFirst(2).reduce(1, *)
        let m = n * s
        precondition(!isTraining || m > 1, "\(type(of: self)) in training mode needs more than one value per channel, got \(input.shape)")
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        input.scalars.withUnsafeBufferPointer { x in
            if isTraining {
                for b in 0..<n {
                    for ch in 0..<c {
                        let p = x.baseAddress! + (b * c + ch) * s
                        var sum = 0.0
                        for i in 0..<s { sum += Double(p[i]) }
                        mean[ch] += sum
                    }
                }
                for ch in 0..<c { mean[ch] /= Double(m) }
                for b in 0..<n {
                    for ch in 0..<c {
                        let p = x.baseAddress! + (b * c + ch) * s
                        let mu = mean[ch]
                        var sum = 0.0
                        for i in 0..<s { let d = Double(p[i]) - mu; sum += d * d }
                        variance[ch] += sum
                    }
                }
                for ch in 0..<c { variance[ch] /= Double(m) }
                let mom = momentum
                runningMean.value.scalars.withUnsafeMutableBufferPointer { rm in
                    runningVariance.value.scalars.withUnsafeMutableBufferPointer { rv in
                        for ch in 0..<c {
                            rm[ch] = (1 - mom) * rm[ch] + mom * Float(mean[ch])
                            rv[ch] = (1 - mom) * rv[ch] + mom * Float(variance[ch] * Double(m) / Double(m - 1))
                        }
                    }
                }
            } else {
                for ch in 0..<c {
                    mean[ch] = Double(runningMean.value.scalars[ch])
                    variance[ch] = Double(runningVariance.value.scalars[ch])
                }
            }
        }
        inverseStd = variance.map { Float(1 / ($0 + Double(epsilon)).squareRoot()) }
        let meanF = mean.map { Float($0) }
        normalized = Tensor(shape: input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                for b in 0..<n {
                    for ch in 0..<c {
                        let o = (b * c + ch) * s
                        let mu = meanF[ch], inv = inverseStd[ch]
                        for i in 0..<s { out[o + i] = (x[o + i] - mu) * inv }
                    }
                }
            }
        }
        return Tensor(shape: input.shape) { out in
            normalized.scalars.withUnsafeBufferPointer { xh in
                for b in 0..<n {
                    for ch in 0..<c {
                        let o = (b * c + ch) * s
                        let gm = gamma.value.scalars[ch], bt = beta.value.scalars[ch]
                        for i in 0..<s { out[o + i] = xh[o + i] * gm + bt }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == normalized.shape,
                     "\(type(of: self)).backward expects \(normalized.shape), got \(outputGradient.shape)")
        let shape = normalized.shape
        let n = shape[0], c = features, s = shape.dropFirst(2).reduce(1, *)
        let m = Float(n * s)
        var sumDy = [Float](repeating: 0, count: c), sumDyXh = [Float](repeating: 0, count: c)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            normalized.scalars.withUnsafeBufferPointer { xh in
                for b in 0..<n {
                    for ch in 0..<c {
                        let o = (b * c + ch) * s
                        var a: Float = 0, bb: Float = 0
                        for i in 0..<s { a += dy[o + i]; bb += dy[o + i] * xh[o + i] }
                        sumDy[ch] += a
                        sumDyXh[ch] += bb
                    }
                }
            }
        }
        for ch in 0..<c {
            beta.gradient.scalars[ch] += sumDy[ch]
            gamma.gradient.scalars[ch] += sumDyXh[ch]
        }
        let training = isTraining
        return Tensor(shape: shape) { dx in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                normalized.scalars.withUnsafeBufferPointer { xh in
                    for b in 0..<n {
                        for ch in 0..<c {
                            let o = (b * c + ch) * s
                            let k = gamma.value.scalars[ch] * inverseStd[ch]
                            if training {
                                // dx = γ/σ (dy - mean(dy) - x̂ mean(dy x̂))
                                let a = sumDy[ch] / m, bb = sumDyXh[ch] / m
                                for i in 0..<s { dx[o + i] = k * (dy[o + i] - a - xh[o + i] * bb) }
                            } else {
                                for i in 0..<s { dx[o + i] = k * dy[o + i] }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Batch normalisation of `[batch, features]` (see `BatchNorm`).
public final class BatchNorm1d: BatchNorm {
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        super.init(features: features, rank: 2, epsilon: epsilon, momentum: momentum)
    }
}

/// Batch normalisation of `[batch, channels, H, W]` per channel (see `BatchNorm`).
public final class BatchNorm2d: BatchNorm {
    public init(_ channels: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        super.init(features: channels, rank: 4, epsilon: epsilon, momentum: momentum)
    }
}

/// Layer normalisation over the last dimension, with a learned scale and shift (Ba, Kiros & Hinton, 2016).
/// Behaves the same in training and evaluation.
public final class LayerNorm: Layer {
    public let gamma: Parameter
    public let beta: Parameter
    public let size: Int
    public let epsilon: Float
    public var isTraining = true
    private var normalized = Tensor(shape: [0])
    private var inverseStd: [Float] = []

    public init(_ size: Int, epsilon: Float = 1e-5) {
        precondition(size > 0, "LayerNorm needs a positive size, got \(size)")
        self.size = size
        self.epsilon = epsilon
        gamma = Parameter(name: "weight", value: Tensor(shape: [size], repeating: 1))
        beta = Parameter(name: "bias", value: Tensor(shape: [size]))
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1 && input.shape.last == size, "LayerNorm(\(size)) expects last dimension \(size), got \(input.shape)")
        let rows = input.count / size, d = size
        inverseStd = [Float](repeating: 0, count: rows)
        normalized = Tensor(shape: input.shape) { out in
            input.scalars.withUnsafeBufferPointer { x in
                for r in 0..<rows {
                    let p = x.baseAddress! + r * d
                    var mean = 0.0
                    for i in 0..<d { mean += Double(p[i]) }
                    mean /= Double(d)
                    var v = 0.0
                    for i in 0..<d { let t = Double(p[i]) - mean; v += t * t }
                    let inv = Float(1 / (v / Double(d) + Double(epsilon)).squareRoot())
                    inverseStd[r] = inv
                    let mu = Float(mean)
                    for i in 0..<d { out[r * d + i] = (p[i] - mu) * inv }
                }
            }
        }
        return Tensor(shape: input.shape) { out in
            normalized.scalars.withUnsafeBufferPointer { xh in
                gamma.value.scalars.withUnsafeBufferPointer { g in
                    beta.value.scalars.withUnsafeBufferPointer { b in
                        for r in 0..<rows { for i in 0..<d { out[r * d + i] = xh[r * d + i] * g[i] + b[i] } }
                    }
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == normalized.shape, "LayerNorm.backward expects \(normalized.shape), got \(outputGradient.shape)")
        let rows = normalized.count / size, d = size
        return Tensor(shape: normalized.shape) { dx in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                normalized.scalars.withUnsafeBufferPointer { xh in
                    gamma.value.scalars.withUnsafeBufferPointer { g in
                        gamma.gradient.scalars.withUnsafeMutableBufferPointer { dg in
                            beta.gradient.scalars.withUnsafeMutableBufferPointer { db in
                                for r in 0..<rows {
                                    var a: Float = 0, b: Float = 0
                                    for i in 0..<d {
                                        let o = r * d + i
                                        dg[i] += dy[o] * xh[o]
                                        db[i] += dy[o]
                                        let gx = dy[o] * g[i]
                                        a += gx
                                        b += gx * xh[o]
                                    }
                                    a /= Float(d)
                                    b /= Float(d)
                                    for i in 0..<d {
                                        let o = r * d + i
                                        dx[o] = inverseStd[r] * (dy[o] * g[i] - a - xh[o] * b)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
