import CopiaCore

/// TrivialAugment (Müller & Hutter, "TrivialAugment: Tuning-free Yet State-of-the-Art Data Augmentation", ICCV 2021)
/// with its wide augmentation space, as torchvision's `TrivialAugmentWide`.
///
/// Applies one op drawn uniformly from the same fourteen as RandAugment, at a magnitude bin drawn uniformly from
/// `numMagnitudeBins`, with a random sign for shears, shifts, rotations and enhancements; the wide ranges are larger
/// (`PolicySpace`). A composition that resolves into one ordinary op; when Identity is drawn (1 time in 14) nothing
/// is recorded, so a sample shows 0 or 1 op.
///
/// ```json
/// {"op": "TrivialAugmentWide"}
/// ```
struct TrivialAugmentWide: TransformNode {
    static let name = "TrivialAugmentWide"
    static let summary = "Applies one op drawn from torchvision's wide space at a random magnitude (Müller & Hutter, 2021); resolves into an ordinary op."

    var numMagnitudeBins: Int
    var interpolation: Interpolation
    var fill: [Double]
    var probability: Double

    init(reading r: SpecReader) {
        probability = r.read("p", default: 1.0, in: 0...1, doc: "Probability of applying the policy.")
        numMagnitudeBins = r.read("numMagnitudeBins", default: 31, in: 2...101, doc: "How many magnitude bins span each op's range.")
        interpolation = OpFields.interpolation(r, default: .nearest)
        fill = OpFields.fill(r)
    }

    func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
        guard rng.chance(probability) else { return }
        let (op, m) = PolicySpace.trivialAugmentWide.sample(bins: numMagnitudeBins, for: info, using: &rng)
        if let a = op.applied(magnitude: m, interpolation: interpolation, fill: fill) { applied.append(a) }
    }
}
