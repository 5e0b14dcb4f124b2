import CopiaCore

/// Pads an image smaller than `minHeight` x `minWidth` up to that size, centred (albumentations `PadIfNeeded` with
/// `position="center"`: the odd pixel goes to the bottom / right). Larger images pass unchanged. Exact.
public struct PadIfNeeded: Augmentation {
    public typealias Parameters = PaddingParameters
    public static let name = "PadIfNeeded"
    public static let summary = "Pads small images up to a minimum size, centred."
    public static var defaultProbability: Double { 1 }
    public var minHeight: Int, minWidth: Int, borderMode: BorderMode, fill: [Double]

    public init(minHeight: Int = 1024, minWidth: Int = 1024, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.minHeight, self.minWidth, self.borderMode, self.fill) = (minHeight, minWidth, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        minHeight = r.read("minHeight", default: 1024, in: 1...65_536, doc: "Minimum output height.")
        minWidth = r.read("minWidth", default: 1024, in: 1...65_536, doc: "Minimum output width.")
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let p = CenterPadding(width: image.width, height: image.height, minWidth: minWidth, minHeight: minHeight)
        return Parameters(top: p.top, bottom: p.bottom, left: p.left, right: p.right, borderMode: borderMode, fill: fill)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo { p.outputInfo(for: input) }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
