import CopiaCore

/// Swaps rows and columns (albumentations `Transpose`): a reflection about the main diagonal. Exact.
public struct Transpose: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable { public init() {} }
    public static let name = "Transpose"
    public static let summary = "Swaps rows and columns (reflects about the main diagonal)."
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func outputInfo(for input: ImageInfo, with parameters: Parameters) -> ImageInfo {
        ImageInfo(width: input.height, height: input.width, channels: input.channels, depth: input.depth)
    }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image { GeometryKernels.transpose(image) }
}
