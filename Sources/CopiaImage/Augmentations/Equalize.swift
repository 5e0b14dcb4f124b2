import CopiaCore

/// Equalises each colour channel's histogram (albumentations `Equalize`, mode `cv`, by channels:
/// `cv2.equalizeHist`). Alpha is kept.
public struct Equalize: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable { public init() {} }
    public static let name = "Equalize"
    public static let summary = "Equalises each colour channel's histogram."
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image { ColorSpaceKernels.equalize(image) }
}
