import CopiaCore

/// Adds Gaussian noise (albumentations 2.x `GaussNoise`): standard deviation and mean drawn from `stdRange` and
/// `meanRange` as fractions of the maximum sample value, per channel or shared across channels. The noise itself is
/// generated from a recorded seed (see `NoiseKernels`), so replay reproduces it. Alpha is kept.
public struct GaussNoise: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Fractions of the maximum sample value.
        public var std: Double, mean: Double
        public var perChannel: Bool
        public var seed: Int
        public init(std: Double, mean: Double = 0, perChannel: Bool = true, seed: Int) {
            (self.std, self.mean, self.perChannel, self.seed) = (std, mean, perChannel, seed)
        }
    }
    public static let name = "GaussNoise"
    public static let summary = "Adds Gaussian noise of random standard deviation."
    public var stdRange: SpecRange, meanRange: SpecRange, perChannel: Bool
    public init(stdRange: SpecRange = SpecRange(0.2, 0.44), meanRange: SpecRange = SpecRange(0, 0), perChannel: Bool = true) {
        (self.stdRange, self.meanRange, self.perChannel) = (stdRange, meanRange, perChannel)
    }
    public init(reading r: SpecReader) {
        stdRange = r.read("stdRange", default: SpecRange(0.2, 0.44), within: 0...1, doc: "Range of the standard deviation, as a fraction of the maximum.")
        meanRange = r.read("meanRange", default: SpecRange(0, 0), within: -1...1, doc: "Range of the mean, as a fraction of the maximum.")
        perChannel = r.read("perChannel", default: true, doc: "Draw independent noise per channel (false: one draw per pixel).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(std: rng.uniform(stdRange.range), mean: rng.uniform(meanRange.range), perChannel: perChannel, seed: OpFields.seed(&rng))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let m = Double(image.depth.maxValue)
        return NoiseKernels.addGaussian(image, std: p.std * m, mean: p.mean * m, perChannel: p.perChannel, seed: p.seed)
    }
}
