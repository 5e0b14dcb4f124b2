import CopiaCore

/// An op of torchvision's automatic augmentation policies (`torchvision.transforms.autoaugment`), named as there.
///
/// Policies never record these names: each drawn op is resolved into an ordinary Copia op with concrete parameters
/// (`applied(magnitude:interpolation:fill:)`), so a manifest line replays without knowing which policy chose it.
/// The mapping, with torchvision's `_apply_op` semantics:
///
/// | policy op | Copia op | parameters |
/// |---|---|---|
/// | Identity | none | nothing is recorded |
/// | ShearX, ShearY | `Affine` | `x' = x - m (y + 1/2)` (resp. `y' = y - m (x + 1/2)`): a shear by `atan(m)` about the top-left corner |
/// | TranslateX, TranslateY | `Affine` | a shift by `Int(m)` pixels (truncated, as torchvision's `int(magnitude)`) |
/// | Rotate | `Rotate` | `m` degrees about the centre |
/// | Brightness, Color, Contrast, Sharpness | `Enhance...` | factor `1 + m` |
/// | Posterize | `Posterize` | `Int(m)` bits, at least 1 |
/// | Solarize | `Solarize` | threshold `m / 255` of the maximum (torchvision's `m` is an 8-bit level) |
/// | AutoContrast | `AutoContrast` | cutoff 0, method `pil` (linear per-channel stretch) |
/// | Equalize | `Equalize` | |
///
/// Known differences from torchvision, all within the ops Copia already has: warps are OpenCV's `warpAffine`
/// rather than torch's `grid_sample`; `AutoContrast` rounds where torchvision truncates (at most one level);
/// `Equalize` is OpenCV's `equalizeHist`, not PIL's `ImageOps.equalize` (whose lookup table differs slightly); and
/// AugMix's 0-bit Posterize (severity 10 only) becomes 1 bit, the fewest Copia's `Posterize` keeps.
enum PolicyOp: String, CaseIterable, Sendable {
    case identity = "Identity", shearX = "ShearX", shearY = "ShearY", translateX = "TranslateX", translateY = "TranslateY"
    case rotate = "Rotate", brightness = "Brightness", color = "Color", contrast = "Contrast", sharpness = "Sharpness"
    case posterize = "Posterize", solarize = "Solarize", autoContrast = "AutoContrast", equalize = "Equalize"

    /// Whether torchvision flips the magnitude's sign with probability 1/2.
    var isSigned: Bool {
        switch self {
        case .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color, .contrast, .sharpness: true
        case .identity, .posterize, .solarize, .autoContrast, .equalize: false
        }
    }

    /// Whether the op has magnitude bins (torchvision's `magnitudes.ndim > 0`); the others take no draw for one.
    var hasMagnitude: Bool { ![.identity, .autoContrast, .equalize].contains(self) }

    /// The Copia op that performs this policy op at magnitude `m`, or nil for Identity.
    func applied(magnitude m: Double, interpolation: Interpolation, fill: [Double]) -> AppliedOp? {
        func affine(_ matrix: AffineMatrix) -> AppliedOp {
            AppliedOp(Affine(), AffineParameters(matrix: matrix, interpolation: interpolation, borderMode: .constant, fill: fill))
        }
        // Never record -0 (a zero magnitude whose sign was flipped).
        func clean(_ x: Double) -> Double { x == 0 ? 0 : x }
        switch self {
        case .identity: return nil
        case .shearX: return affine(AffineMatrix(1, clean(-m), clean(-m / 2), 0, 1, 0))
        case .shearY: return affine(AffineMatrix(1, 0, 0, clean(-m), 1, clean(-m / 2)))
        case .translateX: return affine(AffineMatrix(1, 0, clean(m.rounded(.towardZero)), 0, 1, 0))
        case .translateY: return affine(AffineMatrix(1, 0, 0, 0, 1, clean(m.rounded(.towardZero))))
        case .rotate: return AppliedOp(Rotate(), Rotate.Parameters(angle: clean(m), interpolation: interpolation, borderMode: .constant, fill: fill))
        case .brightness: return AppliedOp(EnhanceBrightness(), EnhanceParameters(factor: 1 + m))
        case .color: return AppliedOp(EnhanceColor(), EnhanceParameters(factor: 1 + m))
        case .contrast: return AppliedOp(EnhanceContrast(), EnhanceParameters(factor: 1 + m))
        case .sharpness: return AppliedOp(EnhanceSharpness(), EnhanceParameters(factor: 1 + m))
        case .posterize: return AppliedOp(Posterize(), Posterize.Parameters(bits: min(max(Int(m), 1), 8)))
        case .solarize: return AppliedOp(Solarize(), Solarize.Parameters(threshold: m / 255))
        case .autoContrast: return AppliedOp(AutoContrast(), AutoContrast.Parameters(cutoff: 0, method: .pil))
        case .equalize: return AppliedOp(Equalize(), Equalize.Parameters())
        }
    }
}

/// One policy's augmentation space: its ops in torchvision's order (the uniform draw picks by index) and each op's
/// magnitude per bin, torchvision's `_augmentation_space` of the same policy.
///
/// Linear ops take `hi * bin / (bins - 1)` (`torch.linspace(0, hi, bins)`); Solarize runs from 255 down to 0;
/// Posterize keeps `base - round(bin / ((bins - 1) / steps))` bits (half to even, as `torch.round`).
///
/// | op | RandAugment | TrivialAugmentWide | AugMix (11 bins) |
/// |---|---|---|---|
/// | ShearX/Y | 0...0.3 | 0...0.99 | 0...0.3 |
/// | TranslateX/Y (pixels) | 0...150/331 of the width/height | 0...32 | 0...1/3 of the width/height |
/// | Rotate (degrees) | 0...30 | 0...135 | 0...30 |
/// | Brightness, Color, Contrast, Sharpness | 0...0.9 | 0...0.99 | 0...0.9 (with `allOps`) |
/// | Posterize (bits) | 8 - (0...4) | 8 - (0...6) | 4 - (0...4) |
/// | Solarize (8-bit level) | 255...0 | 255...0 | 255...0 |
struct PolicySpace: Sendable {
    enum Kind: Sendable { case randAugment, trivialAugmentWide, augMix }

    let kind: Kind
    let ops: [PolicyOp]

    /// RandAugment and TrivialAugmentWide draw from all fourteen ops, in this order.
    static let wideOps: [PolicyOp] = [.identity, .shearX, .shearY, .translateX, .translateY, .rotate, .brightness, .color,
                                      .contrast, .sharpness, .posterize, .solarize, .autoContrast, .equalize]
    static let randAugment = PolicySpace(kind: .randAugment, ops: wideOps)
    static let trivialAugmentWide = PolicySpace(kind: .trivialAugmentWide, ops: wideOps)

    /// AugMix has no Identity; the four enhancements come last and only with `allOps`.
    static func augMix(allOps: Bool) -> PolicySpace {
        let base: [PolicyOp] = [.shearX, .shearY, .translateX, .translateY, .rotate, .posterize, .solarize, .autoContrast, .equalize]
        return PolicySpace(kind: .augMix, ops: allOps ? base + [.brightness, .color, .contrast, .sharpness] : base)
    }

    /// The unsigned magnitude of `op` at `bin` of `bins` (at least 2) for an image of shape `info`.
    func magnitude(of op: PolicyOp, bin: Int, bins: Int, for info: ImageInfo) -> Double {
        let t = Double(bin) / Double(max(bins - 1, 1))
        let wide = kind == .trivialAugmentWide
        switch op {
        case .identity, .autoContrast, .equalize:
            return 0
        case .shearX, .shearY:
            return (wide ? 0.99 : 0.3) * t
        case .translateX, .translateY:
            let side = Double(op == .translateX ? info.width : info.height)
            switch kind {
            case .randAugment: return 150.0 / 331.0 * side * t
            case .trivialAugmentWide: return 32 * t
            case .augMix: return side / 3 * t
            }
        case .rotate:
            return (wide ? 135 : 30) * t
        case .brightness, .color, .contrast, .sharpness:
            return (wide ? 0.99 : 0.9) * t
        case .posterize:
            let (base, steps): (Int, Double) = switch kind {
            case .randAugment: (8, 4)
            case .trivialAugmentWide: (8, 6)
            case .augMix: (4, 4)
            }
            return Double(base - Int((Double(bin) / (Double(bins - 1) / steps)).rounded(.toNearestOrEven)))
        case .solarize:
            return 255 - 255 * t
        }
    }

    /// Draws one op as torchvision does: the op uniformly, then (for ops with magnitudes) the bin, `fixedBin` or
    /// uniformly below `drawnBins`, then (for signed ops) the sign. The sign draw happens even at magnitude 0.
    func sample(bins: Int, fixedBin: Int? = nil, drawnBins: Int? = nil, for info: ImageInfo,
                using rng: inout some RandomNumberGenerator) -> (op: PolicyOp, magnitude: Double) {
        let op = ops[rng.int(below: ops.count)]
        var m = 0.0
        if op.hasMagnitude {
            let bin = fixedBin ?? rng.int(below: max(drawnBins ?? bins, 1))
            m = magnitude(of: op, bin: bin, bins: bins, for: info)
        }
        if op.isSigned {
            let flip = rng.int(below: 2) == 1
            if flip { m = -m }
        }
        return (op, m)
    }
}
