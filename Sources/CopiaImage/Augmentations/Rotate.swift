import CopiaCore

/// Rotates the image by a random angle about its centre, keeping its size (albumentations `Rotate`, 2.x semantics).
///
/// The angle is drawn uniformly from `limit` (degrees, counter-clockwise on screen). The rotation is OpenCV's
/// `getRotationMatrix2D` about albumentations' centre `((w - 1) / 2, (h - 1) / 2)` followed by `warpAffine`
/// (see `WarpKernels.affine`, identical to OpenCV 5.0 at 8-bit on the committed fixtures). Corners that come from
/// outside the image are filled by `borderMode`; albumentations 2.x defaults to `constant` with fill 0 (1.x used
/// `reflect101`). albumentations' `crop_border` is not offered.
public struct Rotate: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Degrees, counter-clockwise.
        public var angle: Double
        public var interpolation: Interpolation
        public var borderMode: BorderMode
        /// Per-channel fill for `constant` borders (one value fills every channel).
        public var fill: [Double]

        public init(angle: Double, interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
            self.angle = angle
            self.interpolation = interpolation
            self.borderMode = borderMode
            self.fill = fill
        }
    }

    public static let name = "Rotate"
    public static let summary = "Rotates by a random angle about the centre, keeping the size; borders filled per borderMode."

    public var limit: SpecRange
    public var interpolation: Interpolation
    public var borderMode: BorderMode
    public var fill: [Double]

    public init(limit: SpecRange = SpecRange(-90, 90), interpolation: Interpolation = .bilinear,
                borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        self.limit = limit
        self.interpolation = interpolation
        self.borderMode = borderMode
        self.fill = fill
    }

    public init(reading r: SpecReader) {
        limit = r.read("limit", default: SpecRange(-90, 90), within: -360...360,
                       doc: "Range of the angle in degrees, counter-clockwise; a number x means [-x, x].")
        interpolation = r.read("interpolation", default: Interpolation.bilinear, doc: "How to sample between pixels.")
        borderMode = r.read("borderMode", default: BorderMode.constant, doc: "What fills the corners that come from outside the image.")
        fill = r.read("fill", default: [0.0], doc: "Fill value(s) for the constant border: one for all channels, or one per channel.") {
            (v: [Double]) in v.isEmpty ? "must list at least one value" : nil
        }
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(angle: rng.uniform(limit.range), interpolation: interpolation, borderMode: borderMode, fill: fill)
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.angle.isFinite else { throw AugmentationError(op: Self.name, "angle must be finite, got \(p.angle)") }
        let m = AffineMatrix.rotation(degrees: p.angle, center: AffineMatrix.center(width: image.width, height: image.height))
        if m.isIdentity { return image }
        return WarpKernels.affine(image, matrix: m, width: image.width, height: image.height,
                                  interpolation: p.interpolation, border: p.borderMode, fill: p.fill)
    }
}
