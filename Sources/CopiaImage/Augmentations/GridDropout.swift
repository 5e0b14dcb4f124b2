import CopiaCore

/// Blanks out a regular grid of squares (albumentations `GridDropout`; Chen et al., "GridMask Data Augmentation",
/// 2020). The grid unit is drawn from `unitSizeRange`, or set by `holesNumberXY`, or is a tenth of each side (at least
/// 2); each hole is `ratio` of its cell (at least 1 pixel, less than the cell). The whole grid is offset by a random
/// amount within one cell when `randomOffset` (albumentations draws per cell), else by `shiftXY`.
public struct GridDropout: Augmentation {
    public typealias Parameters = DropoutParameters
    public static let name = "GridDropout"
    public static let summary = "Blanks out a regular grid of rectangles (GridMask)."
    public var ratio: Double, randomOffset: Bool, unitSizeRange: SpecRange?, holesNumberXY: [Int]?, shiftXY: [Int], fill: [Double]

    public init(ratio: Double = 0.5, randomOffset: Bool = true, unitSizeRange: SpecRange? = nil, holesNumberXY: [Int]? = nil,
                shiftXY: [Int] = [0, 0], fill: [Double] = [0]) {
        (self.ratio, self.randomOffset, self.unitSizeRange, self.holesNumberXY, self.shiftXY, self.fill) =
            (ratio, randomOffset, unitSizeRange, holesNumberXY, shiftXY, fill)
    }
    public init(reading r: SpecReader) {
        ratio = r.read("ratio", default: 0.5, in: 0...1, doc: "Hole size as a fraction of its grid cell.")
        randomOffset = r.read("randomOffset", default: true, doc: "Offset the grid by a random amount within one cell.")
        unitSizeRange = r.readOptional("unitSizeRange", doc: "Range of the grid cell size in pixels.") { (v: SpecRange) in
            v.lower >= 2 ? nil : "must be at least 2, got \(v.specJSON)"
        }
        holesNumberXY = r.readOptional("holesNumberXY", doc: "Number of cells [across, down], instead of unitSizeRange.") { (v: [Int]) in
            v.count == 2 && v.allSatisfy { $0 >= 1 } ? nil : "must be two positive integers, got \(v)"
        }
        shiftXY = r.read("shiftXY", default: [0, 0], doc: "Grid offset [x, y] in pixels when randomOffset is false.") { (v: [Int]) in
            v.count == 2 && v.allSatisfy { $0 >= 0 } ? nil : "must be two non-negative integers, got \(v)"
        }
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let W = image.width, H = image.height
        guard W > 1 && H > 1 else { return Parameters(holes: [], fill: fill) }
        var uw = max(2, W / 10), uh = max(2, H / 10)
        if let u = unitSizeRange {
            let lo = Int(u.lower), hi = min(max(lo, Int(u.upper)), min(W, H))
            uw = rng.int(in: min(lo, hi)...hi)
            uh = uw
        } else if let n = holesNumberXY, n.count == 2 {
            uw = max(2, W / n[0])
            uh = max(2, H / n[1])
        }
        let hw = min(max(Int(Double(uw) * ratio), 1), uw - 1), hh = min(max(Int(Double(uh) * ratio), 1), uh - 1)
        let (ox, oy) = randomOffset ? (rng.int(in: 0...(uw - hw)), rng.int(in: 0...(uh - hh)))
                                    : (shiftXY.first.map { $0 % uw } ?? 0, shiftXY.last.map { $0 % uh } ?? 0)
        var holes: [[Int]] = []
        var y = oy
        while y < H {
            var x = ox
            while x < W {
                holes.append([x, y, min(hw, W - x), min(hh, H - y)])
                x += uw
            }
            y += uh
        }
        return Parameters(holes: holes, fill: fill)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
