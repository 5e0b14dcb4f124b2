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

    @Test func mixingOpsTakeASameClassTrainingPartnerAndReplay() throws {
        let out = TestSupport.temporaryFolder("mix")
        _ = try Pipeline.parse(try TestSupport.pipelineText("photos.json")).run(RunOptions(out: out, showProgress: false))
        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl")
        let trainOriginals = Set(lines.filter { $0["split"] == "train" && $0["origin"] == "original" }.map { $0["sources"]![0]!["id"]!.stringValue! })
        let mixed = lines.filter { line in line["ops"]!.arrayValue!.contains { $0["op"] == "MixUp" || $0["op"] == "CutMix" } }
        #expect(!mixed.isEmpty)
        for line in mixed {
            let sources = line["sources"]!.arrayValue!
            let op = line["ops"]!.arrayValue!.first { $0["op"] == "MixUp" || $0["op"] == "CutMix" }!
            let partner = op["partner"]!.stringValue!
            #expect(sources.contains { $0["id"]?.stringValue == partner && $0["role"] == "partner" })
            #expect(trainOriginals.contains(partner), "partner \(partner) must be a training sample")
            #expect(partner.split(separator: "/").dropLast().last == sources[0]["id"]!.stringValue!.split(separator: "/").dropLast().last)
            #expect(try Replayer.replay(line: line).matches, "\(line["id"]!)")
        }
    }
}

@Suite struct TableSamplerPipelineTests {
    @Test func smoteBalanceWritesRowsOnTheSegmentsTheManifestNames() throws {
        let out = TestSupport.temporaryFolder("wine-smote")
        let summary = try Pipeline.parse(try TestSupport.pipelineText("wine-smote.json")).run(RunOptions(out: out, showProgress: false))
        #expect(Set(summary.after.values).count == 1, "\(summary.after)")
        #expect(try Verifier.verify(out).ok)
        // Read source and output rows as numbers.
        func rows(_ path: String) throws -> [[Double]] {
            String(decoding: try FileIO.read(path), as: UTF8.self).split(separator: "\n").dropFirst().map {
                $0.split(separator: ",").dropLast().map { Double($0)! }
            }
        }
        let source = try rows(TestSupport.repo("SampleData/wine.csv"))
        let train = try rows(out + "/train.csv")
        let lines = try ManifestReader.lines(at: out + "/manifest.jsonl").filter { $0["origin"] == "synthetic" }
        #expect(lines.count > 40)
        for line in lines {
            let op = line["ops"]![0]!
            #expect(op["op"] == "SMOTE")
            let base = source[Int(line["sources"]![0]!["line"]!.numberValue!) - 2]
            let neighbour = source[Int(line["sources"]![1]!["line"]!.numberValue!) - 2]
            let gap = op["gaps"]![0]!.numberValue!
            let row = train[Int(line["row"]!.numberValue!) - 1]
            #expect(gap >= 0 && gap <= 1)
            for j in row.indices {
                let expected = base[j] + gap * (neighbour[j] - base[j])
                #expect(abs(row[j] - expected) <= 1e-9 * max(1, abs(expected)), "column \(j) of \(line["id"]!)")
            }
        }
        // Neighbours are training rows of the same class, never held-out rows.
        let testLines = Set(try ManifestReader.lines(at: out + "/manifest.jsonl").filter { $0["split"] == "test" }.map { $0["sources"]![0]!["id"]!.stringValue! })
        for line in lines { for s in line["sources"]!.arrayValue! { #expect(!testLines.contains(s["id"]!.stringValue!)) } }
    }

    @Test func samplerStagesRejectTheWrongKindOfSampler() {
        let text = #"{"version": 1, "stages": [{"stage": "source", "format": "table", "path": "x.csv"}, {"stage": "oversample", "sampler": "TomekLinks"}, {"stage": "write", "path": "o"}]}"#
        #expect(throws: SpecError.self) { _ = try Pipeline.parse(text) }
        do { _ = try Pipeline.parse(text) } catch {
            #expect(error.description.contains("$.stages[1].sampler: unknown or unsuitable sampler \"TomekLinks\""))
        }
    }
}
