import CopiaCore
@testable import CopiaLearn

/// Central finite differences against a layer's backward pass.
///
/// The scalar checked is `L = Σ output ⊙ R` for a fixed random `R`, summed in `Double`. Each input and parameter scalar
/// is moved by ±`epsilon` (1e-2, in Float32), and the numeric derivative must match the analytic one within
/// `|analytic - numeric| <= absoluteTolerance + relativeTolerance * |numeric|` (defaults 2e-3 and 1e-2). Float32 forward
/// rounding contributes about 1e-5 to the numeric derivative at these sizes, and the O(ε²) truncation about 1e-4.
struct GradientCheck {
    var epsilon: Float = 1e-2
    var absoluteTolerance: Double = 2e-3
    var relativeTolerance: Double = 1e-2

    struct Mismatch: CustomStringConvertible {
        var what: String, index: Int, analytic: Double, numeric: Double
        var description: String { "\(what)[\(index)]: analytic \(analytic), numeric \(numeric)" }
    }

    /// Returns every mismatch (empty when the gradients agree).
    /// - Parameters:
    ///   - forward: runs the layer (a closure so that stateful layers can be reset between evaluations).
    ///   - checkInput: false for inputs that are not differentiable (embedding ids).
    func check(layer: any Layer, input: Tensor, checkInput: Bool = true,
               forward: ((Tensor) -> Tensor)? = nil) -> [Mismatch] {
        let run = forward ?? { layer.forward($0) }
        let probe = run(input)
        var rng = CounterRandom(seed: 7, stage: "gradcheck", sample: "R")
        let r = Tensor(shape: probe.shape, scalars: (0..<probe.count).map { _ in Float(rng.uniform(-1...1)) })
        func objective(_ x: Tensor) -> Double {
            let y = run(x)
            var s = 0.0
            for i in 0..<y.count { s += Double(y.scalars[i]) * Double(r.scalars[i]) }
            return s
        }
        layer.zeroGradients()
        _ = run(input)
        let inputGradient = layer.backward(r)
        var mismatches: [Mismatch] = []
        func compare(_ what: String, _ i: Int, _ analytic: Float, _ numeric: Double) {
            let a = Double(analytic)
            if abs(a - numeric) > absoluteTolerance + relativeTolerance * abs(numeric) {
                mismatches.append(Mismatch(what: what, index: i, analytic: a, numeric: numeric))
            }
        }
        if checkInput {
            for i in 0..<input.count {
                var plus = input, minus = input
                plus.scalars[i] += epsilon
                minus.scalars[i] -= epsilon
                compare("input", i, inputGradient.scalars[i], (objective(plus) - objective(minus)) / Double(2 * epsilon))
            }
        }
        for (name, p) in layer.namedParameters() {
            let analytic = p.gradient
            for i in 0..<p.value.count {
                let saved = p.value.scalars[i]
                p.value.scalars[i] = saved + epsilon
                let lp = objective(input)
                p.value.scalars[i] = saved - epsilon
                let lm = objective(input)
                p.value.scalars[i] = saved
                compare(name, i, analytic.scalars[i], (lp - lm) / Double(2 * epsilon))
            }
        }
        return mismatches
    }

    /// Checks a loss's gradient with respect to its input.
    func check(loss: (Tensor) -> Loss, input: Tensor) -> [Mismatch] {
        let analytic = loss(input).gradient
        var mismatches: [Mismatch] = []
        for i in 0..<input.count {
            var plus = input, minus = input
            plus.scalars[i] += epsilon
            minus.scalars[i] -= epsilon
            let numeric = (loss(plus).value - loss(minus).value) / Double(2 * epsilon)
            let a = Double(analytic.scalars[i])
            if abs(a - numeric) > absoluteTolerance + relativeTolerance * abs(numeric) {
                mismatches.append(Mismatch(what: "input", index: i, analytic: a, numeric: numeric))
            }
        }
        return mismatches
    }
}

/// A tensor of uniform values in `range`, seeded; `awayFromZero` keeps |x| above it (so kinks are not straddled).
func randomTensor(_ shape: [Int], seed: UInt64 = 1, range: ClosedRange<Double> = -1...1,
                  awayFromZero: Float = 0) -> Tensor {
    var rng = CounterRandom(seed: seed, stage: "test", sample: "\(shape)")
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
        var v = Float(rng.uniform(range))
        if abs(v) < awayFromZero { v = v < 0 ? v - awayFromZero : v + awayFromZero }
        return v
    })
}
