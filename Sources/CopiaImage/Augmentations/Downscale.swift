import CopiaCore

/// Lowers the resolution: shrinks by a random factor, then enlarges back to the original size (albumentations
/// `Downscale`; the small size is `round(side * scale)`, at least 1). Default interpolation nearest both ways.
public struct Downscale: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var scale: Double
        public var downscale: Interpolation, upscale: Interpolation
        public init(scale: Double, downscale: Interpolation = .nearest, upscale: Interpolation = .nearest) {
            (self.scale, self.downscale, self.upscale) = (scale, downscale, upscale)
        }
    }
    public static let name = "Downscale"
    public static let summary = "Shrinks by a random factor and enlarges back, losing detail."
    public var scaleRange: SpecRange, downscale: Interpolation, upscale: Interpolation
    public init(scaleRange: SpecRange = SpecRange(0.25, 0.25), downscale: Interpolation = .nearest, upscale: Interpolation = .nearest) {
        (self.scaleRange, self.downscale, self.upscale) = (scaleRange, downscale, upscale)
    }
    public init(reading r: SpecReader) {
        scaleRange = r.read("scaleRange", default: SpecRange(0.25, 0.25), within: 0.01...1, doc: "Range of the shrink factor.")
        downscale = r.read("downscaleInterpolation", default: Interpolation.nearest, doc: "Interpolation for shrinking.")
        upscale = r.read("upscaleInterpolation", default: Interpolation.nearest, doc: "Interpolation for enlarging back.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(scale: rng.uniform(scaleRange.range), downscale: downscale, upscale: upscale)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.scale > 0 && p.scale <= 1 else { throw AugmentationError(op: Self.name, "scale must be in (0, 1], got \(p.scale)") }
        guard image.info.pixelCount > 0 else { return image }
        let w = max(1, Int((Double(image.width) * p.scale).rounded(.toNearestOrEven)))
        let h = max(1, Int((Double(image.height) * p.scale).rounded(.toNearestOrEven)))
        let small = ResizeKernels.resize(image, width: w, height: h, interpolation: p.downscale)
        return ResizeKernels.resize(small, width: image.width, height: image.height, interpolation: p.upscale)
    }
}
