import CopiaCore

/// Inverts samples at or above a threshold (albumentations `Solarize`; the threshold is a fraction of the maximum,
/// default 0.5). Alpha is kept. Exact.
public struct Solarize: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Fraction of the maximum sample value.
        public var threshold: Double
        public init(threshold: Double) { self.threshold = threshold }
    }
    public static let name = "Solarize"
    public static let summary = "Inverts samples at or above a threshold."
    public var thresholdRange: SpecRange
    public init(thresholdRange: SpecRange = SpecRange(0.5, 0.5)) { self.thresholdRange = thresholdRange }
    public init(reading r: SpecReader) {
        thresholdRange = r.read("thresholdRange", default: SpecRange(0.5, 0.5), within: 0...1, doc: "Range of the threshold, as a fraction of the maximum.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(threshold: rng.uniform(thresholdRange.range))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let m = image.depth.maxValue, t = p.threshold * Double(m)
        return ColorKernels.lookup(image, tables: [ColorKernels.table(depth: image.depth) { Double($0) >= t ? m - $0 : $0 }])
    }
}
