import CopiaCore

/// Replaces each sample by the median of a random odd-sized box (albumentations `MedianBlur`, `cv2.medianBlur`,
/// edges replicated). Alpha is kept. Exact.
public struct MedianBlur: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var size: Int
        public init(size: Int) { self.size = size }
    }
    public static let name = "MedianBlur"
    public static let summary = "Takes the median over a box of random odd size."
    public var blurLimit: ClosedRange<Int>
    public init(blurLimit: ClosedRange<Int> = 3...7) { self.blurLimit = blurLimit }
    public init(reading r: SpecReader) {
        blurLimit = OpFields.intRange(r, "blurLimit", default: (3, 7), within: 3...31, doc: "Range of the box size (odd sizes are drawn).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(size: sampleOdd(blurLimit, using: &rng))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.size % 2 == 1 && p.size <= 31 else { throw AugmentationError(op: Self.name, "size must be odd and at most 31, got \(p.size)") }
        return FilterKernels.median(image, size: p.size)
    }
}
