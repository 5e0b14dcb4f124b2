import CopiaCore

/// One registered op: how to read it from a spec and how to replay it from a manifest.
public struct ImageOpEntry: Sendable {
    public let name: String
    public let summary: String
    public let variant: SpecVariant<ImageOp>
    let replay: @Sendable (JSONValue, String) throws(SpecError) -> AppliedOp
}

/// The registry of image ops: an explicit list, visible in one place. A test fails when a registered op lacks a
/// fixture, a schema entry or a replay round trip.
public enum ImageOps {
    /// Every op, in the order `copia ops` lists them.
    public static let entries: [ImageOpEntry] = [
        augmentation(HorizontalFlip.self),
        augmentation(VerticalFlip.self),
        augmentation(Rotate.self),
        augmentation(RandomResizedCrop.self),
        augmentation(RandomBrightnessContrast.self),
        augmentation(Transpose.self),
        augmentation(RandomRotate90.self),
        augmentation(CenterCrop.self),
        augmentation(RandomCrop.self),
        augmentation(Resize.self),
        augmentation(LongestMaxSize.self),
        augmentation(SmallestMaxSize.self),
        augmentation(Pad.self),
        augmentation(PadIfNeeded.self),
        augmentation(Affine.self),
        augmentation(Perspective.self),
        augmentation(ElasticTransform.self),
        augmentation(GridDistortion.self),
        augmentation(ColorJitter.self),
        augmentation(HueSaturationValue.self),
        augmentation(RGBShift.self),
        augmentation(RandomGamma.self),
        augmentation(ToGray.self),
        augmentation(InvertImg.self),
        augmentation(Solarize.self),
        augmentation(Posterize.self),
        augmentation(Equalize.self),
        augmentation(CLAHE.self),
        augmentation(AutoContrast.self),
        augmentation(ChannelShuffle.self),
        augmentation(GaussianBlur.self),
        augmentation(Blur.self),
        augmentation(MedianBlur.self),
        augmentation(MotionBlur.self),
        augmentation(Sharpen.self),
        augmentation(Emboss.self),
        augmentation(Downscale.self),
        augmentation(GaussNoise.self),
        augmentation(SaltAndPepper.self),
        augmentation(ISONoise.self),
        augmentation(CoarseDropout.self),
        augmentation(GridDropout.self),
        augmentation(Erasing.self),
        augmentation(ImageCompression.self),
        mixing(MixUp.self),
        mixing(CutMix.self),
        augmentation(EnhanceBrightness.self),
        augmentation(EnhanceColor.self),
        augmentation(EnhanceContrast.self),
        augmentation(EnhanceSharpness.self),
        augmentation(AugMix.self),
        composition(RandAugment.name, summary: RandAugment.summary) { RandAugment(reading: $0) },
        composition(TrivialAugmentWide.name, summary: TrivialAugmentWide.summary) { TrivialAugmentWide(reading: $0) },
    ] + compositions

    public static var variants: [SpecVariant<ImageOp>] { entries.map(\.variant) }
    public static var names: [String] { entries.map(\.name) }

    public static func entry(named name: String) -> ImageOpEntry? { entries.first { $0.name == name } }

    /// The registry entry of a plain augmentation: its spec variant reads `p` and the op's own fields.
    public static func augmentation<A: Augmentation>(_ type: A.Type) -> ImageOpEntry {
        let variant = SpecVariant<ImageOp>(A.name, summary: A.summary) { reader in
            let p = reader.read("p", default: A.defaultProbability, in: 0...1, doc: "Probability of applying the op.")
            return ImageOp(ProbabilisticOp(A(reading: reader), p: p))
        }
        return ImageOpEntry(name: A.name, summary: A.summary, variant: variant) { json, path throws(SpecError) in
            let parameters = try ParameterCoding.decode(A.Parameters.self, from: json, at: path)
            return AppliedOp(A.withDefaults, parameters)
        }
    }

    /// Compositions are resolved away at planning time: they never appear in a manifest, so they cannot be replayed.
    static func composition(_ name: String, summary: String, make: @escaping @Sendable (SpecReader) -> any TransformNode) -> ImageOpEntry {
        ImageOpEntry(name: name, summary: summary, variant: SpecVariant(name, summary: summary) { ImageOp(make($0)) }) { _, path throws(SpecError) in
            throw SpecError(path: path, "\(name) is a composition; manifests record the ops it chose, not \(name) itself")
        }
    }
}
