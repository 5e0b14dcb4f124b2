import CopiaCore

/// AugMix (Hendrycks, Mu, Cubuk, Zoph, Gilmer & Lakshminarayanan, "AugMix: A Simple Data Processing Method to
/// Improve Robustness and Uncertainty", ICLR 2020), as torchvision's `AugMix`.
///
/// Runs `width` chains of `depth` ops (each chain 1...3 ops when `depth` is -1) on the original image, each op drawn
/// uniformly from AugMix's space at a magnitude bin below `severity` of 11 (`PolicySpace`), with a random sign for
/// shears, shifts, rotations and enhancements. The chains are mixed with Dirichlet(`alpha`) weights, and the mix
/// blended with the original by a Beta(`alpha`, `alpha`) skip weight:
/// `out = skip * image + (1 - skip) * sum_i weights[i] * chain_i(image)`, in double precision, rounded half to even
/// (torchvision truncates). Every channel is blended, alpha included (the geometric ops move it).
///
/// Because the output blends several images, AugMix is one op, not a composition: its parameters hold each chain's
/// ops in manifest form (`{"op": "Rotate", "angle": -6, ...}`), the weights and the skip weight, so a manifest line
/// replays on its own. The Dirichlet draw is `width` Gamma(`alpha`) draws normalised to sum 1; the skip weight is
/// drawn first, then the weights, then the chains, as torchvision orders them.
public struct AugMix: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Each chain's ops, applied in order to the original image.
        public var chains: [[ManifestJSON]]
        /// The chains' Dirichlet weights; they sum to 1.
        public var weights: [Double]
        /// The Beta weight of the original image.
        public var skipWeight: Double

        public init(chains: [[ManifestJSON]], weights: [Double], skipWeight: Double) {
            (self.chains, self.weights, self.skipWeight) = (chains, weights, skipWeight)
        }
    }

    public static let name = "AugMix"
    public static let summary = "Blends the image with a weighted mix of several random op chains (Hendrycks et al., 2020)."
    /// torchvision's AugMix always applies.
    public static var defaultProbability: Double { 1 }
    /// torchvision's `_PARAMETER_MAX + 1`: AugMix's magnitudes span 11 bins, of which `severity` are used.
    static let bins = 11

    public var severity: Int, width: Int, depth: Int, alpha: Double, allOps: Bool
    public var interpolation: Interpolation, fill: [Double]

    public init(severity: Int = 3, width: Int = 3, depth: Int = -1, alpha: Double = 1, allOps: Bool = true,
                interpolation: Interpolation = .bilinear, fill: [Double] = [0]) {
        (self.severity, self.width, self.depth, self.alpha, self.allOps) = (severity, width, depth, alpha, allOps)
        (self.interpolation, self.fill) = (interpolation, fill)
    }

    public init(reading r: SpecReader) {
        severity = r.read("severity", default: 3, in: 1...10, doc: "Magnitude bound: ops use the lowest severity of 11 magnitude bins.")
        width = r.read("width", default: 3, in: 1...16, doc: "How many chains are mixed.")
        depth = r.read("depth", default: -1, in: -1...16, doc: "Ops per chain; -1 draws 1...3 per chain.")
        alpha = r.read("alpha", default: 1.0, in: 0.01...100, doc: "Concentration of the Dirichlet chain weights and the Beta skip weight.")
        allOps = r.read("allOps", default: true, doc: "Also draw Brightness, Color, Contrast and Sharpness.")
        interpolation = OpFields.interpolation(r)
        fill = OpFields.fill(r)
        if !r.isDescribing, depth == 0 { r.report("depth", "must be -1 (random 1...3) or 1...16, got 0") }
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let a = alpha > 0 ? alpha : 1
        let skip = rng.beta(a, a)
        var gammas: [Double] = []
        for _ in 0..<width { gammas.append(rng.gamma(shape: a)) }
        let total = gammas.reduce(0, +)
        // A tiny alpha can underflow every draw to 0; the symmetric Dirichlet's mean is then the honest fallback.
        let weights = total > 0 && total.isFinite ? gammas.map { $0 / total } : Array(repeating: 1 / Double(width), count: width)
        let space = PolicySpace.augMix(allOps: allOps)
        var chains: [[ManifestJSON]] = []
        for _ in 0..<width {
            let length = depth > 0 ? depth : 1 + rng.int(below: 3)
            var chain: [ManifestJSON] = []
            for _ in 0..<length {
                let (op, m) = space.sample(bins: Self.bins, drawnBins: severity, for: image, using: &rng)
                if let applied = op.applied(magnitude: m, interpolation: interpolation, fill: fill) { chain.append(ManifestJSON(applied.json)) }
            }
            chains.append(chain)
        }
        return Parameters(chains: chains, weights: weights, skipWeight: skip)
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard !p.chains.isEmpty, p.chains.count == p.weights.count else {
            throw AugmentationError(op: Self.name, "needs one weight per chain and at least one chain, got \(p.chains.count) chains and \(p.weights.count) weights")
        }
        guard p.skipWeight.isFinite, (0...1).contains(p.skipWeight) else {
            throw AugmentationError(op: Self.name, "skipWeight must be in 0...1, got \(p.skipWeight)")
        }
        let total = p.weights.reduce(0, +)
        guard p.weights.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(total - 1) <= 1e-6 else {
            throw AugmentationError(op: Self.name, "weights must be non-negative and sum to 1, got \(p.weights)")
        }
        var mix = [Double](repeating: 0, count: image.info.sampleCount)
        Self.accumulate(image, weight: p.skipWeight, into: &mix)
        for (i, chain) in p.chains.enumerated() {
            var out = image
            for (j, step) in chain.enumerated() {
                let op: AppliedOp
                do {
                    op = try AppliedOp.decode(step.json, at: "$.chains[\(i)][\(j)]")
                } catch {
                    throw AugmentationError(op: Self.name, "\(error)")
                }
                guard !op.isMixing else { throw AugmentationError(op: Self.name, "chain \(i) op \(j): \(op.op) needs a partner image; AugMix chains cannot mix samples") }
                out = try op.apply(out)
            }
            guard out.info == image.info else {
                throw AugmentationError(op: Self.name, "chain \(i) turned \(image.info) into \(out.info); AugMix chains must keep the shape")
            }
            Self.accumulate(out, weight: (1 - p.skipWeight) * p.weights[i], into: &mix)
        }
        var result = image
        let m = image.depth.maxValue
        func store<T: ImageSample>(_ samples: inout [T]) {
            samples.withUnsafeMutableBufferPointer { d in
                mix.withUnsafeBufferPointer { s in
                    for k in 0..<s.count { d[k] = T(truncatingIfNeeded: s[k].saturatedSample(m)) }
                }
            }
        }
        if image.depth == .uint8 { store(&result.bytes) } else { store(&result.words) }
        return result
    }

    /// `mix += weight * image`, sample by sample.
    static func accumulate(_ image: Image, weight: Double, into mix: inout [Double]) {
        func run<T: ImageSample>(_ samples: [T]) {
            samples.withUnsafeBufferPointer { s in
                mix.withUnsafeMutableBufferPointer { d in
                    for k in 0..<s.count { d[k] += weight * Double(s[k]) }
                }
            }
        }
        if image.depth == .uint8 { run(image.bytes) } else { run(image.words) }
    }
}

/// A JSON value that nests inside `Codable` parameters: AugMix keeps each chain op's manifest object in one.
/// Object keys are kept sorted, as manifests write them, so a decoded value equals the one that was encoded.
public struct ManifestJSON: Codable, Sendable, Equatable {
    public let json: JSONValue

    public init(_ json: JSONValue) { self.json = Self.sorted(json) }

    static func sorted(_ json: JSONValue) -> JSONValue {
        switch json {
        case .array(let a): return .array(a.map(sorted))
        case .object(let o):
            var out = JSONObject()
            for key in o.keys.sorted() { if let v = o[key] { out[key] = sorted(v) } }
            return .object(out)
        default: return json
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !a.isAtEnd { items.append(try a.decode(ManifestJSON.self).json) }
            json = .array(items)
        } else if let o = try? decoder.container(keyedBy: Key.self) {
            var out = JSONObject()
            for key in o.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                out[key.stringValue] = try o.decode(ManifestJSON.self, forKey: key).json
            }
            json = .object(out)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() {
                json = .null
            } else if let b = try? c.decode(Bool.self) {
                json = .bool(b)
            } else if let x = try? c.decode(Double.self) {
                json = .number(x)
            } else {
                json = .string(try c.decode(String.self))
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        switch json {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let x):
            var c = encoder.singleValueContainer()
            try c.encode(x)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(ManifestJSON(v)) }
        case .object(let o):
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in o { try c.encode(ManifestJSON(v), forKey: Key(stringValue: k)) }
        }
    }
}
