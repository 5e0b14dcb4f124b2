import CopiaCore

/// Stretches and squeezes the image along a coarse grid (albumentations `GridDistortion`, after Buslaev et al.,
/// "Albumentations", 2020): each of `numSteps` columns and rows gets a random length factor `1 + d`,
/// `d` drawn from `distortLimit`; the factors are normalised so the grid still spans the image, and pixels are
/// remapped piecewise-linearly (`cv2.remap`).
public struct GridDistortion: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Length factors of the columns and rows (numSteps + 1 each, as albumentations draws them).
        public var xSteps: [Double], ySteps: [Double]
        public var interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
        public init(xSteps: [Double], ySteps: [Double], interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
            (self.xSteps, self.ySteps, self.interpolation, self.borderMode, self.fill) = (xSteps, ySteps, interpolation, borderMode, fill)
        }
    }
    public static let name = "GridDistortion"
    public static let summary = "Stretches and squeezes the image along a coarse random grid."
    public var numSteps: Int, distortLimit: SpecRange, interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
    public init(numSteps: Int = 5, distortLimit: SpecRange = SpecRange(-0.3, 0.3), interpolation: Interpolation = .bilinear,
                borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.numSteps, self.distortLimit, self.interpolation, self.borderMode, self.fill) = (numSteps, distortLimit, interpolation, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        numSteps = r.read("numSteps", default: 5, in: 1...100, doc: "Number of grid cells along each side.")
        distortLimit = r.read("distortLimit", default: SpecRange(-0.3, 0.3), within: -1...1, doc: "Range of each cell's length change.")
        interpolation = OpFields.interpolation(r)
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let xs = (0...numSteps).map { _ in 1 + rng.uniform(distortLimit.range) }
        let ys = (0...numSteps).map { _ in 1 + rng.uniform(distortLimit.range) }
        return Parameters(xSteps: xs, ySteps: ys, interpolation: interpolation, borderMode: borderMode, fill: fill)
    }

    /// Source coordinate for each output coordinate along one axis.
    static func axisMap(length: Int, steps: [Double]) -> [Float] {
        let n = max(steps.count - 1, 1)
        let step = max(length / n, 1)
        var cells: [(Int, Int, Double)] = []
        var start = 0
        var i = 0
        while start < length {
            let end = min(start + step, length)
            cells.append((start, end, steps[min(i, steps.count - 1)]))
            start = end
            i += 1
        }
        let total = cells.reduce(0.0) { $0 + Double($1.1 - $1.0) * $1.2 }
        let norm = total > 0 ? Double(length) / total : 1  // all factors 1 gives the identity map
        var map = [Float](repeating: 0, count: length)
        var prev = 0.0
        for (s, e, f) in cells {
            let cur = prev + Double(e - s) * f * norm
            for x in s..<e { map[x] = Float(prev + (cur - prev) * Double(x - s) / Double(e - s)) }
            prev = cur
        }
        return map
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard !p.xSteps.isEmpty, !p.ySteps.isEmpty, (p.xSteps + p.ySteps).allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw AugmentationError(op: Self.name, "steps must be non-empty lists of non-negative factors")
        }
        let w = image.width, h = image.height
        guard w > 0 && h > 0 else { return image }
        let mx = Self.axisMap(length: w, steps: p.xSteps), my = Self.axisMap(length: h, steps: p.ySteps)
        var mapX = [Float](repeating: 0, count: w * h), mapY = mapX
        for y in 0..<h { for x in 0..<w { mapX[y * w + x] = mx[x]; mapY[y * w + x] = my[y] } }
        return WarpKernels.remap(image, mapX: mapX, mapY: mapY, width: w, height: h,
                                 interpolation: p.interpolation, border: p.borderMode, fill: p.fill)
    }
}
