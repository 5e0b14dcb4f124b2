import Foundation

/// The learning-rate range test (Smith, 2017, "Cyclical learning rates for training neural networks", §3.3): train for
/// a few hundred steps while the rate grows exponentially from `startRate` to `endRate`, record the loss against the
/// rate, and suggest a rate where the loss falls fastest.
///
/// The model and optimiser are restored to their state before the test, so the finder can run before real training.
///
/// ```swift
/// let finder = LearningRateFinder(startRate: 1e-6, endRate: 1, steps: 200)
/// let result = finder.run(model: vae, optimizer: adam, batch: { step in data.batch(step) }) { batch in
///     vae.accumulateGradients(batch, noise: &noise).total / Double(batch.shape[0])
/// }
/// try result.writePlot(to: "runs/vae/lr-find.svg")
/// print(result.suggestedRate)
/// ```
public struct LearningRateFinder: Sendable {
    public var startRate: Float
    public var endRate: Float
    public var steps: Int
    /// Exponential moving-average factor for the loss (bias-corrected), as fastai's finder.
    public var smoothing: Double
    /// The test stops early once the smoothed loss exceeds `divergenceFactor ×` its minimum (or is not finite).
    public var divergenceFactor: Double

    public init(startRate: Float = 1e-7, endRate: Float = 10, steps: Int = 200, smoothing: Double = 0.98,
                divergenceFactor: Double = 4) {
        precondition(startRate > 0 && endRate > startRate && steps >= 3,
                     "LearningRateFinder: need 0 < startRate < endRate and steps >= 3, got \(startRate), \(endRate), \(steps)")
        self.startRate = startRate
        self.endRate = endRate
        self.steps = steps
        self.smoothing = smoothing
        self.divergenceFactor = divergenceFactor
    }

    /// The rate used at `step`: `start × (end / start)^(step / (steps - 1))`.
    public func rate(atStep step: Int) -> Float {
        Float(Double(startRate) * pow(Double(endRate) / Double(startRate), Double(step) / Double(steps - 1)))
    }

    /// The recorded curve and the suggestion.
    public struct Result: Sendable, Equatable {
        public var rates: [Float]
        public var losses: [Double]
        public var smoothedLosses: [Double]
        /// The rate at the steepest descent of the smoothed loss against log(rate).
        public var suggestedRate: Float
        /// The rate where the smoothed loss was lowest (training diverges soon after; a tenth of it is a common choice).
        public var minimumLossRate: Float

        /// The curve as an SVG line chart (log-scaled rate axis) with the suggestion marked.
        public func svg(title: String = "Learning-rate range test") -> String {
            SVGPlot.lineChart(x: rates.map(Double.init), y: smoothedLosses, raw: losses, logX: true,
                              marker: Double(suggestedRate), title: title, xLabel: "learning rate",
                              yLabel: "loss (smoothed)")
        }

        /// Writes `svg()` to `path`.
        /// - Throws: `LearnError.io` naming the path.
        public func writePlot(to path: String, title: String = "Learning-rate range test") throws {
            do { try svg(title: title).write(toFile: path, atomically: true, encoding: .utf8) } catch {
                throw LearnError.io(path: path, reason: "cannot write plot: \(error.localizedDescription)")
            }
        }
    }

    /// Runs the test.
    /// - Parameters:
    ///   - batch: the batch for a step (called once per step).
    ///   - loss: runs forward and backward on a batch (adding gradients) and returns the loss; the finder zeroes
    ///     gradients before and steps the optimiser after.
    public func run<Batch>(model: any Module, optimizer: any Optimizer, batch: (Int) -> Batch,
                           loss: (Batch) -> Double) -> Result {
        let saved = Checkpoint.capture(model: model, optimizer: optimizer, step: 0)
        defer { try? saved.restore(into: model, optimizer: optimizer) }
        var rates: [Float] = [], losses: [Double] = [], smoothed: [Double] = []
        var average = 0.0, best = Double.infinity
        for step in 0..<steps {
            let lr = rate(atStep: step)
            optimizer.learningRate = lr
            optimizer.zeroGradients()
            let value = loss(batch(step))
            optimizer.step()
            average = smoothing * average + (1 - smoothing) * value
            let s = average / (1 - pow(smoothing, Double(step + 1)))
            rates.append(lr)
            losses.append(value)
            smoothed.append(s)
            if !s.isFinite || (step > 0 && s > divergenceFactor * best) { break }
            best = min(best, s)
        }
        return Result(rates: rates, losses: losses, smoothedLosses: smoothed,
                      suggestedRate: Self.steepestDescent(rates: rates, smoothed: smoothed),
                      minimumLossRate: rates[smoothed.indices.filter { smoothed[$0].isFinite }
                          .min { smoothed[$0] < smoothed[$1] } ?? 0])
    }

    /// The rate with the most negative slope d(smoothed loss)/d(log rate), by central differences, searched between the
    /// first tenth of the curve (the average is still settling) and the minimum of the loss.
    static func steepestDescent(rates: [Float], smoothed: [Double]) -> Float {
        let finite = smoothed.indices.filter { smoothed[$0].isFinite }
        guard let minimum = finite.min(by: { smoothed[$0] < smoothed[$1] }), smoothed.count >= 3 else {
            return rates.first ?? 0
        }
        let lo = max(1, smoothed.count / 10), hi = max(lo, min(minimum, smoothed.count - 2))
        var bestIndex = minimum, bestSlope = 0.0
        for i in lo...hi where i >= 1 && i + 1 < smoothed.count {
            let dx = log(Double(rates[i + 1])) - log(Double(rates[i - 1]))
            let slope = (smoothed[i + 1] - smoothed[i - 1]) / dx
            if slope < bestSlope {
                bestSlope = slope
                bestIndex = i
            }
        }
        return rates[bestIndex]
    }
}
