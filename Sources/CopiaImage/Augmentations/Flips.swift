import CopiaCore

/// Mirrors the image left-right (albumentations `HorizontalFlip`).
public struct HorizontalFlip: Augmentation {
    /// A flip has no parameters; the manifest records only that it was applied.
    public struct Parameters: Codable, Sendable, Equatable {
        public init() {}
    }

    public static let name = "HorizontalFlip"
    public static let summary = "Mirrors the image left-right."

    public init() {}
    public init(reading reader: SpecReader) {}

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image { FlipKernels.horizontal(image) }
}

/// Mirrors the image top-bottom (albumentations `VerticalFlip`).
public struct VerticalFlip: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public init() {}
    }

    public static let name = "VerticalFlip"
    public static let summary = "Mirrors the image top-bottom."

    public init() {}
    public init(reading reader: SpecReader) {}

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image { FlipKernels.vertical(image) }
}
