import Copia
import CopiaCLI
import CopiaTestSupport
import Foundation
import Testing

/// A run killed with SIGKILL part-way and resumed ends complete, with no partial files, byte-identical to an
/// uninterrupted run.
@Suite struct ResumeTests {
    @Test func runKilledWithSIGKILLResumesToTheSameBytes() throws {
        guard let copia = TestSupport.copiaExecutable else {
            Issue.record("the copia executable is not built; run `swift build` before `swift test` (scripts/dev.sh test does)")
            return
        }
        let root = TestSupport.temporaryFolder("resume")
        try TestSupport.makeImageFolder(at: root + "/data", counts: [80, 10, 6], size: 32)
        let pipeline = root + "/p.json"
        try FileIO.writeAtomically("""
        {"version": 1, "seed": 11, "stages": [
          {"stage": "source", "path": "\(root)/data"},
          {"stage": "split", "test": 0.1},
          {"stage": "augment", "copies": 1, "ops": [
            {"op": "Rotate", "limit": 20, "interpolation": "bicubic", "p": 1},
            {"op": "RandomResizedCrop", "size": [32, 32], "scale": [0.5, 1], "p": 1}]},
          {"stage": "balance"},
          {"stage": "write", "path": "\(root)/killed"}]}
        """, to: pipeline)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: copia)
        process.arguments = ["run", pipeline, "--jobs", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once a good part of the manifest is written, but before the end.
        let manifest = root + "/killed/manifest.jsonl"
        var lines = 0
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline {
            lines = (try? FileIO.read(manifest))?.filter { $0 == 0x0A }.count ?? 0
            if lines >= 60 { break }
            usleep(2000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed; make the dataset larger")
        #expect(!FileIO.exists(root + "/killed/dataset.json"))
        #expect(CopiaMain.capture(["verify", root + "/killed"]).status == 1)

        let resumed = CopiaMain.capture(["run", pipeline, "--resume", "--jobs", "2"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("kept from the interrupted run"))
        #expect(CopiaMain.capture(["verify", root + "/killed"]).status == 0)
        #expect(try FileIO.walk(root + "/killed").filter { $0.hasSuffix(".partial") } == [])

        let clean = CopiaMain.capture(["run", pipeline, "--out", root + "/clean", "--jobs", "1"])
        #expect(clean.status == 0)
        var a = try TestSupport.fileHashes(under: root + "/killed"), b = try TestSupport.fileHashes(under: root + "/clean")
        a["dataset.json"] = nil
        b["dataset.json"] = nil
        #expect(TestSupport.differences(a, b) == [])
        #expect(try TestSupport.datasetWithoutTimings(root + "/killed") == TestSupport.datasetWithoutTimings(root + "/clean"))
    }

    @Test func resumeRefusesAFolderFromAnotherSpec() throws {
        let root = TestSupport.temporaryFolder("resume-other")
        try TestSupport.makeImageFolder(at: root + "/data", counts: [6, 2], size: 8)
        for seed in [1, 2] {
            try FileIO.writeAtomically("""
            {"version": 1, "seed": \(seed), "stages": [{"stage": "source", "path": "\(root)/data"},
             {"stage": "augment", "ops": [{"op": "HorizontalFlip"}]}, {"stage": "balance"}, {"stage": "write", "path": "\(root)/out"}]}
            """, to: root + "/p\(seed).json")
        }
        #expect(CopiaMain.capture(["run", root + "/p1.json", "--stop-after", "3"]).status == 0)
        let result = CopiaMain.capture(["run", root + "/p2.json", "--resume"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("was started with a different pipeline spec"))
    }
}
