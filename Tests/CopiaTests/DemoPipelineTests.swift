import Copia
import CopiaTestSupport
import Foundation
import Testing

/// The demo pipeline on the committed digits, end to end: the acceptance checks of the foundation.
@Suite(.serialized) struct DemoPipelineTests {
    static func run(jobs: Int, out: String) throws -> RunSummary {
        let text = try TestSupport.pipelineText("digits.json")
        return try Pipeline.parse(text, file: "digits.json").run(RunOptions(out: out, jobs: jobs, showProgress: false))
    }

    @Test func demoBalancesEveryTrainingClassAndVerifies() throws {
        let out = TestSupport.temporaryFolder("demo")
        let summary = try Self.run(jobs: 2, out: out)
        #expect(Set(summary.after.values).count == 1, "\(summary.after)")
        #expect(summary.after["0"] == summary.before.values.max())
        let report = try Verifier.verify(out)
        #expect(report.ok, "\(report.problems)")
        // Every class folder of train holds the same number of files.
        let perClass = try FileIO.list(out + "/train").map { try FileIO.walk(out + "/train/" + $0).count }
        #expect(Set(perClass).count == 1)
    }

    @Test func outputsDoNotDependOnJobsOrOnRunningAgain() throws {
        let a = TestSupport.temporaryFolder("jobs1"), b = TestSupport.temporaryFolder("jobs2"), c = TestSupport.temporaryFolder("again")
        _ = try Self.run(jobs: 1, out: a)
        _ = try Self.run(jobs: 2, out: b)
        _ = try Self.run(jobs: 2, out: c)
        var fa = try TestSupport.fileHashes(under: a), fb = try TestSupport.fileHashes(under: b), fc = try TestSupport.fileHashes(under: c)
        for f in [a, b, c] { #expect(try TestSupport.datasetWithoutTimings(f) == TestSupport.datasetWithoutTimings(a)) }
        fa["dataset.json"] = nil
        fb["dataset.json"] = nil
        fc["dataset.json"] = nil
        #expect(fa.count > 1000)
        #expect(TestSupport.differences(fa, fb) == [])
        #expect(TestSupport.differences(fa, fc) == [])
    }

    @Test func replayingEveryManifestLineReproducesItsHash() throws {
        let out = TestSupport.temporaryFolder("replay")
        _ = try Self.run(jobs: 2, out: out)
        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl")
        let augmented = lines.filter { $0["origin"] == "augmented" }
        #expect(augmented.count > 500)
        #expect(augmented.contains { ($0["ops"]?.arrayValue?.count ?? 0) >= 2 })
        for line in lines {
            let result = try Replayer.replay(line: line)
            #expect(result.matches, "\(line["id"]!)")
        }
    }

    @Test func testSplitIsCopiedByteForByteAndNeverASource() throws {
        let out = TestSupport.temporaryFolder("heldout")
        _ = try Self.run(jobs: 2, out: out)
        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl")
        let test = lines.filter { $0["split"] == "test" }
        #expect(!test.isEmpty)
        var testSources = Set<String>()
        for line in test {
            let source = line["sources"]!.arrayValue![0]
            testSources.insert(source["id"]!.stringValue!)
            #expect(line["origin"] == "original")
            #expect(try FileIO.read(out + "/" + line["path"]!.stringValue!) == FileIO.read(source["path"]!.stringValue!))
        }
        for line in lines where line["origin"] != "original" {
            #expect(line["split"] == "train")
            for s in line["sources"]!.arrayValue! { #expect(!testSources.contains(s["id"]!.stringValue!)) }
        }
    }

    @Test func dryRunWritesNothing() throws {
        let out = TestSupport.temporaryFolder("dry") + "/never"
        let text = try TestSupport.pipelineText("digits.json")
        let summary = try Pipeline.parse(text).run(RunOptions(out: out, dryRun: true, showProgress: false))
        #expect(summary.planLines.first?.hasSuffix("outputs planned") == true)
        #expect(!FileIO.exists(out))
    }

    @Test func aSecondRunIntoTheSameFolderNeedsResumeOrOverwrite() throws {
        let out = TestSupport.temporaryFolder("twice")
        _ = try Self.run(jobs: 2, out: out)
        #expect(throws: RunError("\(out): already holds a Copia run; pass --resume to continue it or --overwrite to replace it")) {
            _ = try Self.run(jobs: 2, out: out)
        }
        let text = try TestSupport.pipelineText("digits.json")
        _ = try Pipeline.parse(text).run(RunOptions(out: out, overwrite: true, showProgress: false))
        #expect(try Verifier.verify(out).ok)
    }
}
