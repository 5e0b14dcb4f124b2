import CopiaCore
import Foundation

/// An image augmentation in two halves: *sample* its parameters from a random generator, then *apply* them purely.
///
/// The sampled `Parameters` are exactly what the provenance manifest records and what `copia replay` decodes, so they
/// must hold everything `apply` needs (interpolation, border mode and fill included): `apply` reads nothing from `self`
/// that is not also in the parameters. That makes every manifest line replayable on its own.
///
/// ```swift
/// var rng = CounterRandom(seed: 7, stage: "augment", sample: "cat/01.jpg#0")
/// let rotate = Rotate(limit: SpecRange(-15, 15))
/// let p = rotate.sampleParameters(for: image.info, using: &rng)
/// let out = try rotate.apply(image, with: p)
/// ```
public protocol Augmentation: Sendable {
    associatedtype Parameters: Codable & Sendable & Equatable
    /// The `"op"` key in pipeline JSON, e.g. `"Rotate"`.
    static var name: String { get }
    /// One sentence for `copia ops` and the JSON Schema.
    static var summary: String { get }
    /// The probability used when the spec gives no `"p"` (albumentations' defaults where it has one).
    static var defaultProbability: Double { get }

    /// Reads the op's configuration from a spec (the `"op"` and `"p"` keys are read by the caller).
    init(reading reader: SpecReader)

    func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters
    /// The shape of the output, so that a chain can be planned without pixels.
    func outputInfo(for input: ImageInfo, with parameters: Parameters) -> ImageInfo
    /// Applies the parameters. Pure and deterministic.
    func apply(_ image: Image, with parameters: Parameters) throws -> Image
}

extension Augmentation {
    public static var defaultProbability: Double { 0.5 }
    public func outputInfo(for input: ImageInfo, with parameters: Parameters) -> ImageInfo { input }

    /// The op with every field at its default.
    public static var withDefaults: Self { Self(reading: SpecReader.describing()) }
}

// MARK: - Applied ops: the resolved, replayable record

/// One op as applied to one sample: its name and its sampled parameters as JSON (what the manifest shows), plus the
/// typed application closure used while executing (so execution never re-parses JSON).
///
/// A mixing op (MixUp, CutMix) also blends in a second training image of the same class, its *partner*: planning
/// draws `partnerDraw`, the planner turns it into a partner sample and records its id in `partner`.
public struct AppliedOp: Sendable, CustomStringConvertible {
    public let op: String
    public let parameters: JSONValue
    let run: @Sendable (Image, Image?) throws -> Image
    /// For mixing ops: a uniform draw in [0, 1) that picks the partner among the class's other training samples.
    public let partnerDraw: Double?
    /// For mixing ops: the id of the partner sample, once the planner has chosen it.
    public var partner: String?

    public var isMixing: Bool { partnerDraw != nil || partner != nil }

    /// Applies the op; mixing ops need their partner's image.
    public func apply(_ image: Image, partner partnerImage: Image? = nil) throws -> Image {
        try run(image, partnerImage)
    }

    /// The manifest form: `{"op": "Rotate", "angle": 7.25, ...}`, with `"partner"` for mixing ops.
    public var json: JSONValue {
        var o: JSONObject = ["op": .string(op)]
        if case .object(let p) = parameters { for (k, v) in p { o[k] = v } }
        if let partner { o["partner"] = .string(partner) }
        return .object(o)
    }

    public var description: String { JSONWriter.compact(json) }

    init<A: Augmentation>(_ augmentation: A, _ parameters: A.Parameters) {
        op = A.name
        self.parameters = ParameterCoding.encode(parameters)
        run = { image, _ in try augmentation.apply(image, with: parameters) }
        partnerDraw = nil
    }

    init<M: MixingAugmentation>(_ mixing: M, _ parameters: M.Parameters, partnerDraw: Double?, partner: String?) {
        op = M.name
        self.parameters = ParameterCoding.encode(parameters)
        run = { image, partnerImage in
            guard let partnerImage else { throw AugmentationError(op: M.name, "needs a partner image (a second training sample of the same class)") }
            return try mixing.apply(image, partner: partnerImage, with: parameters)
        }
        self.partnerDraw = partnerDraw
        self.partner = partner
    }

    /// Rebuilds an applied op from its manifest form, for replay.
    public static func decode(_ json: JSONValue, at path: String = "$") throws(SpecError) -> AppliedOp {
        guard case .object(var o) = json, case .string(let name)? = o["op"] else {
            throw SpecError(path: path, "expected an object with \"op\", got \(json)")
        }
        guard let entry = ImageOps.entry(named: name) else {
            let hint = didYouMean(name, among: ImageOps.names).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw SpecError(path: "\(path).op", "unknown op \"\(name)\"\(hint)")
        }
        o["op"] = nil
        let partner = o["partner"]?.stringValue
        o["partner"] = nil
        var applied = try entry.replay(.object(o), path)
        applied.partner = partner
        return applied
    }
}

/// Encodes `Codable` parameters as `JSONValue` with sorted keys (deterministic), and back.
public enum ParameterCoding {
    public static func encode<T: Encodable>(_ value: T) -> JSONValue {
        do {
            return try JSONValueEncoder.encode(value)
        } catch {
            preconditionFailure("parameters of type \(T.self) failed to encode: \(error)")
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from json: JSONValue, at path: String) throws(SpecError) -> T {
        let data = Data(JSONWriter.compact(json).utf8)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw SpecError(path: path, "missing parameter \"\(key.stringValue)\" for \(T.self)")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw SpecError(path: path + ctx.codingPath.map { ".\($0.stringValue)" }.joined(), "wrong type: \(ctx.debugDescription)")
        } catch {
            throw SpecError(path: path, "cannot decode parameters for \(T.self): \(error)")
        }
    }
}
