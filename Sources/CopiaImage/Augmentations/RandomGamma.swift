import CopiaCore
import Foundation

/// Applies a random gamma curve `max * (v / max)^gamma`, truncated (albumentations `RandomGamma`; `gammaLimit` in
/// percent, so the default [80, 120] draws gamma in [0.8, 1.2]). Alpha is kept.
public struct RandomGamma: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var gamma: Double
        public init(gamma: Double) { self.gamma = gamma }
    }
    public static let name = "RandomGamma"
    public static let summary = "Applies a gamma curve with a random exponent."
    public var gammaLimit: SpecRange
    public init(gammaLimit: SpecRange = SpecRange(80, 120)) { self.gammaLimit = gammaLimit }
    public init(reading r: SpecReader) {
        gammaLimit = r.read("gammaLimit", default: SpecRange(80, 120), within: 1...1000, doc: "Range of gamma in percent.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(gamma: rng.uniform(gammaLimit.range) / 100)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.gamma > 0 else { throw AugmentationError(op: Self.name, "gamma must be positive, got \(p.gamma)") }
        if p.gamma == 1 { return image }
        let m = Double(image.depth.maxValue)
        return ColorKernels.lookup(image, tables: [ColorKernels.table(depth: image.depth) { Int(pow(Double($0) / m, p.gamma) * m) }])
    }
}
