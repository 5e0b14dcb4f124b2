import CopiaCore

/// Blanks out random rectangles (albumentations 2.x `CoarseDropout`; DeVries & Taylor, "Improved regularization of
/// convolutional neural networks with Cutout", 2017). The number of holes is drawn from `numHolesRange`; each hole's
/// height and width from `holeHeightRange` / `holeWidthRange`, as fractions of the image when both ends are at most
/// 1, otherwise in pixels; positions are uniform so the hole lies inside the image.
public struct CoarseDropout: Augmentation {
    public typealias Parameters = DropoutParameters
    public static let name = "CoarseDropout"
    public static let summary = "Blanks out a few random rectangles (Cutout)."
    public var numHolesRange: ClosedRange<Int>, holeHeightRange: SpecRange, holeWidthRange: SpecRange, fill: [Double]

    public init(numHolesRange: ClosedRange<Int> = 1...2, holeHeightRange: SpecRange = SpecRange(0.1, 0.2),
                holeWidthRange: SpecRange = SpecRange(0.1, 0.2), fill: [Double] = [0]) {
        (self.numHolesRange, self.holeHeightRange, self.holeWidthRange, self.fill) = (numHolesRange, holeHeightRange, holeWidthRange, fill)
    }
    public init(reading r: SpecReader) {
        numHolesRange = OpFields.intRange(r, "numHolesRange", default: (1, 2), within: 0...10_000, doc: "Range of the number of holes.")
        holeHeightRange = r.read("holeHeightRange", default: SpecRange(0.1, 0.2), within: 0...65_536, doc: "Range of hole heights: fractions if at most 1, else pixels.")
        holeWidthRange = r.read("holeWidthRange", default: SpecRange(0.1, 0.2), within: 0...65_536, doc: "Range of hole widths: fractions if at most 1, else pixels.")
        fill = OpFields.fill(r)
    }
    static func side(_ range: SpecRange, of length: Int, using rng: inout some RandomNumberGenerator) -> Int {
        let v = range.upper <= 1
            ? Int(Double(length) * rng.uniform(range.range))
            : rng.int(in: Int(range.lower)...max(Int(range.lower), Int(range.upper)))
        return min(max(v, 1), max(length, 1))
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        guard image.width > 0 && image.height > 0 else { return Parameters(holes: [], fill: fill) }
        let n = rng.int(in: numHolesRange)
        var holes: [[Int]] = []
        for _ in 0..<n {
            let h = Self.side(holeHeightRange, of: image.height, using: &rng), w = Self.side(holeWidthRange, of: image.width, using: &rng)
            let y = rng.int(in: 0...(image.height - h)), x = rng.int(in: 0...(image.width - w))
            holes.append([x, y, w, h])
        }
        return Parameters(holes: holes, fill: fill)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
