import CopiaCore

extension ImageOps {
    static let compositions: [ImageOpEntry] = [
        composition("Sequence", summary: "Applies its ops in order, as a whole with probability p.") { Sequence(reading: $0) },
        composition("OneOf", summary: "Picks one of its ops (weighted by their p, as albumentations does) and applies it, with probability p.") { OneOf(reading: $0) },
        composition("SomeOf", summary: "Picks n distinct ops at random and applies them in their listed order, with probability p.") { SomeOf(reading: $0) },
        composition("RandomOrder", summary: "Applies its ops in a random order, with probability p.") { RandomOrder(reading: $0) },
    ]

    /// Applies every op in order, the whole sequence with probability `p`.
    struct Sequence: TransformNode {
        var ops: [ImageOp]
        var probability: Double

        init(reading r: SpecReader) {
            probability = r.read("p", default: 1.0, in: 0...1, doc: "Probability of applying the sequence.")
            ops = r.read("ops", doc: "The ops, applied in order.")
        }

        func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
            guard rng.chance(probability) else { return }
            for op in ops { op.resolve(for: &info, using: &rng, into: &applied) }
        }
    }

    /// Chooses one child with probability proportional to its own `p` (albumentations' OneOf semantics), then applies
    /// it unconditionally.
    struct OneOf: TransformNode {
        var ops: [ImageOp]
        var probability: Double

        init(reading r: SpecReader) {
            probability = r.read("p", default: 0.5, in: 0...1, doc: "Probability of applying one of the ops.")
            ops = r.read("ops", doc: "The candidates; each one's p is its relative weight.") { (ops: [ImageOp]) in
                ops.isEmpty ? "must list at least one op" : nil
            }
        }

        func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
            guard !ops.isEmpty, rng.chance(probability) else { return }
            let weights = ops.map { OneOf.weight(of: $0) }
            let total = weights.reduce(0, +)
            var pick = 0
            if total > 0 {
                var u = rng.unit() * total
                for (i, w) in weights.enumerated() {
                    pick = i
                    if u < w { break }
                    u -= w
                }
            } else {
                pick = rng.int(below: ops.count)
            }
            OneOf.forceApply(ops[pick], for: &info, using: &rng, into: &applied)
        }

        static func weight(of op: ImageOp) -> Double {
            (op.node as? any ProbabilityCarrying)?.probabilityValue ?? 1
        }

        static func forceApply(_ op: ImageOp, for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
            if let carrier = op.node as? any ProbabilityCarrying {
                carrier.withCertainty.resolve(for: &info, using: &rng, into: &applied)
            } else {
                op.resolve(for: &info, using: &rng, into: &applied)
            }
        }
    }

    /// Chooses `n` distinct children uniformly and applies them in listed order (each still subject to its own `p`).
    struct SomeOf: TransformNode {
        var ops: [ImageOp]
        var count: Int
        var probability: Double

        init(reading r: SpecReader) {
            probability = r.read("p", default: 1.0, in: 0...1, doc: "Probability of applying the chosen ops.")
            count = r.read("n", default: 1, in: 0...64, doc: "How many distinct ops to choose.")
            ops = r.read("ops", doc: "The candidates.")
            if !r.isDescribing, count > ops.count { r.report("n", "must not exceed the number of ops (\(ops.count)), got \(count)") }
        }

        func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
            guard rng.chance(probability) else { return }
            var indices = Array(ops.indices)
            rng.shuffle(&indices)
            for i in indices.prefix(min(count, ops.count)).sorted() { ops[i].resolve(for: &info, using: &rng, into: &applied) }
        }
    }

    /// Applies every child in a random order.
    struct RandomOrder: TransformNode {
        var ops: [ImageOp]
        var probability: Double

        init(reading r: SpecReader) {
            probability = r.read("p", default: 1.0, in: 0...1, doc: "Probability of applying the ops.")
            ops = r.read("ops", doc: "The ops, shuffled per sample.")
        }

        func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
            guard rng.chance(probability) else { return }
            var order = ops
            rng.shuffle(&order)
            for op in order { op.resolve(for: &info, using: &rng, into: &applied) }
        }
    }
}

/// A node whose probability can be read and overridden (for OneOf's weighting).
protocol ProbabilityCarrying: TransformNode {
    var probabilityValue: Double { get }
    var withCertainty: Self { get }
}

extension ProbabilisticOp: ProbabilityCarrying {
    var probabilityValue: Double { probability }
    var withCertainty: ProbabilisticOp { var c = self; c.probability = 1; return c }
}
