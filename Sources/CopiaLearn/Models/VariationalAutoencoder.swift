import CopiaCore

/// A fully connected variational autoencoder with Bernoulli outputs (Kingma & Welling, 2014).
///
/// `input → hidden (ReLU) → (μ, log σ²) → z = μ + σ ε → hidden (ReLU) → logits`. The loss is the summed binary
/// cross-entropy of the reconstruction plus the summed Gaussian KL term, as in PyTorch's VAE example; the
/// reconstruction BCE is computed on logits (the same value as BCE after a sigmoid, without its overflow).
/// The two heads μ and log σ² are one `Linear(hidden, 2 latent)`, one GEMM instead of two.
public final class VariationalAutoencoder: Module {
    public let encoder: Sequential
    public let head: Linear
    public let decoder: Sequential
    public let inputSize: Int, latentSize: Int
    public var isTraining = true

    /// The terms of one training step's loss (sums over the batch).
    public struct StepLoss: Sendable {
        public var total: Double, reconstruction: Double, kl: Double
    }

    public init(inputSize: Int, hiddenSize: Int, latentSize: Int, rng: inout CounterRandom) {
        self.inputSize = inputSize
        self.latentSize = latentSize
        encoder = Sequential(Linear(inputSize, hiddenSize, initializer: .heUniform, rng: &rng), ReLU())
        head = Linear(hiddenSize, 2 * latentSize, rng: &rng)
        decoder = Sequential(Linear(latentSize, hiddenSize, initializer: .heUniform, rng: &rng), ReLU(),
                             Linear(hiddenSize, inputSize, rng: &rng))
    }

    public var children: [(name: String, module: any Module)] {
        [("encoder", encoder), ("head", head), ("decoder", decoder)]
    }

    /// One forward and backward pass on `batch` (`[n, inputSize]`, values in [0, 1]); gradients are added to the
    /// parameters, and the optimiser step is left to the caller.
    /// - Parameter noise: the generator ε is drawn from (`n × latentSize` normals).
    public func accumulateGradients(_ batch: Tensor, noise: inout CounterRandom) -> StepLoss {
        precondition(batch.rank == 2 && batch.shape[1] == inputSize,
                     "VariationalAutoencoder expects [batch, \(inputSize)], got \(batch.shape)")
        let n = batch.shape[0], k = latentSize
        let stats = head(encoder(batch))
        let parts = stats.split(sizes: [k, k])
        let (mu, logVar) = (parts[0], parts[1])
        let epsilon = Tensor(shape: [n, k], scalars: (0..<(n * k)).map { _ in Float(noise.normal()) })
        let sigma = logVar.map { expf(0.5 * $0) }
        let z = mu + sigma * epsilon
        let logits = decoder(z)
        let rec = Losses.binaryCrossEntropyWithLogits(logits, batch, reduction: .sum)
        let kl = Losses.gaussianKL(mean: mu, logVariance: logVar, reduction: .sum)
        let dz = decoder.backward(rec.gradient)
        // z = μ + exp(½ logvar) ε: dμ += dz, dlogvar += dz ε σ / 2
        let dMu = dz + kl.meanGradient
        var dLogVar = kl.logVarianceGradient
        dLogVar.add(dz * epsilon * sigma, scaledBy: 0.5)
        _ = encoder.backward(head.backward(Tensor.concatenate([dMu, dLogVar])))
        return StepLoss(total: rec.value + kl.value, reconstruction: rec.value, kl: kl.value)
    }

    /// Decodes `count` latent draws from N(0, I) into samples in [0, 1] (`[count, inputSize]`).
    public func generate(count: Int, using rng: inout CounterRandom) -> Tensor {
        let z = Tensor(shape: [count, latentSize], scalars: (0..<(count * latentSize)).map { _ in Float(rng.normal()) })
        return decoder(z).map(sigmoid)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
