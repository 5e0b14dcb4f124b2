import CopiaCore

/// Crops the centre `height` x `width` (albumentations `CenterCrop`; offsets `(W - w) / 2`, `(H - h) / 2` rounded
/// down). An image smaller than the crop is padded first when `padIfNeeded`, otherwise applying throws. Exact.
public struct CenterCrop: Augmentation {
    public typealias Parameters = CropParameters
    public static let name = "CenterCrop"
    public static let summary = "Crops the central height x width rectangle."
    public static var defaultProbability: Double { 1 }
    var spec: CropSpec

    public init(height: Int, width: Int, padIfNeeded: Bool = false) { spec = CropSpec(height: height, width: width, padIfNeeded: padIfNeeded) }
    public init(reading r: SpecReader) { spec = CropSpec(reading: r) }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let (pad, w, h) = spec.padding(for: image)
        return Parameters(x: max(0, (w - spec.width) / 2), y: max(0, (h - spec.height) / 2), width: spec.width, height: spec.height,
                          padding: pad, borderMode: spec.borderMode, fill: spec.fill)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo { p.outputInfo(for: input) }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
