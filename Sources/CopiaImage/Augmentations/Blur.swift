import CopiaCore

/// Averages over a random odd-sized box (albumentations `Blur`, `cv2.blur` with reflect101 borders). Alpha is kept.
public struct Blur: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var size: Int
        public init(size: Int) { self.size = size }
    }
    public static let name = "Blur"
    public static let summary = "Averages over a box of random odd size."
    public var blurLimit: ClosedRange<Int>
    public init(blurLimit: ClosedRange<Int> = 3...7) { self.blurLimit = blurLimit }
    public init(reading r: SpecReader) {
        blurLimit = OpFields.intRange(r, "blurLimit", default: (3, 7), within: 3...255, doc: "Range of the box size (odd sizes are drawn).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(size: sampleOdd(blurLimit, using: &rng))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.size >= 1 && p.size <= 1023 else { throw AugmentationError(op: Self.name, "size must be in 1...1023, got \(p.size)") }
        return FilterKernels.box(image, size: p.size)
    }
}
