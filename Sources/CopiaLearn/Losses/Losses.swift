import CCopiaBLAS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a loss combines per-element terms.
public enum Reduction: String, Sendable, Codable {
    /// Divide the total by the number of terms (elements, or rows for cross-entropy).
    case mean
    /// The plain total (the VAE's `BCE(sum) + KL(sum)`).
    case sum
}

/// A loss value with its gradient with respect to the loss's (first) input.
public struct Loss: Sendable {
    /// The loss, accumulated in `Double`.
    public var value: Double
    /// dLoss/dInput, shaped as the input.
    public var gradient: Tensor
}

/// Losses return their value and gradient together: each is a pure function with the gradient written out by hand.
public enum Losses {
    /// Mean squared error `Σ (p - t)² / n` (or the sum).
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Loss {
        precondition(prediction.shape == target.shape,
                     "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ")
        let scale: Float = reduction == .mean ? 1 / Float(max(1, prediction.count)) : 1
        var total = 0.0
        let grad = Tensor(shape: prediction.shape) { g in
            prediction.scalars.withUnsafeBufferPointer { p in
                target.scalars.withUnsafeBufferPointer { t in
                    for i in 0..<p.count {
                        let d = p[i] - t[i]
                        total += Double(d * d)
                        g[i] = 2 * d * scale
                    }
                }
            }
        }
        return Loss(value: total * Double(scale), gradient: grad)
    }

    /// Binary cross-entropy on logits, `max(x, 0) - x t + log(1 + e^-|x|)`: the stable form of BCE after a sigmoid.
    /// Gradient `σ(x) - t`. Targets may be soft (in [0, 1]). Computed in C with polynomial exp/log (relative error
    /// below 3e-7 for exp, absolute 1.2e-7 for log), vectorised with AVX2 where the CPU has it.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor,
                                                    reduction: Reduction = .mean) -> Loss {
        precondition(logits.shape == target.shape,
                     "binaryCrossEntropyWithLogits: logits \(logits.shape) and target \(target.shape) differ")
        let scale: Float = reduction == .mean ? 1 / Float(max(1, logits.count)) : 1
        var total = 0.0
        let grad = Tensor(shape: logits.shape) { g in
            logits.scalars.withUnsafeBufferPointer { x in
                target.scalars.withUnsafeBufferPointer { t in
                    total = ccopia_bce_with_logits(x.baseAddress, t.baseAddress, g.baseAddress, x.count, scale)
                }
            }
        }
        return Loss(value: total * Double(scale), gradient: grad)
    }

    /// Cross-entropy of softmax(logits) against class labels; `logits` is `[batch, classes]`. Mean is over rows.
    /// Gradient `softmax(x) - onehot(label)`.
    public static func crossEntropy(_ logits: Tensor, labels: [Int], reduction: Reduction = .mean) -> Loss {
        precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                     "crossEntropy: logits \(logits.shape) for \(labels.count) labels")
        let n = logits.shape[0], c = logits.shape[1]
        let scale: Float = reduction == .mean ? 1 / Float(max(1, n)) : 1
        var total = 0.0
        let grad = Tensor(shape: logits.shape) { g in
            logits.scalars.withUnsafeBufferPointer { x in
                for r in 0..<n {
                    let label = labels[r]
                    precondition(label >= 0 && label < c, "crossEntropy: label \(label) outside 0..<\(c) at row \(r)")
                    let row = x.baseAddress! + r * c
                    var mx = -Float.infinity
                    for j in 0..<c { mx = max(mx, row[j]) }
                    var z: Float = 0
                    for j in 0..<c { let e = expf(row[j] - mx); g[r * c + j] = e; z += e }
                    total += Double(logf(z) + mx - row[label])
                    for j in 0..<c { g[r * c + j] = (g[r * c + j] / z - (j == label ? 1 : 0)) * scale }
                }
            }
        }
        return Loss(value: total * Double(scale), gradient: grad)
    }

    /// The KL divergence of `N(μ, e^logvar)` from `N(0, 1)`, summed over all elements (Kingma & Welling, 2014):
    /// `-½ Σ (1 + logvar - μ² - e^logvar)`. With `.mean` it is divided by the batch size (rows).
    /// - Returns: the value and the gradients with respect to `mean` and `logVariance`.
    public static func gaussianKL(mean: Tensor, logVariance: Tensor,
                                  reduction: Reduction = .sum) -> (value: Double, meanGradient: Tensor, logVarianceGradient: Tensor) {
        precondition(mean.shape == logVariance.shape,
                     "gaussianKL: mean \(mean.shape) and logVariance \(logVariance.shape) differ")
        let scale: Float = reduction == .mean ? 1 / Float(max(1, mean.shape.first ?? 1)) : 1
        var total = 0.0
        var dLogVar = Tensor(shape: mean.shape)
        let dMean = mean * scale
        mean.scalars.withUnsafeBufferPointer { mu in
            logVariance.scalars.withUnsafeBufferPointer { lv in
                dLogVar.scalars.withUnsafeMutableBufferPointer { g in
                    for i in 0..<mu.count {
                        let e = expf(lv[i])
                        total += Double(-0.5 * (1 + lv[i] - mu[i] * mu[i] - e))
                        g[i] = 0.5 * (e - 1) * scale
                    }
                }
            }
        }
        return (total * Double(scale), dMean, dLogVar)
    }
}
