import CopiaCore
import Testing
@testable import CopiaImage

/// Helpers shared by the op tests: decode an op from spec JSON, resolve it, apply it, replay it.
enum OpHarness {
    /// Decodes `{"op": ..., ...}` text as a pipeline op, failing the test with every spec problem.
    static func op(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ImageOp {
        let context = SpecContext()
        let json = try JSONParser.parse(text)
        guard let (op, _) = ImageOp.decode(json, at: "$", in: context), context.problems.isEmpty else {
            Issue.record("spec problems: \(context.problems)", sourceLocation: sourceLocation)
            throw AugmentationError(op: "test", "bad spec \(text)")
        }
        return op
    }

    /// The spec problems `text` produces (empty when valid).
    static func problems(_ text: String) throws -> [String] {
        let context = SpecContext()
        _ = ImageOp.decode(try JSONParser.parse(text), at: "$", in: context)
        return context.problems.map { "\($0)" }
    }

    /// Resolves `op` for `image` with a fixed key and applies what it chose.
    static func run(_ op: ImageOp, on image: Image, sample: String = "s") throws -> (applied: [AppliedOp], output: Image, info: ImageInfo) {
        var rng = CounterRandom(seed: 7, stage: "augment", sample: sample)
        let (applied, info) = ImageChain.resolve([op], for: image.info, using: &rng)
        return (applied, try ImageChain.apply(applied, to: image), info)
    }

    /// Replays applied ops from their manifest JSON (the text form, as a manifest line stores it).
    static func replay(_ applied: [AppliedOp], on image: Image) throws -> Image {
        let decoded = try applied.map { try AppliedOp.decode(try JSONParser.parse(JSONWriter.compact($0.json))) }
        #expect(decoded.map { JSONWriter.compact($0.json) } == applied.map { JSONWriter.compact($0.json) })
        return try ImageChain.apply(decoded, to: image)
    }

    /// Applies one op's parameters directly.
    static func apply<A: Augmentation>(_ op: A, _ p: A.Parameters, to image: Image) throws -> Image {
        try AppliedOp(op, p).apply(image)
    }
}
