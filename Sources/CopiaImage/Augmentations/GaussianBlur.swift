import CopiaCore

/// Blurs with a random Gaussian (albumentations 2.x `GaussianBlur`): sigma drawn from `sigmaLimit`; the kernel size
/// drawn from `blurLimit`, or, when that is 0, `int(3.5 sigma) * 2 + 1` (PIL's rule); applied separably with
/// reflect101 borders (`cv2.sepFilter2D`). Alpha is kept.
public struct GaussianBlur: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var sigma: Double
        /// Odd kernel size, or 0 for `int(3.5 sigma) * 2 + 1`.
        public var size: Int
        public init(sigma: Double, size: Int = 0) { (self.sigma, self.size) = (sigma, size) }
    }
    public static let name = "GaussianBlur"
    public static let summary = "Blurs with a Gaussian of random sigma."
    public var blurLimit: ClosedRange<Int>, sigmaLimit: SpecRange
    public init(blurLimit: ClosedRange<Int> = 0...0, sigmaLimit: SpecRange = SpecRange(0.5, 3)) {
        (self.blurLimit, self.sigmaLimit) = (blurLimit, sigmaLimit)
    }
    public init(reading r: SpecReader) {
        blurLimit = OpFields.intRange(r, "blurLimit", default: (0, 0), within: 0...255, doc: "Range of the kernel size; 0 derives it from sigma.")
        sigmaLimit = r.read("sigmaLimit", default: SpecRange(0.5, 3), within: 0...100, doc: "Range of sigma in pixels.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let sigma = rng.uniform(sigmaLimit.range)
        var size = rng.int(in: blurLimit)
        if size != 0 && size % 2 == 0 { size += 1 }
        return Parameters(sigma: sigma, size: size)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.sigma > 0, p.sigma <= 1000, p.size >= 0, p.size <= 1023 else {
            throw AugmentationError(op: Self.name, "sigma must be in (0, 1000] and size in 0...1023, got sigma \(p.sigma), size \(p.size)")
        }
        let k = FilterKernels.gaussian(sigma: p.sigma, size: p.size)
        return FilterKernels.separable(image, kx: k, ky: k)
    }
}
