import Copia
import CopiaTestSupport
import Testing

@Suite struct OtherSourcesTests {
    @Test func wineTableIsBalancedAndHeldOutRowsKeepTheirBytes() throws {
        let out = TestSupport.temporaryFolder("wine")
        let text = try TestSupport.pipelineText("wine.json")
        let summary = try Pipeline.parse(text).run(RunOptions(out: out, showProgress: false))
        #expect(Set(summary.after.values).count == 1, "\(summary.after)")
        #expect(try Verifier.verify(out).ok)
        // Every test row appears verbatim in the source file.
        let source = String(decoding: try FileIO.read(TestSupport.repo("SampleData/wine.csv")), as: UTF8.self)
        let sourceRows = Set(source.split(separator: "\n").dropFirst().map(String.init))
        let testRows = String(decoding: try FileIO.read(out + "/test.csv"), as: UTF8.self).split(separator: "\n").dropFirst()
        #expect(!testRows.isEmpty)
        for row in testRows { #expect(sourceRows.contains(String(row))) }
        // Oversampled rows name the training row they copy.
        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl")
        let copies = lines.filter { $0["origin"] == "oversampled" }
        #expect(!copies.isEmpty)
        let testLines = Set(lines.filter { $0["split"] == "test" }.map { $0["sources"]![0]!["line"]!.numberValue! })
        for c in copies { #expect(!testLines.contains(c["sources"]![0]!["line"]!.numberValue!)) }
    }

    @Test func labelsCSVWithGroupsKeepsEachGroupInOneSplit() throws {
        let out = TestSupport.temporaryFolder("photos")
        let text = try TestSupport.pipelineText("photos.json")
        let summary = try Pipeline.parse(text).run(RunOptions(out: out, showProgress: false))
        #expect(Set(summary.after.values).count == 1)
        #expect(try Verifier.verify(out).ok)
        var splitOfGroup: [String: String] = [:]
        for line in try ManifestReader.lines(at: out + "/manifest.jsonl") where line["origin"] == "original" {
            let group = line["sources"]![0]!["group"]!.stringValue!
            let split = line["split"]!.stringValue!
            if let seen = splitOfGroup[group] { #expect(seen == split, "group \(group) straddles splits") }
            splitOfGroup[group] = split
        }
        #expect(Set(splitOfGroup.values) == ["train", "test"])
    }
}
