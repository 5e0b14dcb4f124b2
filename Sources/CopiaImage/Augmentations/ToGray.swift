import CopiaCore

/// Replaces colour by luma, keeping the channel count (albumentations `ToGray`, `weighted_average` method with three
/// output channels: OpenCV's `COLOR_RGB2GRAY` BT.601 weights). Gray images are unchanged; alpha is kept.
public struct ToGray: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable { public init() {} }
    public static let name = "ToGray"
    public static let summary = "Replaces colour by its luma (BT.601), keeping the channel count."
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image { ColorSpaceKernels.toGray(image) }
}
