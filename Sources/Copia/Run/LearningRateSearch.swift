import CopiaLearn

/// `copia lr-find`: the learning-rate range test (Smith, 2017) on a pipeline's generate stage, with the data that
/// stage would train on (the training split only, after the same input check).
///
/// ```swift
/// let pipeline = try Pipeline.load("Pipelines/digits-vae.json")
/// let search = try pipeline.findLearningRate(stage: "generate")
/// try search.result.writePlot(to: "lr-find.svg")
/// print(search.result.suggestedRate)
/// ```
public struct LearningRateSearch: Sendable {
    /// The stage's name.
    public var stage: String
    /// Training images the test drew its batches from.
    public var trainingImages: Int
    public var result: LearningRateFinder.Result

    /// The curve and the suggestion as JSON: what `copia lr-find` writes beside the plot.
    public var json: JSONValue {
        [
            "stage": .string(stage),
            "trainingImages": .number(Double(trainingImages)),
            "suggestedRate": .number(Double(result.suggestedRate)),
            "minimumLossRate": .number(Double(result.minimumLossRate)),
            "rates": .array(result.rates.map { .number(Double($0)) }),
            "losses": .array(result.losses.map { $0.isFinite ? .number($0) : .null }),
            "smoothedLosses": .array(result.smoothedLosses.map { $0.isFinite ? .number($0) : .null }),
        ]
    }
}

extension Pipeline {
    /// Runs the range test on the model of the generate stage named `stage` (its `name`, or `generate`, or its index
    /// in `stages`), training on the pipeline's training split. Nothing is written.
    /// - Parameters:
    ///   - finder: the rates and step count (default 1e-6 to 1 over 200 steps).
    ///   - jobs: threads for the input check.
    /// - Throws: `SpecError` when no such stage exists or the source is not images; `RunError` for unreadable or
    ///   mismatched inputs, naming the file.
    public func findLearningRate(stage name: String, finder: LearningRateFinder = LearningRateFinder(startRate: 1e-6, endRate: 1, steps: 200),
                                 jobs: Int = 2) throws -> LearningRateSearch {
        let generateStages = spec.stages.enumerated().compactMap { i, s -> (Int, GenerateStage)? in
            if case .generate(let g) = s.body { (i, g) } else { nil }
        }
        guard let (_, stage) = generateStages.first(where: { $0.1.name == name || "\($0.0)" == name || "stages[\($0.0)]" == name || name == "generate" }) else {
            let names = generateStages.map { "\"\($0.1.name)\"" }
            let known = names.isEmpty ? "this pipeline has no generate stage (lr-find tunes a model-bearing stage)" : "its generate stages: \(names.joined(separator: ", "))"
            throw SpecError(file: file, "no model-bearing stage \"\(name)\"; \(known)")
        }
        guard let format = spec.source?.format, format != .table else {
            throw SpecError(file: file, "lr-find needs an image source")
        }
        let inputs = try CheckedInputs(self, jobs: max(1, jobs), showProgress: false)
        let set = try GeneratorTrainingSet.read(index: inputs.index, facts: inputs.facts, splits: inputs.splits, stage: stage)
        let result = GeneratorTrainer(stage: stage, seed: spec.seed, set: set).findLearningRate(finder)
        return LearningRateSearch(stage: stage.name, trainingImages: set.data.shape[0], result: result)
    }
}
