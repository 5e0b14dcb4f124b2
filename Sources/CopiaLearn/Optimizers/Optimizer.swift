import CCopiaBLAS

/// Updates parameters from their accumulated gradients.
///
/// An optimiser holds per-parameter state (momentum, moment estimates) in the order of `parameters`; checkpoints save
/// it through `state` and restore it with `restore(_:)`, so training resumes exactly.
public protocol Optimizer: AnyObject {
    /// The parameters updated by `step()`, in a fixed order.
    var parameters: [Parameter] { get }
    /// The rate used by the next `step()`; schedules set it before each step.
    var learningRate: Float { get set }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// Applies one update from the current gradients (which it leaves in place).
    func step()
    /// Per-parameter state tensors by name (`"exp_avg.3"`), plus the step count, for checkpoints.
    var state: OptimizerState { get }
    /// Restores state saved by `state`.
    /// - Throws: `LearnError.shapeMismatch` when a tensor does not fit its parameter, `.corrupt` when one is missing.
    func restore(_ state: OptimizerState) throws
}

/// An optimiser's resumable state.
public struct OptimizerState: Sendable, Equatable {
    public var stepCount: Int
    public var learningRate: Float
    public var tensors: [String: Tensor]
    public init(stepCount: Int, learningRate: Float, tensors: [String: Tensor]) {
        self.stepCount = stepCount
        self.learningRate = learningRate
        self.tensors = tensors
    }
}

extension Optimizer {
    /// Zeroes the gradients of every parameter this optimiser updates.
    public func zeroGradients() {
        for p in parameters { p.gradient.zero() }
    }
}

/// Restores per-parameter buffers named `<prefix>.<index>` from a saved state.
func restoreBuffers(_ buffers: inout [Tensor], prefix: String, from state: OptimizerState, parameters: [Parameter]) throws {
    for i in buffers.indices {
        guard let t = state.tensors["\(prefix).\(i)"] else {
            throw LearnError.corrupt(path: "optimizer state", reason: "missing \(prefix).\(i)")
        }
        guard t.shape == parameters[i].value.shape else {
            throw LearnError.shapeMismatch(context: "optimizer state \(prefix).\(i)", expected: parameters[i].value.shape,
                                           got: t.shape)
        }
        buffers[i] = t
    }
}

/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov, Sutskever et al., 2013) and L2 weight
/// decay added to the gradient, with PyTorch's update rule: `b = μ b + g`; `p -= lr (g + μ b)` (Nesterov) or `lr b`.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private var velocity: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "SGD: Nesterov needs momentum > 0, got \(momentum)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = parameters.map { Tensor(shape: $0.value.shape) }
    }

    public func step() {
        let lr = learningRate, mu = momentum, wd = weightDecay, nest = nesterov
        for (i, p) in parameters.enumerated() {
            p.value.scalars.withUnsafeMutableBufferPointer { w in
                p.gradient.scalars.withUnsafeBufferPointer { g in
                    velocity[i].scalars.withUnsafeMutableBufferPointer { b in
                        for j in 0..<w.count {
                            var d = g[j] + wd * w[j]
                            if mu != 0 {
                                b[j] = stepCount == 0 ? d : mu * b[j] + d
                                d = nest ? d + mu * b[j] : b[j]
                            }
                            w[j] -= lr * d
                        }
                    }
                }
            }
        }
        stepCount += 1
    }

    public var state: OptimizerState {
        var t: [String: Tensor] = [:]
        for (i, v) in velocity.enumerated() { t["momentum.\(i)"] = v }
        return OptimizerState(stepCount: stepCount, learningRate: learningRate, tensors: t)
    }

    public func restore(_ state: OptimizerState) throws {
        try restoreBuffers(&velocity, prefix: "momentum", from: state, parameters: parameters)
        stepCount = state.stepCount
        learningRate = state.learningRate
    }
}

/// Adam (Kingma & Ba, 2015) with bias-corrected moment estimates, and its decoupled-weight-decay variant AdamW
/// (Loshchilov & Hutter, 2019). The arithmetic follows PyTorch's `torch.optim.Adam`/`AdamW`:
/// `m = β₁ m + (1-β₁) g`, `v = β₂ v + (1-β₂) g²`, `p -= (lr / (1-β₁ᵗ)) m / (√v / √(1-β₂ᵗ) + ε)`;
/// L2 decay adds `λ p` to `g`, decoupled decay multiplies `p` by `1 - lr λ` first.
public class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float
    public let weightDecay: Float
    /// True for AdamW's decoupled decay, false for L2 decay through the gradient.
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    private var firstMoment: [Tensor]
    private var secondMoment: [Tensor]

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        firstMoment = parameters.map { Tensor(shape: $0.value.shape) }
        secondMoment = parameters.map { Tensor(shape: $0.value.shape) }
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let bc1 = 1 - pow(Double(beta1), t), bc2 = 1 - pow(Double(beta2), t)
        let stepSize = Float(Double(learningRate) / bc1)
        let bc2Root = Float(bc2.squareRoot())
        let b1 = beta1, b2 = beta2, eps = epsilon
        let l2: Float = decoupledWeightDecay ? 0 : weightDecay
        let shrink: Float = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
        for (i, p) in parameters.enumerated() {
            precondition(p.gradient.count == p.value.count, "Adam: gradient \(p.gradient.shape) for parameter \(p.value.shape)")
            p.value.scalars.withUnsafeMutableBufferPointer { w in
                p.gradient.scalars.withUnsafeBufferPointer { g in
                    firstMoment[i].scalars.withUnsafeMutableBufferPointer { m in
                        secondMoment[i].scalars.withUnsafeMutableBufferPointer { v in
                            // m, v and w updated as documented above, in C so the loop is vectorised; large
                            // parameters in one block per thread (each value's update is independent).
                            let (pw, pg, pm, pv) = (UInt(bitPattern: w.baseAddress), UInt(bitPattern: g.baseAddress),
                                                    UInt(bitPattern: m.baseAddress), UInt(bitPattern: v.baseAddress))
                            Parallel.forEachBlock(w.count) { r in
                                let o = r.lowerBound * MemoryLayout<Float>.stride
                                ccopia_adam_step(UnsafeMutablePointer(bitPattern: pw + UInt(o)),
                                                 UnsafePointer(bitPattern: pg + UInt(o)),
                                                 UnsafeMutablePointer(bitPattern: pm + UInt(o)),
                                                 UnsafeMutablePointer(bitPattern: pv + UInt(o)), r.count,
                                                 b1, b2, stepSize, bc2Root, eps, l2, shrink)
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: OptimizerState {
        var t: [String: Tensor] = [:]
        for i in parameters.indices {
            t["exp_avg.\(i)"] = firstMoment[i]
            t["exp_avg_sq.\(i)"] = secondMoment[i]
        }
        return OptimizerState(stepCount: stepCount, learningRate: learningRate, tensors: t)
    }

    public func restore(_ state: OptimizerState) throws {
        try restoreBuffers(&firstMoment, prefix: "exp_avg", from: state, parameters: parameters)
        try restoreBuffers(&secondMoment, prefix: "exp_avg_sq", from: state, parameters: parameters)
        stepCount = state.stepCount
        learningRate = state.learningRate
    }
}

/// AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay (default 0.01, as PyTorch).
public final class AdamW: Adam {
    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}

/// Gradient clipping by global norm (Pascanu, Mikolov & Bengio, 2013).
public enum GradientClipping {
    /// The L2 norm of all gradients together.
    public static func globalNorm(_ parameters: [Parameter]) -> Double {
        parameters.reduce(0) { $0 + $1.gradient.squaredNorm() }.squareRoot()
    }

    /// Scales all gradients by `maxNorm / (norm + 1e-6)` when their global norm exceeds `maxNorm` (as PyTorch's
    /// `clip_grad_norm_`). A NaN or infinite norm leaves the gradients unchanged and is returned for the caller to act on.
    /// - Returns: the norm before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
        let norm = globalNorm(parameters)
        guard norm.isFinite, norm > maxNorm else { return norm }
        let scale = Float(maxNorm / (norm + 1e-6))
        for p in parameters {
            p.gradient.scalars.withUnsafeMutableBufferPointer { g in
                for j in 0..<g.count { g[j] *= scale }
            }
        }
        return norm
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
