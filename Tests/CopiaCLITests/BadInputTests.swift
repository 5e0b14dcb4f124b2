import CopiaCLI
import CopiaCore
import CopiaImage
import CopiaTestSupport
import Foundation
import Testing

/// Every kind of bad input gets one clear line naming the place, a non-zero exit, and writes nothing.
@Suite struct BadInputTests {
    /// A small valid ImageFolder plus a pipeline over it, in a fresh folder.
    struct Workspace {
        let root: String
        var data: String { root + "/data" }
        var out: String { root + "/out" }
        var pipeline: String { root + "/pipeline.json" }

        init(extraOps: String = "") throws {
            root = TestSupport.temporaryFolder("bad")
            try TestSupport.makeImageFolder(at: root + "/data", counts: [6, 3], size: 12)
            try writePipeline(source: "\"path\": \"\(root)/data\"")
        }

        func writePipeline(source: String, ops: String = #"{"op": "HorizontalFlip", "p": 0.5}"#, extraStage: String = "") throws {
            let text = """
            {"version": 1, "seed": 1, "stages": [
              {"stage": "source", \(source)},
              {"stage": "split", "test": 0.3},
              {"stage": "augment", "ops": [\(ops)]},\(extraStage)
              {"stage": "balance"},
              {"stage": "write", "path": "\(out)"}]}
            """
            try FileIO.writeAtomically(text, to: pipeline)
        }

        func run() -> (status: Int32, stdout: String, stderr: String) {
            CopiaMain.capture(["run", pipeline, "--jobs", "2"])
        }
    }

    static func expectOneLine(_ result: (status: Int32, stdout: String, stderr: String), status: Int32, naming place: String,
                              saying words: String, out: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(place), "\(result.stderr) should name \(place)", sourceLocation: sourceLocation)
        #expect(result.stderr.lowercased().contains(words), "\(result.stderr) should say \(words)", sourceLocation: sourceLocation)
        #expect(!FileIO.exists(out + "/manifest.jsonl"), "nothing may be written", sourceLocation: sourceLocation)
    }

    @Test func truncatedPNGNamesTheFile() throws {
        let w = try Workspace()
        let victim = w.data + "/class0/img_0002.png"
        let bytes = try FileIO.read(victim)
        try FileIO.writeAtomically(Array(bytes.prefix(bytes.count / 2)), to: victim)
        Self.expectOneLine(w.run(), status: 1, naming: victim, saying: "truncated", out: w.out)
    }

    @Test func truncatedJPEGNamesTheFileInsteadOfDecodingGrey() throws {
        let w = try Workspace()
        let victim = w.data + "/class1/photo.jpg"
        let jpeg = try JPEGEncoder(quality: 90).encode(TestSupport.syntheticImage(width: 64, height: 64, channels: 3, seed: 5))
        try FileIO.writeAtomically(Array(jpeg.prefix(jpeg.count * 6 / 10)), to: victim)
        Self.expectOneLine(w.run(), status: 1, naming: victim, saying: "jpeg", out: w.out)
    }

    @Test func zeroByteFileNamesTheFile() throws {
        let w = try Workspace()
        let victim = w.data + "/class0/empty.png"
        try FileIO.writeAtomically([UInt8](), to: victim)
        Self.expectOneLine(w.run(), status: 1, naming: victim, saying: "empty", out: w.out)
    }

    @Test func textFileInAClassFolderNamesTheFile() throws {
        let w = try Workspace()
        let victim = w.data + "/class1/notes.txt"
        try FileIO.writeAtomically("these are my notes\n", to: victim)
        Self.expectOneLine(w.run(), status: 1, naming: victim, saying: "not a png or jpeg", out: w.out)
    }

    @Test func decompressionBombIsRefusedBeforeDecoding() throws {
        let w = try Workspace()
        let victim = w.data + "/class0/bomb.png"
        try FileIO.writeAtomically(TestSupport.pngClaiming(width: 100_000, height: 100_000), to: victim)
        Self.expectOneLine(w.run(), status: 1, naming: victim, saying: "100000x100000", out: w.out)
    }

    @Test func missingInputFolderNamesIt() throws {
        let w = try Workspace()
        try w.writePipeline(source: "\"path\": \"\(w.root)/nowhere\"")
        Self.expectOneLine(w.run(), status: 1, naming: "\(w.root)/nowhere", saying: "does not exist", out: w.out)
    }

    @Test func unknownKeyIsAUsageErrorWithDidYouMean() throws {
        let w = try Workspace()
        try w.writePipeline(source: "\"path\": \"\(w.data)\"", ops: #"{"op": "HorizontalFlip", "prob": 0.5}"#)
        Self.expectOneLine(w.run(), status: 64, naming: "\(w.pipeline): $.stages[2].ops[0].prob", saying: "did you mean \"p\"", out: w.out)
    }

    @Test func wrongTypeNamesThePathAndValue() throws {
        let w = try Workspace()
        try w.writePipeline(source: "\"path\": 42")
        Self.expectOneLine(w.run(), status: 64, naming: "$.stages[0].path", saying: "expected a string, got 42", out: w.out)
    }

    @Test func probabilityOutOfRangeNamesThePathAndValue() throws {
        let w = try Workspace()
        try w.writePipeline(source: "\"path\": \"\(w.data)\"", ops: #"{"op": "HorizontalFlip", "p": 1.5}"#)
        Self.expectOneLine(w.run(), status: 64, naming: "$.stages[2].ops[0].p", saying: "must be in 0...1, got 1.5", out: w.out)
    }

    @Test func unknownOpSuggestsTheClosestName() throws {
        let w = try Workspace()
        try w.writePipeline(source: "\"path\": \"\(w.data)\"", ops: #"{"op": "HorizontalFlp"}"#)
        Self.expectOneLine(w.run(), status: 64, naming: "$.stages[2].ops[0].op", saying: "did you mean \"horizontalflip\"", out: w.out)
    }

    @Test func invalidJSONNamesLineAndColumn() throws {
        let w = try Workspace()
        try FileIO.writeAtomically("{\"version\": 1,\n \"stages\": [}", to: w.pipeline)
        Self.expectOneLine(w.run(), status: 64, naming: "\(w.pipeline): $: invalid JSON at line 2", saying: "column", out: w.out)
    }

    @Test func skipPolicyRecordsTheBadFileAndCarriesOn() throws {
        let w = try Workspace()
        try FileIO.writeAtomically("not an image", to: w.data + "/class1/notes.txt")
        try w.writePipeline(source: "\"path\": \"\(w.data)\", \"onBadSample\": \"skip\"")
        let result = w.run()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("skipped: \(w.data)/class1/notes.txt"))
        let dataset = try JSONParser.parse(try FileIO.read(w.out + "/dataset.json"))
        #expect(dataset["skipped"]?.arrayValue?.count == 1)
        #expect(CopiaMain.capture(["verify", w.out]).status == 0)
    }
}

@Suite struct LabelsCSVInputTests {
    @Test func aLabelThatWouldEscapeTheOutputFolderIsRefused() throws {
        let root = TestSupport.temporaryFolder("labels")
        try TestSupport.makeImageFolder(at: root + "/img", counts: [2], size: 8)
        try FileIO.writeAtomically("file,label\nimg/class0/img_0000.png,cat\nimg/class0/img_0001.png,../../evil\n", to: root + "/labels.csv")
        try FileIO.writeAtomically("""
        {"version": 1, "stages": [{"stage": "source", "format": "labelsCSV", "path": "\(root)/labels.csv"}, {"stage": "write", "path": "\(root)/out"}]}
        """, to: root + "/p.json")
        let result = CopiaMain.capture(["run", root + "/p.json"])
        #expect(result.status == 1)
        #expect(result.stderr == "\(root)/labels.csv: row 3, column \"label\": label \"../../evil\" cannot be a folder name (no slashes, no leading dot)\n")
    }
}
