import CopiaCore

/// Sets random pixels to white (salt) or black (pepper) (albumentations `SaltAndPepper`): a fraction drawn from
/// `amount`, of which a share drawn from `saltVsPepper` is salt. Pixels are chosen from a recorded seed. Alpha is kept.
public struct SaltAndPepper: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var amount: Double, saltRatio: Double
        public var seed: Int
        public init(amount: Double, saltRatio: Double, seed: Int) { (self.amount, self.saltRatio, self.seed) = (amount, saltRatio, seed) }
    }
    public static let name = "SaltAndPepper"
    public static let summary = "Sets random pixels to white or black."
    public var amount: SpecRange, saltVsPepper: SpecRange
    public init(amount: SpecRange = SpecRange(0.01, 0.06), saltVsPepper: SpecRange = SpecRange(0.4, 0.6)) { (self.amount, self.saltVsPepper) = (amount, saltVsPepper) }
    public init(reading r: SpecReader) {
        amount = r.read("amount", default: SpecRange(0.01, 0.06), within: 0...1, doc: "Range of the fraction of pixels changed.")
        saltVsPepper = r.read("saltVsPepper", default: SpecRange(0.4, 0.6), within: 0...1, doc: "Range of the share of changed pixels made white.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(amount: rng.uniform(amount.range), saltRatio: rng.uniform(saltVsPepper.range), seed: OpFields.seed(&rng))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        NoiseKernels.saltAndPepper(image, amount: p.amount, saltRatio: p.saltRatio, seed: p.seed)
    }
}
