import CopiaCore

/// Scales, rotates, shears and translates about the image centre by random amounts, keeping the size
/// (albumentations 2.x `Affine` with `fit_output=False`; the matrix of `create_affine_transformation_matrix`, sampled
/// as albumentations does: independent x and y scales unless `keepRatio`, translation as a fraction of the size
/// (`translatePercent`) or in pixels (`translatePx`), rotation and shear in degrees).
public struct Affine: Augmentation {
    public typealias Parameters = AffineParameters
    public static let name = "Affine"
    public static let summary = "Scales, rotates, shears and translates by random amounts about the centre."
    public var scale: SpecRange, translatePercent: SpecRange?, translatePx: SpecRange?, rotate: SpecRange, shear: SpecRange
    public var keepRatio: Bool, interpolation: Interpolation, borderMode: BorderMode, fill: [Double]

    public init(scale: SpecRange = SpecRange(1, 1), translatePercent: SpecRange? = nil, translatePx: SpecRange? = nil,
                rotate: SpecRange = SpecRange(0, 0), shear: SpecRange = SpecRange(0, 0), keepRatio: Bool = false,
                interpolation: Interpolation = .bilinear, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.scale, self.translatePercent, self.translatePx, self.rotate, self.shear) = (scale, translatePercent, translatePx, rotate, shear)
        (self.keepRatio, self.interpolation, self.borderMode, self.fill) = (keepRatio, interpolation, borderMode, fill)
    }
    public init(reading r: SpecReader) {
        scale = r.read("scale", default: SpecRange(1, 1), within: 0.01...100, doc: "Range of the scale factor (1 keeps the size).")
        translatePercent = r.readOptional("translatePercent", doc: "Range of the shift as a fraction of width / height.") { (v: SpecRange) in
            v.lower >= -1 && v.upper <= 1 ? nil : "must lie within -1...1, got \(v.specJSON)"
        }
        translatePx = r.readOptional("translatePx", doc: "Range of the shift in pixels (instead of translatePercent).")
        rotate = r.read("rotate", default: SpecRange(0, 0), within: -360...360, doc: "Range of the rotation in degrees.")
        shear = r.read("shear", default: SpecRange(0, 0), within: -89...89, doc: "Range of the shear in degrees (x and y drawn separately).")
        keepRatio = r.read("keepRatio", default: false, doc: "Use one scale draw for both axes.")
        interpolation = OpFields.interpolation(r)
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
        if translatePercent != nil && translatePx != nil { r.report("translatePx", "give translatePercent or translatePx, not both") }
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let sx = rng.uniform(scale.range)
        let sy = keepRatio ? sx : rng.uniform(scale.range)
        var tx = 0.0, ty = 0.0
        if let t = translatePercent {
            tx = rng.uniform(t.range) * Double(image.width)
            ty = rng.uniform(t.range) * Double(image.height)
        } else if let t = translatePx {
            tx = Double(rng.int(in: Int(t.lower.rounded(.up))...max(Int(t.lower.rounded(.up)), Int(t.upper.rounded(.down)))))
            ty = Double(rng.int(in: Int(t.lower.rounded(.up))...max(Int(t.lower.rounded(.up)), Int(t.upper.rounded(.down)))))
        }
        let angle = rng.uniform(rotate.range)
        let shx = rng.uniform(shear.range), shy = rng.uniform(shear.range)
        let m = AffineMatrix.composed(scaleX: sx, scaleY: sy, rotate: angle, shearX: shx, shearY: shy, translateX: tx, translateY: ty,
                                      center: AffineMatrix.center(width: image.width, height: image.height))
        return Parameters(matrix: m, interpolation: interpolation, borderMode: borderMode, fill: fill)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
