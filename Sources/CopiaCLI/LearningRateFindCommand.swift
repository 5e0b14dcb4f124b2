import ArgumentParser
import Copia
import CopiaLearn
import Foundation

/// `copia lr-find PIPELINE --stage NAME`: the learning-rate range test on a model-bearing stage.
struct LearningRateFindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Runs a learning-rate range test on a pipeline's generate stage and suggests a rate.",
        discussion: """
        Trains the stage's model on the training split for a few hundred steps while the rate grows exponentially, \
        writes the loss against the rate as an SVG plot and JSON, and prints the rate where the loss falls fastest \
        (Smith, 2017). Put the suggestion in the stage's learningRate. Nothing else is written.
        """
    )

    @Argument(help: "The pipeline JSON file.")
    var pipeline: String

    @Option(name: .long, help: "The generate stage: its name, or its index in stages.")
    var stage: String

    @Option(name: .long, help: "Folder for lr-find.svg and lr-find.json (default: the write stage's path + \"-lr-find\").")
    var out: String?

    @Option(name: .long, help: "Steps of the test.")
    var steps: Int = 200

    @Option(name: .long, help: "The first learning rate.")
    var startRate: Double = 1e-6

    @Option(name: .long, help: "The last learning rate.")
    var endRate: Double = 1

    @Option(name: .long, help: "Worker threads for the input check.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard steps >= 3 else { throw ValidationError("--steps must be at least 3, got \(steps)") }
        guard startRate > 0, endRate > startRate, startRate.isFinite, endRate.isFinite else {
            throw ValidationError("need 0 < --start-rate < --end-rate, got \(startRate) and \(endRate)")
        }
    }

    func run() throws {
        let loaded = try Pipeline.load(pipeline)
        guard let folder = out ?? loaded.spec.write?.path.map({ $0 + "-lr-find" }) else {
            throw SpecError(file: pipeline, "no output folder: give the write stage a path, or pass --out")
        }
        let finder = LearningRateFinder(startRate: Float(startRate), endRate: Float(endRate), steps: steps)
        let search = try loaded.findLearningRate(stage: stage, finder: finder, jobs: max(1, jobs))
        try FileIO.makeDirectories(folder)
        let plot = FileIO.join(folder, "lr-find.svg"), data = FileIO.join(folder, "lr-find.json")
        do {
            try search.result.writePlot(to: plot, title: "Learning-rate range test: \(search.stage)")
        } catch {
            throw RunError("\(error)")
        }
        try FileIO.writeAtomically(JSONWriter.pretty(search.json), to: data)
        say("\(search.stage): \(search.result.rates.count) steps on \(search.trainingImages) training images")
        say("suggested learning rate: \(format(search.result.suggestedRate)) (steepest descent of the loss)")
        say("lowest loss at \(format(search.result.minimumLossRate)); a tenth of it is a common cautious choice")
        say("plot: \(plot)")
        say("data: \(data)")
    }

    private func format(_ rate: Float) -> String { String(format: "%.3g", Double(rate)) }
}
