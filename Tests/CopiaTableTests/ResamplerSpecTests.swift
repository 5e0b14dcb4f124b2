import CopiaCore
import Testing
@testable import CopiaTable

@Suite struct ResamplerSpecTests {
    func decode(_ text: String) throws -> (ResamplerSpec?, [SpecProblem], JSONValue?) {
        let context = SpecContext()
        let r = ResamplerSpec.decode(try JSONParser.parse(text), at: "$.stages[2]", in: context)
        return (r?.value, context.problems, r?.resolved)
    }

    @Test func aSamplerDecodesWithDefaultsWrittenOut() throws {
        let (spec, problems, resolved) = try decode(#"{"sampler": "BorderlineSMOTE", "kind": "borderline-2", "samplingStrategy": {"1": 40}}"#)
        #expect(problems.isEmpty)
        let s = try #require(spec?.resampler as? BorderlineSMOTE)
        #expect(s.kind == .borderline2 && s.kNeighbors == 5 && s.mNeighbors == 10 && s.samplingStrategy == .counts(["1": 40]))
        #expect(resolved?["kNeighbors"] == .number(5))
    }

    @Test func unknownSamplersKeysAndStrategiesAreReportedWithTheirPath() throws {
        #expect(try decode(#"{"sampler": "SMOTe"}"#).1.first?.description.contains("did you mean \"SMOTE\"") == true)
        #expect(try decode(#"{"sampler": "SMOTE", "k": 3}"#).1.first?.path == "$.stages[2].k")
        #expect(try decode(#"{"sampler": "SMOTE", "samplingStrategy": "minorty"}"#).1.first?.path == "$.stages[2].samplingStrategy")
        #expect((try decode(#"{"sampler": "SMOTE", "samplingStrategy": "not_minority"}"#).0?.resampler as? SMOTE)?.samplingStrategy == .notMinority)
        #expect((try decode(#"{"sampler": "SMOTE", "samplingStrategy": "notMinority"}"#).0?.resampler as? SMOTE)?.samplingStrategy == .notMinority)
        #expect(try decode(#"{"sampler": "NearMiss", "version": 4}"#).1.count == 1)
    }

    @Test func everyVariantDecodesFromItsName() throws {
        for v in ResamplerSpec.variants {
            let (spec, problems, _) = try decode("{\"sampler\": \"\(v.name)\"}")
            #expect(problems.isEmpty && spec?.resampler.name == v.name, "\(v.name)")
        }
        #expect(ResamplerSpec.variants.count == 14)
    }
}
