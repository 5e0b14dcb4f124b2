import CopiaCore

/// Scales contrast and shifts brightness by random amounts (albumentations `RandomBrightnessContrast`).
///
/// `out = clip(v * alpha + beta)`, truncated to an integer as albucore's `multiply_add` does, with
/// `alpha = 1 + uniform(contrastLimit)` and `beta = uniform(brightnessLimit) * max` (255 or 65535) when
/// `brightnessByMax`, else `* mean(image)`. Alpha channels are left unchanged.
public struct RandomBrightnessContrast: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// The contrast factor.
        public var alpha: Double
        /// The brightness shift as a fraction of the maximum sample value or of the image mean.
        public var beta: Double
        public var brightnessByMax: Bool

        public init(alpha: Double, beta: Double, brightnessByMax: Bool = true) {
            self.alpha = alpha
            self.beta = beta
            self.brightnessByMax = brightnessByMax
        }
    }

    public static let name = "RandomBrightnessContrast"
    public static let summary = "Scales contrast and shifts brightness by random amounts."

    public var brightnessLimit: SpecRange
    public var contrastLimit: SpecRange
    public var brightnessByMax: Bool

    public init(brightnessLimit: SpecRange = SpecRange(-0.2, 0.2), contrastLimit: SpecRange = SpecRange(-0.2, 0.2),
                brightnessByMax: Bool = true) {
        self.brightnessLimit = brightnessLimit
        self.contrastLimit = contrastLimit
        self.brightnessByMax = brightnessByMax
    }

    public init(reading r: SpecReader) {
        brightnessLimit = r.read("brightnessLimit", default: SpecRange(-0.2, 0.2), within: -1...1,
                                 doc: "Range of the brightness shift, as a fraction of the maximum (or of the mean).")
        contrastLimit = r.read("contrastLimit", default: SpecRange(-0.2, 0.2), within: -1...10,
                               doc: "Range of the contrast change; the factor is 1 plus a draw from this range.")
        brightnessByMax = r.read("brightnessByMax", default: true,
                                 doc: "Shift brightness by a fraction of the maximum sample value (true) or of the image mean (false).")
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let alpha = 1 + rng.uniform(contrastLimit.range)
        let beta = rng.uniform(brightnessLimit.range)
        return Parameters(alpha: alpha, beta: beta, brightnessByMax: brightnessByMax)
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        if p.alpha == 1 && p.beta == 0 { return image }
        let scale = p.brightnessByMax ? Double(image.depth.maxValue) : ColorKernels.mean(image)
        return ColorKernels.multiplyAdd(image, alpha: p.alpha, beta: p.beta * scale)
    }
}
