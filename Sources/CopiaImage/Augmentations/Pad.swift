import CopiaCore

/// Pads every side by fixed amounts (albumentations / torchvision `Pad`): `padding` is `[n]` (all sides),
/// `[x, y]` (left/right, top/bottom) or `[left, top, right, bottom]`. Exact.
public struct Pad: Augmentation {
    public typealias Parameters = PaddingParameters
    public static let name = "Pad"
    public static let summary = "Pads every side by fixed amounts."
    public static var defaultProbability: Double { 1 }
    public var padding: [Int], borderMode: BorderMode, fill: [Double]

    public init(padding: [Int], borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.padding, self.borderMode, self.fill) = (padding, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        padding = r.read("padding", default: [0], doc: "[n] for all sides, [x, y], or [left, top, right, bottom].") { (p: [Int]) in
            [1, 2, 4].contains(p.count) && p.allSatisfy { (0...65_536).contains($0) } ? nil : "must be 1, 2 or 4 numbers in 0...65536, got \(p)"
        }
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let p = padding
        let (l, t, r, b) = p.count == 4 ? (p[0], p[1], p[2], p[3]) : p.count == 2 ? (p[0], p[1], p[0], p[1]) : (p.first ?? 0, p.first ?? 0, p.first ?? 0, p.first ?? 0)
        return Parameters(top: t, bottom: b, left: l, right: r, borderMode: borderMode, fill: fill)
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo { p.outputInfo(for: input) }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
