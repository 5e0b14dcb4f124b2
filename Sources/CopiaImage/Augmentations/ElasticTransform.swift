import CopiaCore

/// Elastic deformation (Simard, Steinkraus & Platt, "Best practices for convolutional neural networks applied to
/// visual document analysis", 2003; albumentations `ElasticTransform`): displacement fields of uniform noise in
/// [-1, 1], smoothed by a Gaussian of `sigma` and scaled by `alpha`, move every pixel (`cv2.remap`). The noise comes
/// from a recorded seed, so replay reproduces it.
public struct ElasticTransform: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var alpha: Double, sigma: Double, seed: Int
        public var interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
        public init(alpha: Double, sigma: Double, seed: Int, interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
            (self.alpha, self.sigma, self.seed) = (alpha, sigma, seed)
            (self.interpolation, self.borderMode, self.fill) = (interpolation, borderMode, fill)
        }
    }
    public static let name = "ElasticTransform"
    public static let summary = "Moves pixels along smooth random displacement fields."
    public var alpha: Double, sigma: Double, interpolation: Interpolation, borderMode: BorderMode, fill: [Double]
    public init(alpha: Double = 1, sigma: Double = 50, interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.alpha, self.sigma, self.interpolation, self.borderMode, self.fill) = (alpha, sigma, interpolation, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        alpha = r.read("alpha", default: 1.0, in: 0...10_000, doc: "Scale of the displacement in pixels.")
        sigma = r.read("sigma", default: 50.0, in: 0.1...1000, doc: "Smoothness of the displacement: the Gaussian's sigma in pixels.")
        interpolation = OpFields.interpolation(r)
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(alpha: alpha, sigma: sigma, seed: OpFields.seed(&rng), interpolation: interpolation, borderMode: borderMode, fill: fill)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.sigma > 0, p.sigma <= 10_000, p.alpha.isFinite, abs(p.alpha) <= 1e6 else {
            throw AugmentationError(op: Self.name, "sigma must be in (0, 10000] and alpha finite, got sigma \(p.sigma), alpha \(p.alpha)")
        }
        let w = image.width, h = image.height
        guard w > 0 && h > 0 else { return image }
        var rng = NoiseKernels.generator(p.seed)
        let dx = FieldKernels.smoothed((0..<(w * h)).map { _ in Float(rng.uniform(-1...1)) }, width: w, height: h, sigma: p.sigma)
        let dy = FieldKernels.smoothed((0..<(w * h)).map { _ in Float(rng.uniform(-1...1)) }, width: w, height: h, sigma: p.sigma)
        let a = Float(p.alpha)
        var mapX = [Float](repeating: 0, count: w * h), mapY = mapX
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                mapX[i] = Float(x) + dx[i] * a
                mapY[i] = Float(y) + dy[i] * a
            }
        }
        return WarpKernels.remap(image, mapX: mapX, mapY: mapY, width: w, height: h,
                                 interpolation: p.interpolation, border: p.borderMode, fill: p.fill)
    }
}
