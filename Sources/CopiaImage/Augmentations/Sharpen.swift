import CopiaCore

/// Sharpens with a blend of the identity and a Laplacian-style kernel (albumentations `Sharpen`, `kernel` method):
/// `(1 - alpha) * delta + alpha * [[-1,-1,-1],[-1,8+lightness,-1],[-1,-1,-1]]`, `cv2.filter2D` semantics. Alpha is kept.
public struct Sharpen: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var alpha: Double, lightness: Double
        public init(alpha: Double, lightness: Double) { (self.alpha, self.lightness) = (alpha, lightness) }
    }
    public static let name = "Sharpen"
    public static let summary = "Sharpens by blending in an edge-enhancing kernel."
    public var alpha: SpecRange, lightness: SpecRange
    public init(alpha: SpecRange = SpecRange(0.2, 0.5), lightness: SpecRange = SpecRange(0.5, 1)) { (self.alpha, self.lightness) = (alpha, lightness) }
    public init(reading r: SpecReader) {
        alpha = r.read("alpha", default: SpecRange(0.2, 0.5), within: 0...1, doc: "Range of the blend of the sharpened image.")
        lightness = r.read("lightness", default: SpecRange(0.5, 1), within: 0...10, doc: "Range of the lightness of the sharpened image.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(alpha: rng.uniform(alpha.range), lightness: rng.uniform(lightness.range))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let a = Float(p.alpha)
        var k = [Float](repeating: -a, count: 9)
        k[4] = (1 - a) + a * (8 + Float(p.lightness))
        return FilterKernels.convolve(image, kernel: k, size: 3)
    }
}
