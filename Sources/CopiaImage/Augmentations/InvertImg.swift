import CopiaCore

/// Inverts every colour sample, `max - v` (albumentations `InvertImg`). Alpha is kept. Exact.
public struct InvertImg: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable { public init() {} }
    public static let name = "InvertImg"
    public static let summary = "Inverts colours: max - v."
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters() }
    public func apply(_ image: Image, with parameters: Parameters) throws -> Image {
        let m = image.depth.maxValue
        return ColorKernels.lookup(image, tables: [ColorKernels.table(depth: image.depth) { m - $0 }])
    }
}
