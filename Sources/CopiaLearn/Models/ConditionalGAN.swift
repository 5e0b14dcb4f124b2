import CopiaCore

/// A class-conditional GAN (Goodfellow et al., 2014; conditioning as Mirza & Osindero, 2014) trained with the
/// non-saturating BCE losses, one discriminator and one generator update per step.
///
/// The generator sees `[z ++ onehot(label)]`; the discriminator sees the image with `classCount` extra constant planes
/// (the one-hot label broadcast over the image), as in `../shared/peers/bench_torch_vae.py`.
public final class ConditionalGAN: Module {
    public let generator: Sequential
    public let discriminator: Sequential
    public let latentSize: Int, classCount: Int
    /// The generated image's shape `[channels, height, width]`.
    public let imageShape: [Int]
    public var isTraining = true

    public init(generator: Sequential, discriminator: Sequential, latentSize: Int, classCount: Int, imageShape: [Int]) {
        precondition(imageShape.count == 3, "ConditionalGAN: imageShape must be [channels, height, width], got \(imageShape)")
        self.generator = generator
        self.discriminator = discriminator
        self.latentSize = latentSize
        self.classCount = classCount
        self.imageShape = imageShape
    }

    public var children: [(name: String, module: any Module)] {
        [("generator", generator), ("discriminator", discriminator)]
    }

    /// The small conditional DCGAN (Radford, Metz & Chintala, 2016) for 28x28 grey images of the peer benchmark:
    /// G: Linear(z + classes, 128·7·7), ReLU, reshape, ConvT(128, 64, 4, 2, 1), ReLU, ConvT(64, 1, 4, 2, 1), tanh.
    /// D: Conv(1 + classes, 64, 4, 2, 1), LeakyReLU(0.2), Conv(64, 128, 4, 2, 1), LeakyReLU(0.2), Linear(128·7·7, 1).
    public static func dcgan28(latentSize: Int = 64, classCount: Int = 10, rng: inout CounterRandom) -> ConditionalGAN {
        let g = Sequential(Linear(latentSize + classCount, 128 * 7 * 7, initializer: .heUniform, rng: &rng), ReLU(),
                           Reshape([128, 7, 7]),
                           ConvTranspose2d(128, 64, kernelSize: 4, stride: 2, padding: 1, rng: &rng), ReLU(),
                           ConvTranspose2d(64, 1, kernelSize: 4, stride: 2, padding: 1, initializer: .glorotUniform, rng: &rng),
                           Tanh())
        let d = Sequential(Conv2d(1 + classCount, 64, kernelSize: 4, stride: 2, padding: 1, rng: &rng),
                           LeakyReLU(slope: 0.2),
                           Conv2d(64, 128, kernelSize: 4, stride: 2, padding: 1, rng: &rng), LeakyReLU(slope: 0.2),
                           Flatten(), Linear(128 * 7 * 7, 1, rng: &rng))
        return ConditionalGAN(generator: g, discriminator: d, latentSize: latentSize, classCount: classCount,
                              imageShape: [1, 28, 28])
    }

    /// One-hot rows `[n, classCount]` for labels.
    public func oneHot(_ labels: [Int]) -> Tensor {
        var t = Tensor(shape: [labels.count, classCount])
        for (i, l) in labels.enumerated() {
            precondition(l >= 0 && l < classCount, "ConditionalGAN: label \(l) outside 0..<\(classCount)")
            t.scalars[i * classCount + l] = 1
        }
        return t
    }

    /// Images `[n, c, h, w]` with the one-hot label planes appended as channels.
    func withLabelPlanes(_ images: Tensor, _ labels: [Int]) -> Tensor {
        let n = images.shape[0], spatial = imageShape[1] * imageShape[2]
        var planes = Tensor(shape: [n, classCount, imageShape[1], imageShape[2]])
        planes.scalars.withUnsafeMutableBufferPointer { p in
            for (i, l) in labels.enumerated() {
                (p.baseAddress! + (i * classCount + l) * spatial).update(repeating: 1, count: spatial)
            }
        }
        return Tensor.concatenate([images, planes])
    }

    /// Generates images in [-1, 1] for `labels` from latent draws of `rng`.
    public func generate(labels: [Int], using rng: inout CounterRandom) -> Tensor {
        let z = Tensor(shape: [labels.count, latentSize],
                       scalars: (0..<(labels.count * latentSize)).map { _ in Float(rng.normal()) })
        return generator(Tensor.concatenate([z, oneHot(labels)]))
    }

    /// The discriminator and generator losses of one step (means over the batch).
    public struct StepLoss: Sendable {
        public var discriminator: Double, generator: Double
        public init(discriminator: Double, generator: Double) {
            self.discriminator = discriminator
            self.generator = generator
        }
    }

    /// The discriminator's logits for `images` of `labels`. When its first layer is a `Conv2d` over the image and the
    /// label planes, the planes enter as per-label biases instead of being built (see `Conv2d.forward(_:labels:classCount:)`);
    /// the discriminator's `backward` then returns the gradient of the image channels only.
    func discriminate(_ images: Tensor, _ labels: [Int]) -> Tensor {
        guard let first = discriminator.layers.first as? Conv2d, first.inChannels == imageShape[0] + classCount else {
            return discriminator(withLabelPlanes(images, labels))
        }
        var x = first.forward(images, labels: labels, classCount: classCount)
        for layer in discriminator.layers.dropFirst() { x = layer.forward(x) }
        return x
    }

    /// One training step: a discriminator update on `real` (target 1) and a fresh fake batch (target 0, not
    /// back-propagated into the generator), then a generator update on the same fake batch (target 1). Afterwards the
    /// discriminator's gradients are those its update applied: the generator update back-propagates through it without
    /// adding to them.
    /// - Parameters:
    ///   - real: `[n] + imageShape`, scaled to [-1, 1].
    ///   - noise: the generator z is drawn from.
    public func trainStep(real: Tensor, labels: [Int], generatorOptimizer: any Optimizer,
                          discriminatorOptimizer: any Optimizer, noise: inout CounterRandom) -> StepLoss {
        precondition(real.shape == [labels.count] + imageShape,
                     "ConditionalGAN.trainStep: real \(real.shape) for \(labels.count) labels of \(imageShape)")
        let n = labels.count
        let fake = generate(labels: labels, using: &noise)
        let ones = Tensor(shape: [n, 1], repeating: 1), zeros = Tensor(shape: [n, 1])

        // Neither real data nor the detached fake batch needs dLoss/dInput.
        discriminatorOptimizer.zeroGradients()
        let lossReal = Losses.binaryCrossEntropyWithLogits(discriminate(real, labels), ones)
        _ = discriminator.backward(lossReal.gradient, needsInputGradient: false)
        let lossFake = Losses.binaryCrossEntropyWithLogits(discriminate(fake, labels), zeros)
        _ = discriminator.backward(lossFake.gradient, needsInputGradient: false)
        discriminatorOptimizer.step()

        generatorOptimizer.zeroGradients()
        let lossG = Losses.binaryCrossEntropyWithLogits(discriminate(fake, labels), ones)
        // The discriminator's parameter gradients stay those of its own update (autograd would add these and discard them).
        var dImages = withoutParameterGradients(discriminator) { discriminator.backward(lossG.gradient) }
        if dImages.shape[1] != imageShape[0] { dImages = dImages.split(sizes: [imageShape[0], classCount])[0] }
        // The generator's input (noise and one-hot label) needs no gradient either.
        _ = generator.backward(dImages, needsInputGradient: false)
        generatorOptimizer.step()
        return StepLoss(discriminator: lossReal.value + lossFake.value, generator: lossG.value)
    }
}
