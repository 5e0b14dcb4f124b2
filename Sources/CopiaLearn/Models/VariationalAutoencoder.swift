import CopiaCore

/// A fully connected variational autoencoder with Bernoulli outputs (Kingma & Welling, 2014).
///
/// `input → hidden (ReLU) → (μ, log σ²) → z = μ + σ ε → hidden (ReLU) → logits`. The loss is the summed binary
/// cross-entropy of the reconstruction plus the summed Gaussian KL term, as in PyTorch's VAE example; the
/// reconstruction BCE is computed on logits (the same value as BCE after a sigmoid, without its overflow).
/// The two heads μ and log σ² are one `Linear(hidden, 2 latent)`, one GEMM instead of two.
///
/// With `conditionSize > 0` it is a conditional VAE (Sohn, Lee & Yan, 2015, "Learning structured output
/// representation using deep conditional generative models"): a condition vector (a one-hot class label) is
/// appended to the encoder's input and to the latent code before decoding, so one model learns every class and
/// scarce classes borrow structure from the others.
public final class VariationalAutoencoder: Module {
    public let encoder: Sequential
    public let head: Linear
    public let decoder: Sequential
    public let inputSize: Int, latentSize: Int
    /// Length of the condition vector (0: unconditional).
    public let conditionSize: Int
    public var isTraining = true

    /// The terms of one training step's loss (sums over the batch).
    public struct StepLoss: Sendable {
        public var total: Double, reconstruction: Double, kl: Double
    }

    public init(inputSize: Int, hiddenSize: Int, latentSize: Int, conditionSize: Int = 0, rng: inout CounterRandom) {
        precondition(inputSize > 0 && hiddenSize > 0 && latentSize > 0 && conditionSize >= 0,
                     "VariationalAutoencoder: sizes must be positive, got \(inputSize), \(hiddenSize), \(latentSize), \(conditionSize)")
        self.inputSize = inputSize
        self.latentSize = latentSize
        self.conditionSize = conditionSize
        encoder = Sequential(Linear(inputSize + conditionSize, hiddenSize, initializer: .heUniform, rng: &rng), ReLU())
        head = Linear(hiddenSize, 2 * latentSize, rng: &rng)
        decoder = Sequential(Linear(latentSize + conditionSize, hiddenSize, initializer: .heUniform, rng: &rng), ReLU(),
                             Linear(hiddenSize, inputSize, rng: &rng))
    }

    public var children: [(name: String, module: any Module)] {
        [("encoder", encoder), ("head", head), ("decoder", decoder)]
    }

    /// One forward and backward pass on `batch` (`[n, inputSize]`, values in [0, 1]); gradients are added to the
    /// parameters, and the optimiser step is left to the caller.
    /// - Parameters:
    ///   - conditions: `[n, conditionSize]` condition vectors; required exactly when `conditionSize > 0`.
    ///   - noise: the generator ε is drawn from (`n × latentSize` normals).
    public func accumulateGradients(_ batch: Tensor, conditions: Tensor? = nil, noise: inout CounterRandom) -> StepLoss {
        precondition(batch.rank == 2 && batch.shape[1] == inputSize,
                     "VariationalAutoencoder expects [batch, \(inputSize)], got \(batch.shape)")
        checkConditions(conditions, rows: batch.shape[0])
        let n = batch.shape[0], k = latentSize
        let stats = head(encoder(conditioned(batch, conditions)))
        let parts = stats.split(sizes: [k, k])
        let (mu, logVar) = (parts[0], parts[1])
        let epsilon = Tensor(shape: [n, k], scalars: (0..<(n * k)).map { _ in Float(noise.normal()) })
        let sigma = logVar.map { expf(0.5 * $0) }
        let z = mu + sigma * epsilon
        let logits = decoder(conditioned(z, conditions))
        let rec = Losses.binaryCrossEntropyWithLogits(logits, batch, reduction: .sum)
        let kl = Losses.gaussianKL(mean: mu, logVariance: logVar, reduction: .sum)
        var dz = decoder.backward(rec.gradient)
        if conditionSize > 0 { dz = dz.split(sizes: [k, conditionSize])[0] }
        // z = μ + exp(½ logvar) ε: dμ += dz, dlogvar += dz ε σ / 2
        let dMu = dz + kl.meanGradient
        var dLogVar = kl.logVarianceGradient
        dLogVar.add(dz * epsilon * sigma, scaledBy: 0.5)
        _ = encoder.backward(head.backward(Tensor.concatenate([dMu, dLogVar])), needsInputGradient: false)
        return StepLoss(total: rec.value + kl.value, reconstruction: rec.value, kl: kl.value)
    }

    /// Decodes `count` latent draws from N(0, I) into samples in [0, 1] (`[count, inputSize]`).
    /// - Parameter conditions: `[count, conditionSize]`, required exactly when the model is conditional.
    public func generate(count: Int, conditions: Tensor? = nil, using rng: inout CounterRandom) -> Tensor {
        let z = Tensor(shape: [count, latentSize], scalars: (0..<(count * latentSize)).map { _ in Float(rng.normal()) })
        return decode(z, conditions: conditions)
    }

    /// Decodes latent codes `z` (`[n, latentSize]`) into samples in [0, 1] (`[n, inputSize]`).
    public func decode(_ z: Tensor, conditions: Tensor? = nil) -> Tensor {
        precondition(z.rank == 2 && z.shape[1] == latentSize, "VariationalAutoencoder.decode expects [n, \(latentSize)], got \(z.shape)")
        checkConditions(conditions, rows: z.shape[0])
        return decoder(conditioned(z, conditions)).map(sigmoid)
    }

    private func conditioned(_ x: Tensor, _ conditions: Tensor?) -> Tensor {
        guard let conditions, conditionSize > 0 else { return x }
        return Tensor.concatenate([x, conditions])
    }

    private func checkConditions(_ conditions: Tensor?, rows: Int) {
        if conditionSize == 0 {
            precondition(conditions == nil, "VariationalAutoencoder: this model is unconditional, but conditions were given")
        } else {
            precondition(conditions?.shape == [rows, conditionSize],
                         "VariationalAutoencoder expects conditions [\(rows), \(conditionSize)], got \(conditions?.shape ?? [])")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
