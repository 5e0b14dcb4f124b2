import Copia
import CopiaLearn
import CopiaTestSupport
import Foundation
import Testing

/// The generate stage: a conditional VAE trained on the training split fills classes, with its checkpoint in the
/// provenance; and `lr-find`'s library entry point on the same stage.
@Suite(.serialized) struct GenerateStageTests {
    /// `Pipelines/digits-vae.json`, shortened to a few epochs so the suite stays quick in debug builds.
    static func pipeline(epochs: Int = 4) throws -> Pipeline {
        var json = try JSONParser.parse(Array(try TestSupport.pipelineText("digits-vae.json").utf8)).objectValue!
        var stages = json["stages"]!.arrayValue!
        for (i, stage) in stages.enumerated() where stage["stage"] == "generate" {
            var s = stage.objectValue!
            s["epochs"] = .number(Double(epochs))
            s["hiddenSize"] = 32
            stages[i] = .object(s)
        }
        json["stages"] = .array(stages)
        return try Pipeline.parse(JSONWriter.pretty(.object(json)), file: "digits-vae.json")
    }

    static func run(jobs: Int, out: String) throws -> RunSummary {
        try pipeline().run(RunOptions(out: out, jobs: jobs, showProgress: false))
    }

    @Test func generatedImagesFillEveryClassAndVerify() throws {
        let out = TestSupport.temporaryFolder("generate")
        let summary = try Self.run(jobs: 2, out: out)
        #expect(Set(summary.after.values) == [summary.before.values.max()!], "\(summary.after)")
        #expect(try Verifier.verify(out).ok)

        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl")
        let generated = lines.filter { $0["origin"] == "generated" }
        let needed = summary.after.keys.reduce(0) { $0 + summary.after[$1]! - summary.before[$1]! }
        #expect(generated.count == needed)
        // Each generated line names the checkpoint dataset.json records, its class, and its latent code.
        let dataset = try JSONParser.parse(try FileIO.read(out + "/dataset.json")).objectValue!
        let record = dataset["generators"]![0]!.objectValue!
        let checkpoint = record["checkpoint"]!.stringValue!
        #expect(SHA256.hex(try FileIO.read(FileIO.join(out, checkpoint))) == record["sha256"]!.stringValue!)
        for line in generated {
            #expect(line["generator"]?["sha256"] == record["sha256"])
            #expect(line["condition"] == line["label"])
            #expect(line["latent"]?.arrayValue?.count == 8)
            #expect(line["sources"]?.arrayValue?.isEmpty == true)
        }
        // The model saw the training split only: its per-class counts are the training counts before balancing.
        for (label, count) in summary.before { #expect(record["trainingImages"]?[label]?.numberValue == Double(count)) }
        // TensorBoard event file and the JSON-lines scalars, one loss per epoch.
        let logs = try FileIO.list(out + "/logs/digits-vae")
        #expect(logs.contains { $0.hasPrefix("events.out.tfevents.") })
        let scalars = String(decoding: try FileIO.read(out + "/logs/digits-vae/scalars.jsonl"), as: UTF8.self)
        #expect(scalars.split(separator: "\n").filter { $0.contains("\"loss/total\"") }.count == 4)
    }

    @Test func everyGeneratedLineReplaysToItsBytes() throws {
        let out = TestSupport.temporaryFolder("generate-replay")
        _ = try Self.run(jobs: 2, out: out)
        let generated = try ManifestReader.lines(at: out + "/manifest.jsonl").filter { $0["origin"] == "generated" }
        #expect(generated.count > 100)
        for line in generated {
            let result = try Replayer.replay(line: line, manifest: out + "/manifest.jsonl")
            #expect(result.matches, "\(line["id"]!)")
        }
    }

    @Test func bytesDoNotDependOnJobs() throws {
        let a = TestSupport.temporaryFolder("generate-j1"), b = TestSupport.temporaryFolder("generate-j2")
        _ = try Self.run(jobs: 1, out: a)
        _ = try Self.run(jobs: 2, out: b)
        // logs/ holds wall-clock times (TensorBoard's), like dataset.json's timings; everything else is identical.
        func data(_ root: String) throws -> [String: String] { try TestSupport.fileHashes(under: root).filter { !$0.key.hasPrefix("logs/") && $0.key != "dataset.json" } }
        let (fa, fb) = (try data(a), try data(b))
        #expect(fa.keys.contains("generators/digits-vae.ckpt"))
        #expect(TestSupport.differences(fa, fb) == [])
        #expect(try TestSupport.datasetWithoutTimings(a) == TestSupport.datasetWithoutTimings(b))
    }

    @Test func aChangedCheckpointFailsVerifyAndReplay() throws {
        let out = TestSupport.temporaryFolder("generate-tamper")
        _ = try Self.run(jobs: 2, out: out)
        let path = out + "/generators/digits-vae.ckpt"
        var bytes = try FileIO.read(path)
        bytes[bytes.count - 1] ^= 1
        try FileIO.writeAtomically(bytes, to: path)
        let report = try Verifier.verify(out)
        #expect(report.problems.contains { $0.contains("digits-vae.ckpt") && $0.contains("sha256") }, "\(report.problems)")
        let line = try ManifestReader.lines(at: out + "/manifest.jsonl").first { $0["origin"] == "generated" }!
        #expect(throws: RunError.self) { try Replayer.replay(line: line, manifest: out + "/manifest.jsonl") }
    }

    @Test func imagesOfDifferentSizesAreRefusedNamingTheFile() throws {
        let root = TestSupport.temporaryFolder("generate-sizes")
        _ = try TestSupport.makeImageFolder(at: root, counts: [6, 3], size: 8, channels: 1)
        let odd = TestSupport.syntheticImage(width: 9, height: 8, channels: 1, seed: 3)
        try FileIO.writeAtomically(try PNGEncoder(level: 1).encode(odd), to: root + "/class1/odd.png")
        let text = """
        {"version": 1, "seed": 1, "stages": [
          {"stage": "source", "path": "\(root)"},
          {"stage": "generate", "epochs": 1},
          {"stage": "balance", "method": "generate"},
          {"stage": "write"}]}
        """
        let error = #expect(throws: RunError.self) {
            try Pipeline.parse(text).run(RunOptions(out: TestSupport.temporaryFolder("generate-sizes-out"), showProgress: false))
        }
        #expect(error?.description.contains("odd.png") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("9x8") == true, "\(error?.description ?? "")")
    }

    @Test func specMistakesAreReportedWithTheirPath() throws {
        func problems(_ stages: String) -> String {
            do {
                _ = try Pipeline.parse(#"{"version": 1, "stages": [\#(stages)]}"#)
                return ""
            } catch { return error.description }
        }
        let src = #"{"stage": "source", "path": "x"}"#, write = #"{"stage": "write", "path": "o"}"#
        #expect(problems("\(src), {\"stage\": \"balance\", \"method\": \"generate\"}, \(write)").contains("needs a generate stage"))
        #expect(problems("\(src), {\"stage\": \"balance\", \"method\": \"generate\"}, {\"stage\": \"generate\"}, \(write)")
            .contains("generate must come before the balance stage"))
        #expect(problems(#"{"stage": "source", "format": "table", "path": "x.csv"}, {"stage": "generate"}, \#(write)"#)
            .contains("generate works on images"))
        #expect(problems("\(src), {\"stage\": \"generate\", \"latentSize\": 0}, \(write)").contains("$.stages[1].latentSize"))
        #expect(problems("\(src), {\"stage\": \"generate\"}, {\"stage\": \"balance\"}, \(write)").contains("nothing uses this generate stage"))
        #expect(problems("\(src), {\"stage\": \"generate\", \"modle\": \"vae\"}, \(write)").contains("did you mean \"model\""))
        #expect(problems("\(src), {\"stage\": \"generate\", \"name\": \"../x\"}, \(write)").contains("$.stages[1].name"))
    }

    @Test func learningRateRangeTestSuggestsARateInsideItsRange() throws {
        let search = try Self.pipeline().findLearningRate(stage: "digits-vae", finder: LearningRateFinder(startRate: 1e-5, endRate: 1, steps: 60))
        #expect(search.trainingImages == 821)
        #expect(search.result.rates.count >= 10)
        #expect(search.result.suggestedRate >= 1e-5 && search.result.suggestedRate <= 1)
        // The loss falls from where it starts: the test found a rate that trains.
        #expect(search.result.smoothedLosses.min()! < search.result.losses[0])
        #expect(throws: SpecError.self) { try Self.pipeline().findLearningRate(stage: "nope") }
    }
}
