import CopiaLearn
import Foundation

/// Runs an image pipeline: scan, check inputs, split, plan, execute, finish.
struct ImageJob {
    let pipeline: Pipeline
    let out: String
    let options: RunOptions

    var spec: PipelineSpec { pipeline.spec }

    func run() throws -> RunSummary {
        let clock = ContinuousClock()
        let started = clock.now

        // Scan and check every input before anything is written, then split.
        let inputs = try CheckedInputs(pipeline, jobs: options.jobs, showProgress: options.showProgress)
        let (index, facts, splits, skipped) = (inputs.index, inputs.facts, inputs.splits, inputs.skipped)
        let scanned = clock.now

        // Plan from training samples only.
        let plan = ImagePlanner(spec: spec, index: index, facts: facts, splits: splits).plan()
        let planned = clock.now

        if options.dryRun {
            return makeSummary(plan: plan, written: [:], resumed: 0, skipped: skipped, seconds: (clock.now - started).seconds, planLines: plan.describe())
        }

        // Execute, appending manifest lines in recipe order.
        let folder = OutputFolder(root: out)
        let state = try folder.prepare(specHash: pipeline.specHash, planned: plan.count, seed: spec.seed,
                                       resume: options.resume, overwrite: options.overwrite)
        let resumed = try ImageExecution.checkResumedPrefix(state.completePaths, against: plan, in: out)
        try FileIO.writeAtomically(JSONWriter.pretty(pipeline.resolved), to: folder.path(OutputLayout.resolvedSpec))

        // Fit the generator on the training split (again on resume: training is deterministic, so it gives the same
        // checkpoint bytes, which the manifest lines already written name).
        var generatorRecord: JSONValue?
        var generator: GeneratorSnapshot?
        if let stage = spec.generate, plan.outputs.contains(where: { $0.kind == .generated }) {
            let set = try GeneratorTrainingSet.read(index: index, facts: facts, splits: splits, stage: stage)
            (generator, generatorRecord) = try Self.trainGenerator(stage, set: set, seed: spec.seed, out: out, showProgress: options.showProgress)
        }
        let trained = clock.now

        var execution = ImageExecution(plan: plan, index: index, facts: facts, out: out, write: spec.write!, seed: spec.seed)
        execution.generator = generator
        let manifest = try ManifestWriter(path: folder.path(OutputLayout.manifest), keepingBytes: state.manifestBytes)
        let end = options.stopAfter.map { min(plan.count, resumed + $0) } ?? plan.count
        let progress = ProgressLine(label: "copia run", total: end - resumed, enabled: options.showProgress && ProgressLine.stderrIsTerminal)
        try execution.execute(range: resumed..<end, jobs: options.jobs, manifest: manifest, progress: progress)
        progress.finish()
        let executed = clock.now
        if end < plan.count {
            return makeSummary(plan: plan, written: [:], resumed: resumed, skipped: skipped, seconds: (clock.now - started).seconds, planLines: [])
        }

        // Finish: dataset.json, and the run state goes away.
        var stageTimes = [("scanSeconds", (scanned - started).seconds), ("planSeconds", (planned - scanned).seconds)]
        if generator != nil { stageTimes.append(("trainSeconds", (trained - planned).seconds)) }
        stageTimes.append(("executeSeconds", (executed - trained).seconds))
        let timings = DatasetSummary.timings(stageTimes)
        var datasetSummary = DatasetSummary(classes: plan.classes, trainBefore: plan.trainCountsBefore, trainAfter: plan.trainCountsAfter,
                                     splitCounts: plan.splitCounts, outputs: plan.count,
                                     inputFingerprint: DatasetSummary.fingerprint(zip(index.samples, facts).map { ($0.id, $1.sha256) }),
                                     inputSamples: index.count, skipped: skipped)
        if let generatorRecord { datasetSummary.extra["generators"] = [generatorRecord] }
        let dataset = datasetSummary.json(pipeline: pipeline, manifestHash: manifest.finishHash(), timings: timings)
        try FileIO.writeAtomically(JSONWriter.pretty(dataset), to: folder.path(OutputLayout.dataset))
        folder.finishState()
        var written: [Split: Int] = [:]
        for o in plan.outputs { written[o.split, default: 0] += 1 }
        return makeSummary(plan: plan, written: written, resumed: resumed, skipped: skipped, seconds: (clock.now - started).seconds, planLines: [])
    }

    /// Trains the generate stage's model, writes its checkpoint (`generators/<name>.ckpt`) and TensorBoard logs
    /// (`logs/<name>/`), and returns the snapshot workers decode from with its dataset.json record.
    static func trainGenerator(_ stage: GenerateStage, set: GeneratorTrainingSet, seed: UInt64, out: String,
                               showProgress: Bool) throws -> (GeneratorSnapshot, JSONValue) {
        let trainer = GeneratorTrainer(stage: stage, seed: seed, set: set)
        if showProgress && ProgressLine.stderrIsTerminal {
            FileHandle.standardError.write(Data("copia: training \(stage.name) (conditional VAE, \(set.data.shape[0]) images, \(stage.epochs) epochs)\n".utf8))
        }
        let logDirectory = FileIO.join(out, "logs/\(stage.name)")
        let log: SummaryWriter
        do {
            // A fresh log per run; an interrupted run's event file would otherwise sit beside the new one.
            if FileIO.isDirectory(logDirectory) { try FileManager.default.removeItem(atPath: logDirectory) }
            log = try SummaryWriter(logDirectory: logDirectory)
        } catch { throw RunError("\(logDirectory): \(error)") }
        let outcome = try trainer.train(log: log)
        let relative = "generators/\(stage.name).ckpt"
        var snapshot = GeneratorSnapshot(name: stage.name, hiddenSize: stage.hiddenSize, latentSize: stage.latentSize, classes: set.classes,
                                         shape: set.shape, checkpoint: Checkpoint(step: 0, tensors: [:]), path: relative, sha256: "")
        snapshot.checkpoint = Checkpoint.capture(model: outcome.model, step: outcome.steps, metadata: snapshot.metadata)
        try FileIO.makeDirectories(FileIO.join(out, "generators"))
        do { snapshot.sha256 = try snapshot.checkpoint.write(to: FileIO.join(out, relative)) } catch { throw RunError("\(error)") }
        var counts = JSONObject()
        for (c, label) in set.classes.enumerated() { counts[label] = .number(Double(set.labels.count { $0 == c })) }
        let record: JSONValue = [
            "name": .string(stage.name),
            "model": "vae",
            "checkpoint": .string(relative),
            "sha256": .string(snapshot.sha256),
            "architecture": ["inputSize": .number(Double(set.shape.sampleCount)), "hiddenSize": .number(Double(stage.hiddenSize)),
                             "latentSize": .number(Double(stage.latentSize)), "conditions": .array(set.classes.map { .string($0) }),
                             "imageShape": [.number(Double(set.shape.height)), .number(Double(set.shape.width)), .number(Double(set.shape.channels))]],
            "trainingImages": .object(counts),
            "epochs": .number(Double(stage.epochs)),
            "steps": .number(Double(outcome.steps)),
            "finalLossPerImage": .number(outcome.epochLosses.last ?? .nan),
            "logs": .string("logs/\(stage.name)"),
        ]
        return (snapshot, record)
    }

    private func makeSummary(plan: ImagePlan, written: [Split: Int], resumed: Int, skipped: [String], seconds: Double, planLines: [String]) -> RunSummary {
        RunSummary(out: out, before: plan.trainCountsBefore, after: plan.trainCountsAfter, written: written, resumed: resumed,
                   planned: plan.count, skipped: skipped, seconds: seconds, planLines: planLines)
    }
}

/// An image pipeline's inputs after the scan and the input check, and their split: what a run plans from and what
/// `copia lr-find` trains on.
struct CheckedInputs {
    /// The samples that passed the check (all of them unless `onBadSample` is `skip`).
    var index: SampleIndex
    var facts: [InputFacts]
    var splits: [Split]
    /// One message per sample left out under `onBadSample: skip`.
    var skipped: [String]

    /// Scans the source, reads, hashes and checks every input, and splits.
    /// - Throws: `SpecError` for ops or methods masks cannot follow; `RunError` naming every bad input (unless they
    ///   are skipped), or a grouped split without groups.
    init(_ pipeline: Pipeline, jobs: Int, showProgress: Bool) throws {
        let spec = pipeline.spec
        let source = spec.source!
        var index = source.format == .imageFolder ? try ImageScan.imageFolder(source.path, masks: source.masks) : try ImageScan.labelsCSV(source)
        if index.samples.contains(where: { $0.mask != nil }) {
            let refused = MaskSupport.refusedOps(in: pipeline.resolved)
            if !refused.isEmpty {
                throw SpecError(file: pipeline.file, "\(Set(refused).sorted().joined(separator: ", ")) blend several images, so masks cannot follow them; remove them or the masks")
            }
            if spec.balance?.method == .generate {
                throw SpecError(file: pipeline.file, "balance method \"generate\" makes images without masks; use \"augment\" when the source has masks")
            }
        }
        let limits = DecodeLimits(maxPixels: source.maxPixels)
        let checking = ProgressLine(label: "copia: checking inputs", total: index.count, enabled: showProgress && ProgressLine.stderrIsTerminal)
        let checked = try InputCheck.run(index, limits: limits, jobs: jobs, progress: checking)
        var skipped: [String] = []
        var facts: [InputFacts] = []
        if !checked.failures.isEmpty {
            guard source.onBadSample == .skip else { throw RunError(checked.failures.map(\.message)) }
            skipped = checked.failures.map(\.message)
            let bad = Set(checked.failures.map(\.index))
            index = SampleIndex(samples: index.samples.enumerated().filter { !bad.contains($0.offset) }.map(\.element))
            facts = checked.facts.enumerated().filter { !bad.contains($0.offset) }.map { $0.element! }
        } else {
            facts = checked.facts.map { $0! }
        }
        if spec.split?.byGroup == true, index.samples.contains(where: { $0.group == nil }) {
            throw RunError("\(source.path): split.byGroup needs a group for every sample; set the source's groupColumn")
        }
        self.index = index
        self.facts = facts
        self.skipped = skipped
        if let split = spec.split {
            splits = Splitter(test: split.test, validation: split.validation, seed: spec.seed).assign(index, byGroup: split.byGroup)
        } else {
            splits = [Split](repeating: .train, count: index.count)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

extension ProgressLine {
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
