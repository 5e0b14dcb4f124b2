import CopiaCore

/// Resizes to a fixed `height` x `width` (albumentations `Resize`, `cv2.resize`; see `ResizeKernels.resize`).
public struct Resize: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var width: Int, height: Int
        public var interpolation: Interpolation
        public init(width: Int, height: Int, interpolation: Interpolation = .bilinear) {
            (self.width, self.height, self.interpolation) = (width, height, interpolation)
        }
    }
    public static let name = "Resize"
    public static let summary = "Resizes to height x width."
    public static var defaultProbability: Double { 1 }
    public var height: Int, width: Int, interpolation: Interpolation

    public init(height: Int, width: Int, interpolation: Interpolation = .bilinear) {
        (self.height, self.width, self.interpolation) = (height, width, interpolation)
    }
    public init(reading r: SpecReader) {
        height = OpFields.size(r, "height", doc: "Output height in pixels.")
        width = OpFields.size(r, "width", doc: "Output width in pixels.")
        interpolation = OpFields.interpolation(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(width: width, height: height, interpolation: interpolation)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo {
        ImageInfo(width: p.width, height: p.height, channels: input.channels, depth: input.depth)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard (1...65_536).contains(p.width) && (1...65_536).contains(p.height) else {
            throw AugmentationError(op: Self.name, "size must be in 1...65536 each way, got \(p.width)x\(p.height)")
        }
        return ResizeKernels.resize(image, width: p.width, height: p.height, interpolation: p.interpolation)
    }
}
