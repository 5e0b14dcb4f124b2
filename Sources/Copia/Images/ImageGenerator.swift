import CopiaLearn
import Foundation

/// The training split's pixels as the generate stage's model sees them: one row per image, values scaled to [0, 1].
struct GeneratorTrainingSet {
    /// `[n, width × height × channels]`, channels interleaved as in the image.
    var data: Tensor
    /// Each row's class, an index into `classes`.
    var labels: [Int]
    var classes: [String]
    /// The shape every training image shares, and every generated image has.
    var shape: ImageInfo

    /// The largest image the fully connected VAE is offered (values per image): 128x128 grey or 64x64 RGB.
    static let maxValuesPerImage = 16_384

    /// Reads and decodes every training image (checking each still has the hash the input check recorded).
    /// - Throws: `RunError` naming the first image whose size, channels or depth differ from the first training
    ///   image's, an image too large for the model, or a training split with no image.
    static func read(index: SampleIndex, facts: [InputFacts], splits: [Split], stage: GenerateStage) throws -> GeneratorTrainingSet {
        let members = index.samples.indices.filter { splits[$0] == .train }
        guard let first = members.first else { throw RunError("generate \"\(stage.name)\": the training split is empty; there is nothing to learn from") }
        let shape = facts[first].info
        guard shape.sampleCount <= maxValuesPerImage else {
            throw RunError("\(index.samples[first].locator): \(shape.width)x\(shape.height)x\(shape.channels) is \(shape.sampleCount) values; the generate stage's VAE takes up to \(maxValuesPerImage) (e.g. 128x128 grey or 64x64 RGB)")
        }
        for i in members where facts[i].info != shape {
            throw RunError("\(index.samples[i].locator): \(facts[i].info), but the generate stage needs every training image shaped like \(index.samples[first].locator) (\(shape))")
        }
        let classes = index.classes
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let decoder = ImageDecoder(limits: DecodeLimits(maxPixels: Int.max))
        let hasher = SHA256()
        let width = shape.sampleCount
        let scale = 1 / Float(shape.depth.maxValue)
        var scalars = [Float](repeating: 0, count: members.count * width)
        var bytes: [UInt8] = []
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        for (row, i) in members.enumerated() {
            let sample = index.samples[i]
            try FileIO.read(sample.locator, into: &bytes)
            hasher.update(bytes)
            let hash = hasher.finish()
            guard hash == facts[i].sha256 else { throw RunError("\(sample.locator): changed during the run (sha256 \(hash), was \(facts[i].sha256))") }
            do { try decoder.decode(bytes, into: &image) } catch { throw RunError(error.at(sample.locator).description) }
            let base = row * width
            if shape.depth == .uint8 {
                for k in 0..<width { scalars[base + k] = Float(image.bytes[k]) * scale }
            } else {
                for k in 0..<width { scalars[base + k] = Float(image.words[k]) * scale }
            }
        }
        return GeneratorTrainingSet(data: Tensor(shape: [members.count, width], scalars: scalars),
                                    labels: members.map { classIndex[index.samples[$0].label]! }, classes: classes, shape: shape)
    }

    /// One-hot rows for `labels` over `classCount` classes.
    static func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
        var t = Tensor(shape: [labels.count, classCount])
        for (r, c) in labels.enumerated() { t.scalars[r * classCount + c] = 1 }
        return t
    }
}

/// What a generated image needs to be decoded again: the architecture and the trained weights. Sendable, so every
/// worker builds its own model from it (layers keep activations, so one model is never shared between threads).
struct GeneratorSnapshot: Sendable {
    var name: String
    var hiddenSize: Int
    var latentSize: Int
    var classes: [String]
    var shape: ImageInfo
    var checkpoint: Checkpoint
    /// The checkpoint file, relative to the output folder, and its SHA-256.
    var path: String
    var sha256: String

    /// The manifest's reference to this generator.
    var reference: JSONValue {
        ["name": .string(name), "model": "vae", "checkpoint": .string(path), "sha256": .string(sha256)]
    }

    /// The metadata written into the checkpoint, so that a checkpoint alone rebuilds its model (replay needs nothing else).
    var metadata: [String: String] {
        ["model": "vae", "name": name, "hiddenSize": String(hiddenSize), "latentSize": String(latentSize),
         "classes": JSONWriter.compact(.array(classes.map { .string($0) })), "width": String(shape.width),
         "height": String(shape.height), "channels": String(shape.channels), "depth": shape.depth.rawValue]
    }

    /// Rebuilds the snapshot from a checkpoint file written by a run.
    /// - Throws: `RunError` naming the file when it is missing, changed (its hash differs from `expectedSHA256`) or
    ///   lacks the generator's metadata.
    static func load(path: String, relativePath: String, expectedSHA256: String) throws -> GeneratorSnapshot {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: path, expectedSHA256: expectedSHA256).checkpoint } catch { throw RunError("\(error)") }
        let m = checkpoint.metadata
        guard m["model"] == "vae", let name = m["name"], let hidden = m["hiddenSize"].flatMap({ Int($0) }), let latent = m["latentSize"].flatMap({ Int($0) }),
              let classesText = m["classes"], let classes = (try? JSONParser.parse(Array(classesText.utf8)))?.arrayValue?.compactMap(\.stringValue),
              let width = m["width"].flatMap({ Int($0) }), let height = m["height"].flatMap({ Int($0) }), let channels = m["channels"].flatMap({ Int($0) }),
              let depth = m["depth"].flatMap(PixelDepth.init(rawValue:)) else {
            throw RunError("\(path): not a generate-stage checkpoint (its metadata lacks the model's architecture)")
        }
        return GeneratorSnapshot(name: name, hiddenSize: hidden, latentSize: latent, classes: classes,
                                 shape: ImageInfo(width: width, height: height, channels: channels, depth: depth),
                                 checkpoint: checkpoint, path: relativePath, sha256: expectedSHA256)
    }

    /// A fresh model with the snapshot's weights.
    func makeModel() throws -> VariationalAutoencoder {
        var rng = CounterRandom(seed: 0, stage: "generate", sample: "restore")
        let model = VariationalAutoencoder(inputSize: shape.sampleCount, hiddenSize: hiddenSize, latentSize: latentSize,
                                           conditionSize: classes.count, rng: &rng)
        do { try checkpoint.restore(into: model, source: path) } catch { throw RunError("\(error)") }
        return model
    }

    /// The latent code of generated sample `key` (`"<class>#<n>"`): `latentSize` standard normals from its own key.
    static func latentCode(seed: UInt64, name: String, key: String, size: Int) -> [Float] {
        var rng = CounterRandom(seed: seed, stage: "generate/\(name)", sample: key)
        return (0..<size).map { _ in Float(rng.normal()) }
    }

    /// Decodes one latent code for `classIndex` into an image of the snapshot's shape (a batch of one, so the run and
    /// replay compute exactly the same products). Pixel values are the decoder's probabilities × the depth's maximum,
    /// rounded half away from zero.
    static func decode(_ z: [Float], classIndex: Int, model: VariationalAutoencoder, shape: ImageInfo, classCount: Int) -> Image {
        let probabilities = model.decode(Tensor(shape: [1, z.count], scalars: z),
                                         conditions: GeneratorTrainingSet.oneHot([classIndex], classCount: classCount)).scalars
        var image = Image(info: shape)
        let top = Float(shape.depth.maxValue)
        if shape.depth == .uint8 {
            for k in probabilities.indices { image.bytes[k] = UInt8(min(top, max(0, (probabilities[k] * top).rounded()))) }
        } else {
            for k in probabilities.indices { image.words[k] = UInt16(min(top, max(0, (probabilities[k] * top).rounded()))) }
        }
        return image
    }
}

/// Trains the generate stage's conditional VAE (Kingma & Welling, 2014; Sohn et al., 2015) on the training split.
///
/// Deterministic: the weights start from `CounterRandom(seed, "generate/<name>", "init")`, each epoch's order and noise
/// come from keys of their own, and the BLAS uses the threads CopiaLearn configures (one, unless
/// `OPENBLAS_NUM_THREADS` says otherwise), never `--jobs`: the same seed, data and machine give the same checkpoint bytes.
struct GeneratorTrainer {
    let stage: GenerateStage
    let seed: UInt64
    let set: GeneratorTrainingSet

    var stepsPerEpoch: Int { (set.data.shape[0] + stage.batchSize - 1) / stage.batchSize }
    private var rngStage: String { "generate/\(stage.name)" }

    /// A model with the stage's architecture and seeded initial weights.
    func makeModel() -> VariationalAutoencoder {
        var rng = CounterRandom(seed: seed, stage: rngStage, sample: "init")
        return VariationalAutoencoder(inputSize: set.shape.sampleCount, hiddenSize: stage.hiddenSize, latentSize: stage.latentSize,
                                      conditionSize: set.classes.count, rng: &rng)
    }

    /// The rows of every batch of `epoch`, shuffled by the epoch's own key (the last batch may be smaller).
    func batches(epoch: Int) -> [[Int]] {
        var order = Array(0..<set.data.shape[0])
        var rng = CounterRandom(seed: seed, stage: rngStage, sample: "order#\(epoch)")
        rng.shuffle(&order)
        return stride(from: 0, to: order.count, by: stage.batchSize).map { Array(order[$0..<min(order.count, $0 + stage.batchSize)]) }
    }

    /// One forward and backward pass on `rows`; returns the loss per image.
    func accumulate(_ model: VariationalAutoencoder, rows: [Int], noise: inout CounterRandom) -> VariationalAutoencoder.StepLoss {
        let batch = set.data.gatherRows(rows)
        let conditions = GeneratorTrainingSet.oneHot(rows.map { set.labels[$0] }, classCount: set.classes.count)
        var loss = model.accumulateGradients(batch, conditions: conditions, noise: &noise)
        let n = Double(rows.count)
        loss.total /= n
        loss.reconstruction /= n
        loss.kl /= n
        return loss
    }

    struct Outcome {
        var model: VariationalAutoencoder
        /// Mean loss per image of each epoch.
        var epochLosses: [Double]
        var steps: Int
    }

    /// Trains for the stage's epochs with Adam, logging per-epoch losses, the learning rate and the gradient norm to
    /// `log` (TensorBoard and JSON lines), weight and gradient histograms every tenth of the run, and a grid of one
    /// generated image per class at the end.
    /// - Throws: `RunError` when the loss stops being finite (naming the epoch), or when the log cannot be written.
    func train(log: SummaryWriter?) throws -> Outcome {
        let model = makeModel()
        let optimizer = Adam(parameters: model.allParameters, learningRate: Float(stage.learningRate))
        let total = stage.epochs * stepsPerEpoch
        let schedule: any LearningRateSchedule = stage.schedule == .cosine
            ? CosineSchedule(peak: Float(stage.learningRate), totalSteps: total) : ConstantSchedule(rate: Float(stage.learningRate))
        var step = 0
        var losses: [Double] = []
        let histogramEvery = max(1, stage.epochs / 10)
        for epoch in 0..<stage.epochs {
            var noise = CounterRandom(seed: seed, stage: rngStage, sample: "noise#\(epoch)")
            var sum = 0.0, reconstruction = 0.0, kl = 0.0, gradientNorm = 0.0
            for rows in batches(epoch: epoch) {
                optimizer.learningRate = schedule.learningRate(atStep: step)
                optimizer.zeroGradients()
                let loss = accumulate(model, rows: rows, noise: &noise)
                guard loss.total.isFinite else {
                    throw RunError("generate \"\(stage.name)\": the loss became \(loss.total) in epoch \(epoch + 1); lower learningRate (try copia lr-find)")
                }
                gradientNorm = GradientClipping.globalNorm(optimizer.parameters)
                optimizer.step()
                step += 1
                let n = Double(rows.count)
                sum += loss.total * n
                reconstruction += loss.reconstruction * n
                kl += loss.kl * n
            }
            let n = Double(set.data.shape[0])
            losses.append(sum / n)
            if let log {
                try log.addScalar("loss/total", sum / n, step: epoch + 1)
                try log.addScalar("loss/reconstruction", reconstruction / n, step: epoch + 1)
                try log.addScalar("loss/kl", kl / n, step: epoch + 1)
                try log.addScalar("learning_rate", Double(optimizer.learningRate), step: epoch + 1)
                try log.addScalar("gradient_norm", gradientNorm, step: epoch + 1)
                if (epoch + 1) % histogramEvery == 0 || epoch + 1 == stage.epochs { try log.addHistograms(of: model, step: epoch + 1) }
            }
        }
        if let log {
            try logSamples(model, to: log, step: stage.epochs)
            try log.flush()
        }
        return Outcome(model: model, epochLosses: losses, steps: step)
    }

    /// One decoded image per class (latent code zero, the prior's mode), as a TensorBoard image grid.
    private func logSamples(_ model: VariationalAutoencoder, to log: SummaryWriter, step: Int) throws {
        let shape = set.shape
        guard shape.colorChannels == shape.channels, [1, 3].contains(shape.channels) else { return }
        let k = set.classes.count
        let decoded = model.decode(Tensor(shape: [k, stage.latentSize]), conditions: GeneratorTrainingSet.oneHot(Array(0..<k), classCount: k))
        // Interleaved [k, h, w, c] to planar [k, c, h, w].
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        var planar = Tensor(shape: [k, c, h, w])
        for i in 0..<k { for y in 0..<h { for x in 0..<w { for ch in 0..<c {
            planar.scalars[((i * c + ch) * h + y) * w + x] = decoded.scalars[((i * h + y) * w + x) * c + ch]
        } } } }
        try log.addImage("samples/per_class", ImageGrid(planar, columns: min(k, 10)), step: step)
    }

    /// The learning-rate range test (Smith, 2017) on this model and data: Adam, batches in epoch order, the rate
    /// growing exponentially over `finder.steps` steps.
    func findLearningRate(_ finder: LearningRateFinder) -> LearningRateFinder.Result {
        let model = makeModel()
        let optimizer = Adam(parameters: model.allParameters, learningRate: finder.startRate)
        let perEpoch = stepsPerEpoch
        var cached: (epoch: Int, batches: [[Int]]) = (-1, [])
        var noise = CounterRandom(seed: seed, stage: rngStage, sample: "lr-find")
        return finder.run(model: model, optimizer: optimizer, batch: { step -> [Int] in
            let epoch = step / perEpoch
            if cached.epoch != epoch { cached = (epoch, batches(epoch: epoch)) }
            return cached.batches[step % perEpoch]
        }, loss: { rows in
            accumulate(model, rows: rows, noise: &noise).total
        })
    }
}
