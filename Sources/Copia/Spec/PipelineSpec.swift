@_exported import CopiaCore
@_exported import CopiaImage

/// A pipeline as declared in `Pipelines/*.json`: a versioned list of stages.
///
/// ```json
/// {"version": 1, "seed": 42, "stages": [
///   {"stage": "source", "format": "imageFolder", "path": "SampleData/digits"},
///   {"stage": "split", "test": 0.2},
///   {"stage": "augment", "ops": [{"op": "Rotate", "limit": 10, "p": 0.7}]},
///   {"stage": "balance", "strategy": "max"},
///   {"stage": "write", "path": "out/digits"}]}
/// ```
public struct PipelineSpec: SpecObject {
    public static let currentVersion = 1
    public static let specDescription = "A Copia pipeline: source, split, augment, generate, scale, oversample, undersample, balance and write stages, run by `copia run`."

    public var version: Int
    public var name: String
    public var seed: UInt64
    public var stages: [Stage]

    public init(reading r: SpecReader) {
        r.allow("$schema", doc: "The JSON Schema this file follows, for editors (e.g. \"pipeline.schema.json\"); not part of the resolved spec.")
        version = r.read("version", doc: "Format version of this file; must be 1.", schema: ["const": 1]) { (v: Int) in
            v == PipelineSpec.currentVersion ? nil : "unsupported version \(v); this Copia reads version \(PipelineSpec.currentVersion)"
        }
        name = r.read("name", default: "pipeline", doc: "A name for reports and the output's dataset.json.")
        seed = UInt64(r.read("seed", default: 0, in: 0...Int(Int32.max), doc: "Seed of every random choice; same seed, same bytes."))
        let problemsBefore = r.context.problems.count
        stages = r.read("stages", doc: "The stages, in order: source first, write last.")
        // Rules across stages only make sense once every stage has decoded.
        if !r.isDescribing, r.context.problems.count == problemsBefore { validateOrder(r) }
    }

    /// Structural rules that span stages.
    private func validateOrder(_ r: SpecReader) {
        let kinds = stages.map(\.kind)
        func at(_ i: Int) -> String { "stages[\(i)]" }
        guard !stages.isEmpty else { r.report("stages", "must contain at least a source and a write stage"); return }
        if kinds.first != .source { r.report(at(0), "the first stage must be \"source\", got \"\(kinds[0].rawValue)\"") }
        if kinds.last != .write { r.report(at(stages.count - 1), "the last stage must be \"write\", got \"\(kinds.last!.rawValue)\"") }
        for kind in [Stage.Kind.source, .split, .write, .balance, .scale, .generate] {
            let positions = kinds.indices.filter { kinds[$0] == kind }
            if positions.count > 1 { r.report(at(positions[1]), "only one \"\(kind.rawValue)\" stage is allowed") }
        }
        let fits: Set<Stage.Kind> = [.augment, .scale, .oversample, .undersample, .balance, .generate]
        if let split = kinds.firstIndex(of: .split), let firstFit = kinds.firstIndex(where: { fits.contains($0) }), firstFit < split {
            r.report(at(split), "split must come before \(kinds[firstFit].rawValue), so nothing is fitted on held-out data")
        }
        if let scale = kinds.firstIndex(of: .scale), let sampler = kinds.firstIndex(where: { [.oversample, .undersample, .balance].contains($0) }), sampler < scale {
            r.report(at(scale), "scale must come before the samplers that use it")
        }
        if let source = source {
            let isTable = source.format == .table
            for (i, stage) in stages.enumerated() {
                if case .augment = stage.body, isTable { r.report(at(i), "augment works on images; this source is a table") }
                if case .generate = stage.body, isTable { r.report(at(i), "generate works on images for now; for a table use an oversample stage (SMOTE family)") }
                if [.scale, .oversample, .undersample].contains(stage.kind), !isTable {
                    r.report(at(i), "\(stage.kind.rawValue) works on tables; this source is \(source.format.rawValue)")
                }
                if case .balance(let b) = stage.body {
                    if isTable, b.method == .augment { r.report("\(at(i)).method", "\"augment\" needs images; use \"randomOverSample\" or \"sampler\" for a table") }
                    if isTable, b.method == .generate { r.report("\(at(i)).method", "\"generate\" works on images for now; use \"sampler\" for a table") }
                    if !isTable, ![.augment, .auto, .generate].contains(b.method) { r.report("\(at(i)).method", "\"\(b.method.rawValue)\" works on tables; use \"augment\" or \"generate\" for images") }
                    if !isTable, b.method != .generate, augment == nil {
                        r.report(at(i), "balance with method \"augment\" needs an augment stage before it to say which ops to use")
                    }
                    if b.method == .generate {
                        if let g = kinds.firstIndex(of: .generate) {
                            if g > i { r.report(at(g), "generate must come before the balance stage that uses it") }
                        } else if !isTable {
                            r.report("\(at(i)).method", "method \"generate\" needs a generate stage before it, e.g. {\"stage\": \"generate\", \"model\": \"vae\"}")
                        }
                    }
                }
            }
            if let g = kinds.firstIndex(of: .generate), !isTable, balance?.method != .generate {
                r.report(at(g), "nothing uses this generate stage; add {\"stage\": \"balance\", \"method\": \"generate\"} after it")
            }
            if split?.byGroup == true, !isTable, source.format == .imageFolder {
                r.report("\(at(kinds.firstIndex(of: .split)!)).byGroup", "an imageFolder source has no groups; use a labelsCSV source with a group column")
            }
        }
    }

    public var source: SourceStage? { stages.lazy.compactMap { if case .source(let s) = $0.body { s } else { nil } }.first }
    public var split: SplitStage? { stages.lazy.compactMap { if case .split(let s) = $0.body { s } else { nil } }.first }
    public var augment: AugmentStage? { stages.lazy.compactMap { if case .augment(let s) = $0.body { s } else { nil } }.last }
    public var scale: ScaleStage? { stages.lazy.compactMap { if case .scale(let s) = $0.body { s } else { nil } }.first }
    public var generate: GenerateStage? { stages.lazy.compactMap { if case .generate(let s) = $0.body { s } else { nil } }.first }
    public var balance: BalanceStage? { stages.lazy.compactMap { if case .balance(let s) = $0.body { s } else { nil } }.first }
    public var write: WriteStage? { stages.lazy.compactMap { if case .write(let s) = $0.body { s } else { nil } }.first }
}

/// One stage, told apart by its `"stage"` key.
public struct Stage: SpecUnion {
    public enum Kind: String, Sendable { case source, split, augment, generate, scale, oversample, undersample, balance, write }
    public enum Body: Sendable {
        case source(SourceStage)
        case split(SplitStage)
        case augment(AugmentStage)
        case generate(GenerateStage)
        case scale(ScaleStage)
        case oversample(SamplerStage)
        case undersample(SamplerStage)
        case balance(BalanceStage)
        case write(WriteStage)
    }

    public let body: Body

    public var kind: Kind {
        switch body {
        case .source: .source
        case .split: .split
        case .augment: .augment
        case .generate: .generate
        case .scale: .scale
        case .oversample: .oversample
        case .undersample: .undersample
        case .balance: .balance
        case .write: .write
        }
    }

    public static let tagKey = "stage"
    public static let definitionName = "stage"
    public static var variants: [SpecVariant<Stage>] {
        [
            SpecVariant("source", summary: SourceStage.specDescription) { Stage(body: .source(SourceStage(reading: $0))) },
            SpecVariant("split", summary: SplitStage.specDescription) { Stage(body: .split(SplitStage(reading: $0))) },
            SpecVariant("augment", summary: AugmentStage.specDescription) { Stage(body: .augment(AugmentStage(reading: $0))) },
            SpecVariant("generate", summary: GenerateStage.specDescription) { Stage(body: .generate(GenerateStage(reading: $0))) },
            SpecVariant("scale", summary: ScaleStage.specDescription) { Stage(body: .scale(ScaleStage(reading: $0))) },
            SpecVariant("oversample", summary: "Tables: adds rows with an over-sampler (SMOTE family, ADASYN, ...) fitted on the training split; every new row's base, neighbours and gap go to the manifest.") {
                Stage(body: .oversample(SamplerStage(reading: $0, allowed: SamplerStage.overSamplers)))
            },
            SpecVariant("undersample", summary: "Tables: removes training rows with an under-sampler (RandomUnderSampler, TomekLinks, EditedNearestNeighbours, NearMiss); removed rows are listed in dataset.json.") {
                Stage(body: .undersample(SamplerStage(reading: $0, allowed: SamplerStage.underSamplers)))
            },
            SpecVariant("balance", summary: BalanceStage.specDescription) { Stage(body: .balance(BalanceStage(reading: $0))) },
            SpecVariant("write", summary: WriteStage.specDescription) { Stage(body: .write(WriteStage(reading: $0))) },
        ]
    }
}
