import CopiaLearn

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
