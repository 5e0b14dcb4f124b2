import Copia
import CopiaCLI
import CopiaTestSupport
import Foundation
import Testing

@Suite struct CommandTests {
    @Test func committedSchemaIsWhatCopiaSchemaPrints() throws {
        let result = CopiaMain.capture(["schema"])
        #expect(result.status == 0)
        let committed = String(decoding: try FileIO.read(TestSupport.repo("Pipelines/pipeline.schema.json")), as: UTF8.self)
        #expect(result.stdout == committed, "regenerate with: swift run copia schema > Pipelines/pipeline.schema.json")
    }

    @Test func everyCommittedPipelineValidatesAgainstTheSchemaAndTheReader() throws {
        let schema = try JSONParser.parse(try FileIO.read(TestSupport.repo("Pipelines/pipeline.schema.json")))
        let validator = JSONSchemaValidator(schema: schema)
        let files = try FileIO.list(TestSupport.repo("Pipelines")).filter { $0.hasSuffix(".json") && $0 != "pipeline.schema.json" }
        #expect(files.count >= 3)
        for file in files {
            let path = TestSupport.repo("Pipelines/" + file)
            #expect(validator.validate(try JSONParser.parse(try FileIO.read(path))) == [], "\(file)")
            #expect(CopiaMain.capture(["validate", path]).status == 0, "\(file)")
        }
    }

    @Test func theSchemaRejectsWhatTheReaderRejects() throws {
        let schema = try JSONParser.parse(try FileIO.read(TestSupport.repo("Pipelines/pipeline.schema.json")))
        let validator = JSONSchemaValidator(schema: schema)
        let bad = try JSONParser.parse(#"{"version": 1, "stages": [{"stage": "source", "path": "x"}, {"stage": "augment", "ops": [{"op": "Rotate", "p": 1.5}]}]}"#)
        #expect(validator.validate(bad).contains { $0.contains("$.stages[1]") })
    }

    @Test func opsListsEveryRegisteredOpWithItsDefaults() throws {
        let result = CopiaMain.capture(["ops", "--json"])
        #expect(result.status == 0)
        let listed = try JSONParser.parse(result.stdout).arrayValue!.map { $0["op"]!.stringValue! }
        #expect(listed == ImageOps.names)
        let rotate = try JSONParser.parse(result.stdout).arrayValue!.first { $0["op"] == "Rotate" }!
        #expect(rotate["defaults"]?["p"] != nil)
    }

    @Test func opsWithSamplersListsEveryTableSampler() throws {
        let result = CopiaMain.capture(["ops", "--samplers", "--json"])
        #expect(result.status == 0)
        let names = try JSONParser.parse(result.stdout).arrayValue!.map { $0["sampler"]!.stringValue! }
        #expect(Set(names) == Set(SamplerStage.overSamplers + SamplerStage.underSamplers))
    }

    @Test func validateReportsEveryProblemAndExits64() throws {
        let folder = TestSupport.temporaryFolder("validate")
        let path = folder + "/p.json"
        try FileIO.writeAtomically(#"{"version": 2, "seed": -1, "stages": [{"stage": "sauce", "path": "x"}]}"#, to: path)
        let result = CopiaMain.capture(["validate", path])
        #expect(result.status == 64)
        #expect(result.stderr.contains("\(path): $.version: unsupported version 2"))
        #expect(result.stderr.contains("\(path): $.seed: must be in 0...2147483647, got -1"))
        #expect(result.stderr.contains("\(path): $.stages[0].stage: unknown stage \"sauce\" (did you mean \"source\"?)"))
    }

    @Test func badUsageExits64() {
        #expect(CopiaMain.capture(["run"]).status == 64)
        #expect(CopiaMain.capture(["run", "x.json", "--jobs", "0"]).status == 64)
        #expect(CopiaMain.capture(["frobnicate"]).status == 64)
    }

    @Test func verifyFindsAChangedFileAndAStrayOne() throws {
        let root = TestSupport.temporaryFolder("verify")
        try TestSupport.makeImageFolder(at: root + "/data", counts: [5, 2], size: 10)
        let pipeline = root + "/p.json"
        try FileIO.writeAtomically("""
        {"version": 1, "stages": [{"stage": "source", "path": "\(root)/data"}, {"stage": "augment", "ops": [{"op": "VerticalFlip"}]},
         {"stage": "balance"}, {"stage": "write", "path": "\(root)/out"}]}
        """, to: pipeline)
        #expect(CopiaMain.capture(["run", pipeline]).status == 0)
        #expect(CopiaMain.capture(["verify", root + "/out"]).status == 0)
        let victim = root + "/out/train/class1/img_0000.png"
        var bytes = try FileIO.read(victim)
        bytes[bytes.count - 20] ^= 0xFF
        try FileIO.writeAtomically(bytes, to: victim)
        try FileIO.writeAtomically("stray", to: root + "/out/train/class0/stray.png")
        let result = CopiaMain.capture(["verify", root + "/out"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(victim): sha256"))
        #expect(result.stderr.contains("\(root)/out/train/class0/stray.png: not in the manifest"))
    }

    @Test func replayRegeneratesTheFileByID() throws {
        let root = TestSupport.temporaryFolder("replay")
        try TestSupport.makeImageFolder(at: root + "/data", counts: [4, 1], size: 20)
        let pipeline = root + "/p.json"
        try FileIO.writeAtomically("""
        {"version": 1, "seed": 5, "stages": [{"stage": "source", "path": "\(root)/data"},
         {"stage": "augment", "ops": [{"op": "Rotate", "limit": 30, "p": 1}]}, {"stage": "balance"}, {"stage": "write", "path": "\(root)/out"}]}
        """, to: pipeline)
        #expect(CopiaMain.capture(["run", pipeline]).status == 0)
        let result = CopiaMain.capture(["replay", root + "/out/manifest.jsonl", "--id", "train/class1/img_0000_bal001", "-o", root + "/again.png"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileIO.read(root + "/again.png") == FileIO.read(root + "/out/train/class1/img_0000_bal001.png"))
        let missing = CopiaMain.capture(["replay", root + "/out/manifest.jsonl", "--id", "train/class1/img_0000_bal01"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("did you mean \"train/class1/img_0000_bal001\""))
        // A run from another version whose bytes differ: the mismatch names both versions.
        let summaryPath = root + "/out/dataset.json"
        let summary = try String(decoding: FileIO.read(summaryPath), as: UTF8.self)
        try FileIO.writeAtomically(summary.replacingOccurrences(of: "\"copia\": \"\(copiaVersion)\"", with: "\"copia\": \"0.0.1\""), to: summaryPath)
        let manifestPath = root + "/out/manifest.jsonl"
        let manifestText = try String(decoding: FileIO.read(manifestPath), as: UTF8.self)
        let line = manifestText.split(separator: "\n").first { $0.contains("\"train/class1/img_0000_bal001\"") }!
        let hash = String(line.components(separatedBy: "\"sha256\":\"")[1].prefix(64))  // the output's, before the sources
        try FileIO.writeAtomically(manifestText.replacingOccurrences(of: hash, with: String(repeating: "0", count: 64)), to: manifestPath)
        let other = CopiaMain.capture(["replay", manifestPath, "--id", "train/class1/img_0000_bal001"])
        #expect(other.status == 1)
        #expect(other.stderr.contains("made by Copia 0.0.1 and this is \(copiaVersion)"), "\(other.stderr)")
    }
}

@Suite struct LearningRateFindCommandTests {
    /// A short range test through the command line writes the plot and the curve and prints the suggestion.
    @Test func lrFindWritesAPlotAndSuggestsARate() throws {
        let folder = TestSupport.temporaryFolder("lr-find")
        let pipeline = folder + "/digits-vae.json"
        try FileIO.writeAtomically(Array(try TestSupport.pipelineText("digits-vae.json").utf8), to: pipeline)
        let result = CopiaMain.capture(["lr-find", pipeline, "--stage", "digits-vae", "--out", folder + "/lr", "--steps", "40"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("suggested learning rate: "))
        let svg = String(decoding: try FileIO.read(folder + "/lr/lr-find.svg"), as: UTF8.self)
        #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
        let curve = try JSONParser.parse(try FileIO.read(folder + "/lr/lr-find.json"))
        #expect(curve["rates"]?.arrayValue?.count ?? 0 >= 10)
        #expect(curve["suggestedRate"]?.numberValue.map { $0 > 0 } == true)
    }

    @Test func lrFindNamesTheMissingStageAndExits64() throws {
        let folder = TestSupport.temporaryFolder("lr-find-bad")
        let pipeline = folder + "/digits.json"
        try FileIO.writeAtomically(Array(try TestSupport.pipelineText("digits.json").utf8), to: pipeline)
        let missing = CopiaMain.capture(["lr-find", pipeline, "--stage", "vae"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no model-bearing stage \"vae\""), "\(missing.stderr)")
        let badSteps = CopiaMain.capture(["lr-find", pipeline, "--stage", "vae", "--steps", "1"])
        #expect(badSteps.status == 64)
        #expect(badSteps.stderr.contains("--steps"), "\(badSteps.stderr)")
    }
}
