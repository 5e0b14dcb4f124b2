import CopiaCore

/// Scales the image, keeping its aspect ratio, so that its longest side equals `maxSize` (albumentations
/// `LongestMaxSize`: `scale = maxSize / max(h, w)`, each side `max(1, round(side * scale))`).
public struct LongestMaxSize: Augmentation {
    public typealias Parameters = Resize.Parameters
    public static let name = "LongestMaxSize"
    public static let summary = "Scales so that the longest side equals maxSize, keeping the aspect ratio."
    public static var defaultProbability: Double { 1 }
    public var maxSize: Int, interpolation: Interpolation

    public init(maxSize: Int, interpolation: Interpolation = .bilinear) { (self.maxSize, self.interpolation) = (maxSize, interpolation) }
    public init(reading r: SpecReader) {
        maxSize = OpFields.size(r, "maxSize", doc: "Target length of the longest side.")
        interpolation = OpFields.interpolation(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Resize.Parameters.keepingAspect(of: image, side: max(image.width, image.height), to: maxSize, interpolation: interpolation)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo {
        ImageInfo(width: p.width, height: p.height, channels: input.channels, depth: input.depth)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try Resize(height: p.height, width: p.width).apply(image, with: p) }
}

extension Resize.Parameters {
    /// The size that scales `side` of `image` to `target`, keeping the aspect ratio (albumentations' LongestMaxSize and
    /// SmallestMaxSize: `scale = target / side`, each side `max(1, round(side * scale))`, ties to even).
    static func keepingAspect(of image: ImageInfo, side: Int, to target: Int, interpolation: Interpolation) -> Resize.Parameters {
        guard side > 0 else { return Resize.Parameters(width: image.width, height: image.height, interpolation: interpolation) }
        let scale = Double(target) / Double(side)
        return Resize.Parameters(width: max(1, Int((Double(image.width) * scale).rounded(.toNearestOrEven))),
                                 height: max(1, Int((Double(image.height) * scale).rounded(.toNearestOrEven))), interpolation: interpolation)
    }
}
