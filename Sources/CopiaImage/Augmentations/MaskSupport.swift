import CopiaCore

/// How segmentation masks follow an augmentation chain: geometric ops move the mask exactly as they move the image,
/// but with nearest-neighbour interpolation and a constant fill of 0, so label values are never blended or invented;
/// pixel-level ops (colour, blur, noise, dropout) leave the mask alone; ops that blend several images cannot be
/// followed by one mask and are refused.
///
/// The lists are explicit, so what happens to a mask is visible in one place (albumentations keeps the same split
/// between its DualTransforms and ImageOnlyTransforms).
public enum MaskSupport {
    /// Ops whose parameters describe a geometric transform, replayed on the mask with nearest interpolation.
    public static let geometric: Set<String> = [
        "HorizontalFlip", "VerticalFlip", "Transpose", "RandomRotate90", "Rotate", "Affine", "Perspective",
        "ElasticTransform", "GridDistortion", "RandomResizedCrop", "RandomCrop", "CenterCrop", "Pad", "PadIfNeeded",
        "Resize", "LongestMaxSize", "SmallestMaxSize",
    ]

    /// Ops that blend differently transformed images: no single mask can follow them.
    public static let refused: Set<String> = ["AugMix", "MixUp", "CutMix"]

    /// The op applied to a mask: geometric ops with nearest interpolation and fill 0; other ops leave it unchanged.
    public static func apply(_ op: AppliedOp, toMask mask: Image) throws -> Image {
        if refused.contains(op.op) {
            throw AugmentationError(op: op.op, "blends several images, so a segmentation mask cannot follow it; remove it from pipelines with masks")
        }
        guard geometric.contains(op.op) else { return mask }
        guard case .object(var o) = op.json else { return mask }
        if o["interpolation"] != nil { o["interpolation"] = "nearest" }
        if o["fill"] != nil { o["fill"] = [0] }
        let forMask = try AppliedOp.decode(.object(o))
        return try forMask.apply(mask)
    }

    /// Applies a resolved chain to a mask.
    public static func apply(_ ops: [AppliedOp], toMask mask: Image) throws -> Image {
        var mask = mask
        for op in ops { mask = try apply(op, toMask: mask) }
        return mask
    }

    /// The names of refused ops anywhere in a spec's `ops` trees (they may sit inside OneOf and friends).
    public static func refusedOps(in json: JSONValue) -> [String] {
        switch json {
        case .object(let o):
            var found: [String] = []
            if let name = o["op"]?.stringValue, refused.contains(name) { found.append(name) }
            for (_, v) in o { found += refusedOps(in: v) }
            return found
        case .array(let a):
            return a.flatMap(refusedOps(in:))
        default:
            return []
        }
    }
}
