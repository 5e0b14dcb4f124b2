import CopiaCore
import Testing

/// A small spec type exercising the reader's features.
struct SpecSample: SpecObject {
    enum Mode: String, SpecEnum { case fast, exact }
    var p: Double
    var count: Int
    var mode: Mode
    var name: String
    var limit: SpecRange
    var tags: [String]
    var note: String?

    init(reading r: SpecReader) {
        p = r.read("p", default: 0.5, in: 0...1, doc: "Probability.")
        count = r.read("count", default: 3, in: 1...10, doc: "How many.")
        mode = r.read("mode", default: Mode.fast, doc: "Mode.")
        name = r.read("name", doc: "Required name.")
        limit = r.read("limit", default: SpecRange(-15, 15), within: -90...90, doc: "Limit.")
        tags = r.read("tags", default: [], doc: "Tags.")
        note = r.readOptional("note", doc: "Note.")
    }
}

@Suite struct SpecReaderTests {
    func decode(_ text: String) throws(SpecError) -> (SpecSample, JSONValue) {
        let json = try! JSONParser.parse(text)
        let (v, r) = try SpecSample.decodeDocument(json, file: "spec.json")
        return (v, r)
    }

    @Test func defaultsAreFilledInAndWrittenOut() throws {
        let (v, resolved) = try decode(#"{"name": "a"}"#)
        #expect(v.p == 0.5 && v.count == 3 && v.mode == .fast && v.limit == SpecRange(-15, 15) && v.note == nil)
        #expect(JSONWriter.compact(resolved) == #"{"p":0.5,"count":3,"mode":"fast","name":"a","limit":[-15,15],"tags":[],"note":null}"#)
    }

    @Test func symmetricRangeShorthandResolvesToAPair() throws {
        let (v, resolved) = try decode(#"{"name": "a", "limit": 10}"#)
        #expect(v.limit == SpecRange(-10, 10))
        #expect(resolved["limit"] == [-10, 10])
    }

    @Test func everyProblemIsReportedAtOnceWithItsPath() {
        let json = try! JSONParser.parse(#"{"p": 1.5, "count": "3", "mode": "fsat", "limt": 5, "tags": [1]}"#)
        #expect {
            _ = try SpecSample.decodeDocument(json, file: "spec.json")
        } throws: { error in
            guard let e = error as? SpecError else { return false }
            let lines = e.description.split(separator: "\n").map(String.init)
            return lines.contains("spec.json: $.p: must be in 0...1, got 1.5")
                && lines.contains("spec.json: $.count: expected an integer, got \"3\"")
                && lines.contains { $0.hasPrefix("spec.json: $.mode: unknown value \"fsat\" (did you mean \"fast\"?)") }
                && lines.contains("spec.json: $: missing required key \"name\"")
                && lines.contains { $0.hasPrefix("spec.json: $.limt: unknown key \"limt\" (did you mean \"limit\"?)") }
                && lines.contains("spec.json: $.tags[0]: expected a string, got 1")
                && lines.count == 6
        }
    }

    @Test func schemaListsPropertiesWithDefaultsAndBounds() {
        let schema = SpecSample.schema(in: SpecContext(describing: true))
        #expect(schema["additionalProperties"] == false)
        #expect(schema["required"] == ["name"])
        #expect(schema["properties"]?["p"]?["minimum"] == 0)
        #expect(schema["properties"]?["p"]?["maximum"] == 1)
        #expect(schema["properties"]?["p"]?["default"] == 0.5)
        #expect(schema["properties"]?["mode"]?["enum"] == ["fast", "exact"])
    }

    @Test(arguments: [("limt", "limit"), ("cont", "count"), ("zzzz", nil)])
    func didYouMeanSuggestsCloseKeysOnly(word: String, expected: String?) {
        #expect(didYouMean(word, among: ["p", "count", "mode", "name", "limit", "tags", "note"]) == expected)
    }
}
