import CopiaCore

/// Embosses: blends the identity with `[[-1-s, -s, 0], [-s, 1, s], [0, s, 1+s]]` by `alpha` (albumentations `Emboss`),
/// `cv2.filter2D` semantics. Alpha channels are kept.
public struct Emboss: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var alpha: Double, strength: Double
        public init(alpha: Double, strength: Double) { (self.alpha, self.strength) = (alpha, strength) }
    }
    public static let name = "Emboss"
    public static let summary = "Embosses the image and blends the result in."
    public var alpha: SpecRange, strength: SpecRange
    public init(alpha: SpecRange = SpecRange(0.2, 0.5), strength: SpecRange = SpecRange(0.2, 0.7)) { (self.alpha, self.strength) = (alpha, strength) }
    public init(reading r: SpecReader) {
        alpha = r.read("alpha", default: SpecRange(0.2, 0.5), within: 0...1, doc: "Range of the blend of the embossed image.")
        strength = r.read("strength", default: SpecRange(0.2, 0.7), within: 0...10, doc: "Range of the embossing strength.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(alpha: rng.uniform(alpha.range), strength: rng.uniform(strength.range))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let a = Float(p.alpha), s = Float(p.strength)
        let effect: [Float] = [-1 - s, -s, 0, -s, 1, s, 0, s, 1 + s]
        let k = effect.enumerated().map { i, e in (i == 4 ? 1 - a : 0) + a * e }
        return FilterKernels.convolve(image, kernel: k, size: 3)
    }
}
