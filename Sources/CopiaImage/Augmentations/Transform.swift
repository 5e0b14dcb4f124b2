import CopiaCore

/// A node of an augmentation chain as written in pipeline JSON: a single op with its probability, or a composition
/// (`Sequence`, `OneOf`, ...). Planning a node draws every random choice and appends the ops actually applied.
public protocol TransformNode: Sendable {
    /// Draws this node's random choices for an image of shape `info`, appending the applied ops and updating `info`
    /// to the shape they produce.
    func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp])
}

/// A single augmentation applied with probability `p`.
public struct ProbabilisticOp<A: Augmentation>: TransformNode {
    public var augmentation: A
    public var probability: Double

    public init(_ augmentation: A, p: Double = A.defaultProbability) {
        self.augmentation = augmentation
        self.probability = p
    }

    public func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
        guard rng.chance(probability) else { return }
        let parameters = augmentation.sampleParameters(for: info, using: &rng)
        info = augmentation.outputInfo(for: info, with: parameters)
        applied.append(AppliedOp(augmentation, parameters))
    }
}

/// An op in a pipeline spec: any registered augmentation or composition, decoded by its `"op"` key.
public struct ImageOp: SpecUnion, TransformNode {
    public let node: any TransformNode

    public init(_ node: any TransformNode) { self.node = node }

    public static let tagKey = "op"
    public static let definitionName = "op"
    public static var variants: [SpecVariant<ImageOp>] { ImageOps.variants }

    public func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
        node.resolve(for: &info, using: &rng, into: &applied)
    }
}

/// Resolves and applies chains of ops.
public enum ImageChain {
    /// Draws every random choice of `ops` for an image of shape `info`.
    public static func resolve(_ ops: [ImageOp], for info: ImageInfo, using rng: inout CounterRandom) -> (applied: [AppliedOp], output: ImageInfo) {
        var info = info
        var applied: [AppliedOp] = []
        for op in ops { op.resolve(for: &info, using: &rng, into: &applied) }
        return (applied, info)
    }

    /// Applies resolved ops in order; mixing ops take their partner's image from `partners`, by sample id.
    public static func apply(_ applied: [AppliedOp], to image: Image, partners: [String: Image] = [:]) throws -> Image {
        var image = image
        for op in applied {
            if op.isMixing {
                guard let id = op.partner, let partner = partners[id] else { throw AugmentationError(op: op.op, "needs a partner image (a second training sample of the same class)") }
                image = try op.apply(image, partner: partner)
            } else {
                image = try op.apply(image)
            }
        }
        return image
    }
}
