import CopiaCore

/// Simulates camera sensor noise: hue jitter and luminance noise (after albumentations `ISONoise`; see
/// `NoiseKernels.iso` for how it differs). RGB images only; others pass unchanged.
public struct ISONoise: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var colorShift: Double, intensity: Double
        public var seed: Int
        public init(colorShift: Double, intensity: Double, seed: Int) { (self.colorShift, self.intensity, self.seed) = (colorShift, intensity, seed) }
    }
    public static let name = "ISONoise"
    public static let summary = "Simulates camera sensor noise (hue jitter and luminance noise)."
    public var colorShift: SpecRange, intensity: SpecRange
    public init(colorShift: SpecRange = SpecRange(0.01, 0.05), intensity: SpecRange = SpecRange(0.1, 0.5)) { (self.colorShift, self.intensity) = (colorShift, intensity) }
    public init(reading r: SpecReader) {
        colorShift = r.read("colorShift", default: SpecRange(0.01, 0.05), within: 0...1, doc: "Range of the hue jitter, as a fraction of the hue circle.")
        intensity = r.read("intensity", default: SpecRange(0.1, 0.5), within: 0...10, doc: "Range of the noise intensity.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(colorShift: rng.uniform(colorShift.range), intensity: rng.uniform(intensity.range), seed: OpFields.seed(&rng))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.colorShift.isFinite, p.intensity.isFinite, abs(p.intensity) <= 1e6 else {
            throw AugmentationError(op: Self.name, "colorShift and intensity must be finite, got \(p)")
        }
        return NoiseKernels.iso(image, colorShift: p.colorShift, intensity: p.intensity, seed: p.seed)
    }
}
