import CopiaCore

/// Scales the image, keeping its aspect ratio, so that its shortest side equals `maxSize` (albumentations
/// `SmallestMaxSize`: `scale = maxSize / min(h, w)`, each side `max(1, round(side * scale))`).
public struct SmallestMaxSize: Augmentation {
    public typealias Parameters = Resize.Parameters
    public static let name = "SmallestMaxSize"
    public static let summary = "Scales so that the shortest side equals maxSize, keeping the aspect ratio."
    public static var defaultProbability: Double { 1 }
    public var maxSize: Int, interpolation: Interpolation

    public init(maxSize: Int, interpolation: Interpolation = .bilinear) { (self.maxSize, self.interpolation) = (maxSize, interpolation) }
    public init(reading r: SpecReader) {
        maxSize = OpFields.size(r, "maxSize", doc: "Target length of the shortest side.")
        interpolation = OpFields.interpolation(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Resize.Parameters.keepingAspect(of: image, side: min(image.width, image.height), to: maxSize, interpolation: interpolation)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo {
        ImageInfo(width: p.width, height: p.height, channels: input.channels, depth: input.depth)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try Resize(height: p.height, width: p.width).apply(image, with: p) }
}
