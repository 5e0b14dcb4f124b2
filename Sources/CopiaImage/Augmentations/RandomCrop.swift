import CopiaCore

/// Crops a `height` x `width` rectangle at a uniformly random position (albumentations `RandomCrop`). An image
/// smaller than the crop is padded first when `padIfNeeded`, otherwise applying throws. Exact.
public struct RandomCrop: Augmentation {
    public typealias Parameters = CropParameters
    public static let name = "RandomCrop"
    public static let summary = "Crops a height x width rectangle at a random position."
    public static var defaultProbability: Double { 1 }
    var spec: CropSpec

    public init(height: Int, width: Int, padIfNeeded: Bool = false) { spec = CropSpec(height: height, width: width, padIfNeeded: padIfNeeded) }
    public init(reading r: SpecReader) { spec = CropSpec(reading: r) }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let (pad, w, h) = spec.padding(for: image)
        let x = w > spec.width ? rng.int(in: 0...(w - spec.width)) : 0
        let y = h > spec.height ? rng.int(in: 0...(h - spec.height)) : 0
        return Parameters(x: x, y: y, width: spec.width, height: spec.height, padding: pad, borderMode: spec.borderMode, fill: spec.fill)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo { p.outputInfo(for: input) }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
