import CopiaCore

/// The parameters of the `ImageEnhance` ops: the blend factor (1 keeps the image, 0 gives the degenerate image).
public struct EnhanceParameters: Codable, Sendable, Equatable {
    public var factor: Double
    public init(factor: Double) { self.factor = factor }
}

/// An op in the style of PIL's `ImageEnhance`: a blend of the image with a degenerate version of itself by a random
/// factor (see `EnhanceKernels`). These are the Brightness, Color, Contrast and Sharpness ops of AutoAugment,
/// RandAugment, TrivialAugment and AugMix, where the factor is `1 + magnitude`.
public protocol ImageEnhancement: Augmentation where Parameters == EnhanceParameters {
    /// The range the factor is drawn from, uniformly.
    var factor: SpecRange { get }
    init(factor: SpecRange)
    /// Applies a finite factor.
    static func enhance(_ image: Image, factor: Double) -> Image
}

extension ImageEnhancement {
    public init(reading r: SpecReader) {
        self.init(factor: r.read("factor", default: SpecRange(0.1, 1.9), within: 0...10,
                                 doc: "Range of the blend factor: 1 keeps the image, 0 gives the degenerate image, above 1 goes past the image."))
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> EnhanceParameters {
        EnhanceParameters(factor: rng.uniform(factor.range))
    }

    public func apply(_ image: Image, with p: EnhanceParameters) throws -> Image {
        guard p.factor.isFinite else { throw AugmentationError(op: Self.name, "factor must be finite, got \(p.factor)") }
        return p.factor == 1 ? image : Self.enhance(image, factor: p.factor)
    }
}

// MARK: - The four enhancements

/// Scales brightness: blends with black (PIL `ImageEnhance.Brightness`, torchvision `adjust_brightness`).
public struct EnhanceBrightness: ImageEnhancement {
    public static let name = "EnhanceBrightness"
    public static let summary = "Blends with black by a random factor (PIL ImageEnhance.Brightness)."
    public var factor: SpecRange
    public init(factor: SpecRange = SpecRange(0.1, 1.9)) { self.factor = factor }
    public static func enhance(_ image: Image, factor: Double) -> Image { EnhanceKernels.brightness(image, factor: factor) }
}

/// Scales saturation: blends with the pixel's luma (PIL `ImageEnhance.Color`, torchvision `adjust_saturation`).
/// Gray images are unchanged.
public struct EnhanceColor: ImageEnhancement {
    public static let name = "EnhanceColor"
    public static let summary = "Blends with the gray image by a random factor (PIL ImageEnhance.Color)."
    public var factor: SpecRange
    public init(factor: SpecRange = SpecRange(0.1, 1.9)) { self.factor = factor }
    public static func enhance(_ image: Image, factor: Double) -> Image { EnhanceKernels.color(image, factor: factor) }
}

/// Scales contrast: blends with the mean gray level (PIL `ImageEnhance.Contrast`).
public struct EnhanceContrast: ImageEnhancement {
    public static let name = "EnhanceContrast"
    public static let summary = "Blends with the mean gray level by a random factor (PIL ImageEnhance.Contrast)."
    public var factor: SpecRange
    public init(factor: SpecRange = SpecRange(0.1, 1.9)) { self.factor = factor }
    public static func enhance(_ image: Image, factor: Double) -> Image { EnhanceKernels.contrast(image, factor: factor) }
}

/// Sharpens (factor above 1) or softens (below 1): blends with PIL's SMOOTH-filtered image
/// (PIL `ImageEnhance.Sharpness`, torchvision `adjust_sharpness`).
public struct EnhanceSharpness: ImageEnhancement {
    public static let name = "EnhanceSharpness"
    public static let summary = "Blends with a 3x3-smoothed image by a random factor (PIL ImageEnhance.Sharpness)."
    public var factor: SpecRange
    public init(factor: SpecRange = SpecRange(0.1, 1.9)) { self.factor = factor }
    public static func enhance(_ image: Image, factor: Double) -> Image { EnhanceKernels.sharpness(image, factor: factor) }
}
