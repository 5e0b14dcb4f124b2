import CopiaCore
import Testing
@testable import CopiaLearn

/// Numeric derivative of `objective` with respect to every scalar of `parameter` (central differences, ε = 1e-2),
/// compared with `analytic` within 2e-3 + 1e-2·|numeric| (the tolerance of `GradientCheck`).
func parameterMismatches(_ parameter: Parameter, analytic: Tensor, objective: () -> Double) -> [String] {
    var bad: [String] = []
    for i in 0..<parameter.value.count {
        let saved = parameter.value.scalars[i]
        parameter.value.scalars[i] = saved + 1e-2
        let plus = objective()
        parameter.value.scalars[i] = saved - 1e-2
        let minus = objective()
        parameter.value.scalars[i] = saved
        let numeric = (plus - minus) / 2e-2, a = Double(analytic.scalars[i])
        if abs(a - numeric) > 2e-3 + 1e-2 * abs(numeric) { bad.append("[\(i)] analytic \(a) numeric \(numeric)") }
    }
    return bad
}

/// The VAE's hand-written backward pass through the reparameterisation z = μ + σ ε and the KL term matches finite
/// differences of its loss for every parameter (fixed ε).
@Test func vaeGradientsMatchFiniteDifferences() {
    var rng = CounterRandom(seed: 8, stage: "init", sample: "vae")
    let vae = VariationalAutoencoder(inputSize: 5, hiddenSize: 4, latentSize: 2, rng: &rng)
    let x = randomTensor([3, 5], seed: 2, range: 0...1)
    let noise = CounterRandom(seed: 8, stage: "noise", sample: "vae")
    func loss() -> Double {
        var n = noise
        let l = vae.accumulateGradients(x, noise: &n).total
        vae.zeroGradients()
        return l
    }
    vae.zeroGradients()
    var n = noise
    let l = vae.accumulateGradients(x, noise: &n)
    #expect(abs(l.total - l.reconstruction - l.kl) < 1e-9 && l.kl >= 0)
    let analytic = vae.namedParameters().map { ($0.name, $0.parameter, $0.parameter.gradient) }
    for (name, p, g) in analytic {
        let bad = parameterMismatches(p, analytic: g, objective: loss)
        #expect(bad.isEmpty, "\(name): \(bad.prefix(3))")
    }
}

/// The conditional VAE (one-hot labels appended to the encoder input and to z) passes the same finite-difference
/// check, and decoding a code equals generating it from the same draws.
@Test func conditionalVAEGradientsMatchFiniteDifferences() {
    var rng = CounterRandom(seed: 11, stage: "init", sample: "cvae")
    let vae = VariationalAutoencoder(inputSize: 5, hiddenSize: 4, latentSize: 2, conditionSize: 3, rng: &rng)
    let x = randomTensor([3, 5], seed: 4, range: 0...1)
    let c = Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 0, 1, 0, 1, 0])
    let noise = CounterRandom(seed: 11, stage: "noise", sample: "cvae")
    func loss() -> Double {
        var n = noise
        let l = vae.accumulateGradients(x, conditions: c, noise: &n).total
        vae.zeroGradients()
        return l
    }
    vae.zeroGradients()
    var n = noise
    _ = vae.accumulateGradients(x, conditions: c, noise: &n)
    let analytic = vae.namedParameters().map { ($0.name, $0.parameter, $0.parameter.gradient) }
    #expect(analytic.first { $0.0 == "encoder.0.weight" }?.1.value.shape == [4, 5 + 3])
    #expect(analytic.first { $0.0 == "decoder.0.weight" }?.1.value.shape == [4, 2 + 3])
    for (name, p, g) in analytic {
        let bad = parameterMismatches(p, analytic: g, objective: loss)
        #expect(bad.isEmpty, "\(name): \(bad.prefix(3))")
    }
    var a = CounterRandom(seed: 1, stage: "z", sample: "s"), b = a
    let generated = vae.generate(count: 3, conditions: c, using: &a)
    let z = Tensor(shape: [3, 2], scalars: (0..<6).map { _ in Float(b.normal()) })
    #expect(generated == vae.decode(z, conditions: c))
    #expect(generated.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
}

/// With zero learning rates, one GAN step leaves the generator's gradient equal to dLoss_G/dθ_G through the
/// discriminator (label planes included), checked by finite differences; skipping the discriminator's input gradient
/// changes none of its parameter gradients.
@Test func conditionalGANGeneratorGradientFlowsThroughTheDiscriminator() {
    var rng = CounterRandom(seed: 9, stage: "init", sample: "gan")
    let g = Sequential(Linear(3 + 2, 16, rng: &rng), Reshape([1, 4, 4]), Tanh())
    let d = Sequential(Conv2d(1 + 2, 2, kernelSize: 3, padding: 1, rng: &rng), LeakyReLU(slope: 0.2), Flatten(),
                       Linear(32, 1, rng: &rng))
    let gan = ConditionalGAN(generator: g, discriminator: d, latentSize: 3, classCount: 2, imageShape: [1, 4, 4])
    let optG = SGD(parameters: g.allParameters, learningRate: 0), optD = SGD(parameters: d.allParameters, learningRate: 0)
    let labels = [0, 1, 1]
    let real = randomTensor([3, 1, 4, 4], seed: 3)
    let noise = CounterRandom(seed: 9, stage: "noise", sample: "gan")
    var n = noise
    let step = gan.trainStep(real: real, labels: labels, generatorOptimizer: optG, discriminatorOptimizer: optD, noise: &n)
    #expect(step.discriminator.isFinite && step.generator.isFinite)
    func generatorLoss() -> Double {
        var n = noise
        let fake = gan.generate(labels: labels, using: &n)
        return Losses.binaryCrossEntropyWithLogits(d(gan.withLabelPlanes(fake, labels)), Tensor(shape: [3, 1], repeating: 1)).value
    }
    #expect(abs(generatorLoss() - step.generator) < 1e-6)
    for (name, p) in g.namedParameters() {
        let bad = parameterMismatches(p, analytic: p.gradient, objective: generatorLoss)
        #expect(bad.isEmpty, "generator \(name): \(bad.prefix(3))")
    }

    let input = gan.withLabelPlanes(real, labels), dy = randomTensor([3, 1], seed: 5)
    d.zeroGradients()
    _ = d(input)
    let full = d.backward(dy)
    let fullGradients = d.allParameters.map(\.gradient)
    d.zeroGradients()
    _ = d(input)
    #expect(d.backward(dy, needsInputGradient: false) == nil)
    #expect(d.allParameters.map(\.gradient) == fullGradients)
    #expect(full.shape == [3, 3, 4, 4])
}

/// After a GAN step (zero learning rates), the discriminator's gradients are exactly those of its own losses on the
/// real and the fake batch: the generator update back-propagates through it without adding to them.
@Test func conditionalGANDiscriminatorKeepsTheGradientsOfItsOwnUpdate() {
    var rng = CounterRandom(seed: 10, stage: "init", sample: "gan")
    let g = Sequential(Linear(3 + 2, 16, rng: &rng), Reshape([1, 4, 4]), Tanh())
    let d = Sequential(Conv2d(1 + 2, 2, kernelSize: 3, padding: 1, rng: &rng), LeakyReLU(slope: 0.2), Flatten(),
                       Linear(32, 1, rng: &rng))
    let gan = ConditionalGAN(generator: g, discriminator: d, latentSize: 3, classCount: 2, imageShape: [1, 4, 4])
    let optG = SGD(parameters: g.allParameters, learningRate: 0), optD = SGD(parameters: d.allParameters, learningRate: 0)
    let labels = [1, 0, 1]
    let real = randomTensor([3, 1, 4, 4], seed: 6)
    let noise = CounterRandom(seed: 10, stage: "noise", sample: "gan")
    var n = noise
    _ = gan.trainStep(real: real, labels: labels, generatorOptimizer: optG, discriminatorOptimizer: optD, noise: &n)
    let afterStep = d.allParameters.map(\.gradient)

    n = noise
    let fake = gan.generate(labels: labels, using: &n)
    d.zeroGradients()
    for (images, target) in [(real, Float(1)), (fake, 0)] {
        let loss = Losses.binaryCrossEntropyWithLogits(d(gan.withLabelPlanes(images, labels)),
                                                       Tensor(shape: [3, 1], repeating: target))
        _ = d.backward(loss.gradient)
    }
    for (a, b) in zip(afterStep, d.allParameters.map(\.gradient)) { #expect(a.maxAbsDifference(b) < 1e-5) }
    let switches = d.layers.compactMap { $0 as? any ParameterGradientSwitch }
    let allBackOn = switches.allSatisfy { $0.accumulatesParameterGradients }
    #expect(switches.count == 2 && allBackOn)
}
