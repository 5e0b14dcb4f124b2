import CopiaCore

/// A random perspective warp (albumentations `Perspective`, `keep_size=True`): each corner moves inwards by
/// `|N(0, scale)| mod 0.32` of the width and height, and the quadrilateral they span is mapped back onto the whole
/// image (`cv2.getPerspectiveTransform` + `warpPerspective`). albumentations 2.0.8 additionally rescales by the
/// quadrilateral's side lengths; Copia maps it exactly onto the image, the effect the op describes.
public struct Perspective: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Row-major 3x3, source to destination.
        public var homography: [Double]
        public var interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
        public init(homography: [Double], interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
            (self.homography, self.interpolation, self.borderMode, self.fill) = (homography, interpolation, borderMode, fill)
        }
    }
    public static let name = "Perspective"
    public static let summary = "Applies a random perspective warp, keeping the size."
    public var scale: SpecRange, interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
    public init(scale: SpecRange = SpecRange(0.05, 0.1), interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.scale, self.interpolation, self.borderMode, self.fill) = (scale, interpolation, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        scale = r.read("scale", default: SpecRange(0.05, 0.1), within: 0...1, doc: "Range of the standard deviation of the corner moves, as a fraction of the size.")
        interpolation = OpFields.interpolation(r)
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let s = rng.uniform(scale.range)
        var j = (0..<8).map { _ in (abs(rng.normal() * s)).truncatingRemainder(dividingBy: 0.32) }
        let w = Double(image.width), h = Double(image.height)
        // Corners tl, tr, br, bl moved inwards.
        j = [j[0] * w, j[1] * h, (1 - j[2]) * w, j[3] * h, (1 - j[4]) * w, (1 - j[5]) * h, j[6] * w, (1 - j[7]) * h]
        let src = [(j[0], j[1]), (j[2], j[3]), (j[4], j[5]), (j[6], j[7])]
        let dst = [(0.0, 0.0), (w, 0), (w, h), (0, h)]
        let hm = Self.perspectiveTransform(from: src, to: dst) ?? [1, 0, 0, 0, 1, 0, 0, 0, 1]
        return Parameters(homography: hm, interpolation: interpolation, borderMode: borderMode, fill: fill)
    }

    /// The homography taking four points to four points (`cv2.getPerspectiveTransform`), by Gaussian elimination with
    /// partial pivoting; nil when the points are degenerate.
    static func perspectiveTransform(from s: [(Double, Double)], to d: [(Double, Double)]) -> [Double]? {
        var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
        for i in 0..<4 {
            let (x, y) = s[i], (u, v) = d[i]
            a[i] = [x, y, 1, 0, 0, 0, -x * u, -y * u, u]
            a[i + 4] = [0, 0, 0, x, y, 1, -x * v, -y * v, v]
        }
        for col in 0..<8 {
            let pivot = (col..<8).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            guard abs(a[pivot][col]) > 1e-12 else { return nil }
            a.swapAt(col, pivot)
            for row in 0..<8 where row != col {
                let f = a[row][col] / a[col][col]
                if f != 0 { for k in col..<9 { a[row][k] -= f * a[col][k] } }
            }
        }
        return (0..<8).map { a[$0][8] / a[$0][$0] } + [1]
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.homography.count == 9, p.homography.allSatisfy(\.isFinite) else {
            throw AugmentationError(op: Self.name, "homography must be 9 finite numbers, got \(p.homography)")
        }
        return WarpKernels.perspective(image, homography: p.homography, width: image.width, height: image.height,
                                       interpolation: p.interpolation, border: p.borderMode, fill: p.fill)
    }
}
