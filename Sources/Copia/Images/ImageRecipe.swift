/// How an output sample came to be.
public enum Origin: String, Codable, Sendable {
    /// A source file copied byte for byte.
    case original
    /// A training sample passed through the augmentation chain.
    case augmented
    /// An exact copy of a training row (random over-sampling).
    case oversampled
    /// Decoded by the generate stage's model from a latent code.
    case generated
}

/// One output image, with every random choice already made: pure data the executor turns into bytes.
struct ImageRecipe: Sendable {
    var outputPath: String
    var label: String
    var split: Split
    var origin: Origin
    /// Index into the scanned samples.
    var source: Int
    var ops: [AppliedOp]
    /// Partner samples of mixing ops (indices into the scanned samples), in order of first use.
    var partners: [Int] = []
    /// The key of the generator the ops were drawn from.
    var randomStage: String?
    var randomSample: String?
    var format: ImageFormat

    var id: String {
        guard let dot = outputPath.lastIndex(of: "."), !outputPath[dot...].contains("/") else { return outputPath }
        return String(outputPath[..<dot])
    }
}

/// What the input check learnt about each sample: its shape and the hash of its bytes.
struct InputFacts: Sendable {
    var info: ImageInfo
    var format: ImageFormat
    var sha256: String
    var bytes: Int
    /// SHA-256 of the sample's mask file, when it has one.
    var maskSHA256: String?
}
