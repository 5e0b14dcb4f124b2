import CopiaCore

/// RandAugment (Cubuk, Zoph, Shlens & Le, "RandAugment: Practical automated data augmentation with a reduced search
/// space", CVPR Workshops 2020), as torchvision's `RandAugment`.
///
/// Applies `n` ops drawn uniformly, with replacement, from fourteen (Identity, ShearX, ShearY, TranslateX, TranslateY,
/// Rotate, Brightness, Color, Contrast, Sharpness, Posterize, Solarize, AutoContrast, Equalize), all at the same
/// magnitude bin `magnitude` of `numMagnitudeBins`; shears, shifts, rotations and enhancements take a random sign.
/// A composition: planning resolves it into ordinary ops with concrete parameters (see `PolicyOp` for the mapping and
/// `PolicySpace` for the ranges), so it never appears in a manifest. Identity records nothing, so a sample shows
/// between 0 and `n` ops.
///
/// ```json
/// {"op": "RandAugment", "n": 2, "magnitude": 9}
/// ```
struct RandAugment: TransformNode {
    static let name = "RandAugment"
    static let summary = "Applies n ops drawn from torchvision's fourteen at one magnitude (Cubuk et al., 2020); resolves into ordinary ops."

    var n: Int
    var magnitude: Int
    var numMagnitudeBins: Int
    var interpolation: Interpolation
    var fill: [Double]
    var probability: Double

    init(reading r: SpecReader) {
        probability = r.read("p", default: 1.0, in: 0...1, doc: "Probability of applying the policy.")
        n = r.read("n", default: 2, in: 0...14, doc: "How many ops to apply, drawn with replacement.")
        magnitude = r.read("magnitude", default: 9, in: 0...100, doc: "The magnitude bin shared by the ops, below numMagnitudeBins.")
        numMagnitudeBins = r.read("numMagnitudeBins", default: 31, in: 2...101, doc: "How many magnitude bins span each op's range.")
        interpolation = OpFields.interpolation(r, default: .nearest)
        fill = OpFields.fill(r)
        if !r.isDescribing, magnitude >= numMagnitudeBins {
            r.report("magnitude", "must be below numMagnitudeBins (\(numMagnitudeBins)), got \(magnitude)")
        }
    }

    func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
        guard rng.chance(probability) else { return }
        let bin = min(magnitude, numMagnitudeBins - 1)
        for _ in 0..<n {
            let (op, m) = PolicySpace.randAugment.sample(bins: numMagnitudeBins, fixedBin: bin, for: info, using: &rng)
            if let a = op.applied(magnitude: m, interpolation: interpolation, fill: fill) { applied.append(a) }
        }
    }
}
