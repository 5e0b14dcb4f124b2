#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learning rate as a pure function of the step (0-based). Pure schedules make resumption trivial: a checkpoint
/// only needs the step count.
public protocol LearningRateSchedule: Sendable {
    func learningRate(atStep step: Int) -> Float
}

/// The same rate at every step.
public struct ConstantSchedule: LearningRateSchedule, Codable, Equatable {
    public var rate: Float
    public init(rate: Float) { self.rate = rate }
    public func learningRate(atStep step: Int) -> Float { rate }
}

/// `initial × gamma^⌊step / stepSize⌋` (PyTorch's `StepLR`).
public struct StepSchedule: LearningRateSchedule, Codable, Equatable {
    public var initial: Float, stepSize: Int, gamma: Float
    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize must be positive, got \(stepSize)")
        self.initial = initial
        self.stepSize = stepSize
        self.gamma = gamma
    }
    public func learningRate(atStep step: Int) -> Float { initial * powf(gamma, Float(step / stepSize)) }
}

/// `initial × gamma^step` (PyTorch's `ExponentialLR`).
public struct ExponentialSchedule: LearningRateSchedule, Codable, Equatable {
    public var initial: Float, gamma: Float
    public init(initial: Float, gamma: Float) {
        self.initial = initial
        self.gamma = gamma
    }
    public func learningRate(atStep step: Int) -> Float { Float(Double(initial) * pow(Double(gamma), Double(step))) }
}

/// Linear warm-up from `peak / warmupSteps` to `peak` over `warmupSteps`, then cosine annealing to `minimum` at
/// `totalSteps` (Loshchilov & Hutter, 2017, without restarts); `minimum` after that.
public struct CosineSchedule: LearningRateSchedule, Codable, Equatable {
    public var peak: Float, minimum: Float, warmupSteps: Int, totalSteps: Int
    public init(peak: Float, totalSteps: Int, warmupSteps: Int = 0, minimum: Float = 0) {
        precondition(totalSteps > warmupSteps && warmupSteps >= 0,
                     "CosineSchedule: need 0 <= warmupSteps < totalSteps, got \(warmupSteps), \(totalSteps)")
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        if step >= totalSteps { return minimum }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimum + (peak - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// The one-cycle policy (Smith, 2018; Smith & Topin, 2019) in PyTorch's `OneCycleLR` form with cosine annealing: from
/// `maxRate / divFactor` up to `maxRate` over the first `warmupFraction` of `totalSteps`, then down to
/// `maxRate / (divFactor × finalDivFactor)` at the last step.
public struct OneCycleSchedule: LearningRateSchedule, Codable, Equatable {
    public var maxRate: Float, totalSteps: Int, warmupFraction: Double, divFactor: Float, finalDivFactor: Float
    public init(maxRate: Float, totalSteps: Int, warmupFraction: Double = 0.3, divFactor: Float = 25,
                finalDivFactor: Float = 1e4) {
        precondition(totalSteps > 1 && warmupFraction > 0 && warmupFraction < 1,
                     "OneCycleSchedule: need totalSteps > 1 and 0 < warmupFraction < 1, got \(totalSteps), \(warmupFraction)")
        self.maxRate = maxRate
        self.totalSteps = totalSteps
        self.warmupFraction = warmupFraction
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
    }
    public func learningRate(atStep step: Int) -> Float {
        let initial = Double(maxRate / divFactor), final = initial / Double(finalDivFactor)
        let peakStep = max(1.0, warmupFraction * Double(totalSteps) - 1)
        let last = Double(totalSteps - 1)
        let s = Double(min(max(step, 0), totalSteps - 1))
        func anneal(_ from: Double, _ to: Double, _ pct: Double) -> Float { Float(to + (from - to) / 2 * (cos(Double.pi * pct) + 1)) }
        if s <= peakStep { return anneal(initial, Double(maxRate), s / peakStep) }
        return anneal(Double(maxRate), final, (s - peakStep) / max(1, last - peakStep))
    }
}

/// Divides the rate by `1 / factor` when a monitored metric has not improved (relative threshold) for `patience`
/// evaluations (PyTorch's `ReduceLROnPlateau`, mode "min", threshold mode "rel"). Stateful: call `update(metric:)`
/// once per evaluation. A NaN metric counts as no improvement.
public struct ReduceOnPlateau: Codable, Equatable, Sendable {
    public private(set) var rate: Float
    public var factor: Float, patience: Int, threshold: Double, cooldown: Int, minimumRate: Float
    public private(set) var best = Double.infinity
    public private(set) var badEvaluations = 0
    public private(set) var cooldownLeft = 0

    public init(initial: Float, factor: Float = 0.1, patience: Int = 10, threshold: Double = 1e-4, cooldown: Int = 0,
                minimumRate: Float = 0) {
        precondition(factor > 0 && factor < 1, "ReduceOnPlateau: factor must be in (0, 1), got \(factor)")
        rate = initial
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minimumRate = minimumRate
    }

    /// Records one evaluation and returns the rate to use from now on.
    @discardableResult
    public mutating func update(metric: Double) -> Float {
        if metric < best * (1 - threshold) {
            best = metric
            badEvaluations = 0
        } else {
            badEvaluations += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEvaluations = 0
        }
        if badEvaluations > patience {
            rate = max(rate * factor, minimumRate)
            cooldownLeft = cooldown
            badEvaluations = 0
        }
        return rate
    }
}
