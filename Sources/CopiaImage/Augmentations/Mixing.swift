import CopiaCore

/// An augmentation that blends the image with a *partner*: another training image of the same class, so the label
/// stays valid (Copia balances classes, so it mixes within a class rather than mixing labels as batch-level MixUp
/// does). Both sources appear in the manifest.
///
/// The partner is resized (bilinear) to the image's current shape first, and must have the same number of channels.
public protocol MixingAugmentation: Sendable {
    associatedtype Parameters: Codable & Sendable & Equatable
    static var name: String { get }
    static var summary: String { get }
    static var defaultProbability: Double { get }

    init(reading reader: SpecReader)
    func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters
    /// Applies the parameters with the partner's image. Pure and deterministic.
    func apply(_ image: Image, partner: Image, with parameters: Parameters) throws -> Image
}

extension MixingAugmentation {
    public static var defaultProbability: Double { 0.5 }
    public static var withDefaults: Self { Self(reading: SpecReader.describing()) }

    /// The partner in the image's shape: resized when the sizes differ; an error when the channels or depths differ.
    func conformed(_ partner: Image, to image: Image) throws -> Image {
        guard partner.channels == image.channels, partner.depth == image.depth else {
            throw AugmentationError(op: Self.name, "the partner is \(partner.info), the image \(image.info); mixing needs the same channels and depth")
        }
        if partner.width == image.width && partner.height == image.height { return partner }
        return ResizeKernels.resize(partner, width: image.width, height: image.height, interpolation: .bilinear)
    }
}

/// A mixing op with its probability, as a node of an augmentation chain. Resolving it draws the op's parameters and
/// the partner draw; the planner picks the partner.
struct ProbabilisticMix<M: MixingAugmentation>: TransformNode {
    var mixing: M
    var probability: Double

    func resolve(for info: inout ImageInfo, using rng: inout CounterRandom, into applied: inout [AppliedOp]) {
        guard rng.chance(probability) else { return }
        let parameters = mixing.sampleParameters(for: info, using: &rng)
        applied.append(AppliedOp(mixing, parameters, partnerDraw: rng.unit(), partner: nil))
    }
}

extension ProbabilisticMix: ProbabilityCarrying {
    var probabilityValue: Double { probability }
    var withCertainty: ProbabilisticMix { var c = self; c.probability = 1; return c }
}

extension ImageOps {
    /// The registry entry of a mixing augmentation.
    public static func mixing<M: MixingAugmentation>(_ type: M.Type) -> ImageOpEntry {
        let variant = SpecVariant<ImageOp>(M.name, summary: M.summary) { reader in
            let p = reader.read("p", default: M.defaultProbability, in: 0...1, doc: "Probability of applying the op.")
            return ImageOp(ProbabilisticMix(mixing: M(reading: reader), probability: p))
        }
        return ImageOpEntry(name: M.name, summary: M.summary, variant: variant) { json, path throws(SpecError) in
            let parameters = try ParameterCoding.decode(M.Parameters.self, from: json, at: path)
            return AppliedOp(M.withDefaults, parameters, partnerDraw: nil, partner: nil)
        }
    }
}

/// Blends the image with a same-class partner: `lambda * image + (1 - lambda) * partner`, lambda ~ Beta(alpha, alpha)
/// (MixUp, Zhang et al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018), applied within one class.
public struct MixUp: MixingAugmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// The image's weight; the partner gets 1 - lambda.
        public var lambda: Double
    }

    public static let name = "MixUp"
    public static let summary = "Blends the image with another training image of the same class, lambda ~ Beta(alpha, alpha)."

    public var alpha: Double

    public init(alpha: Double = 0.4) { self.alpha = alpha }

    public init(reading r: SpecReader) {
        alpha = r.read("alpha", default: 0.4, in: 0.001...100, doc: "Beta(alpha, alpha) concentration: small values keep one image dominant.")
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        // The image stays the main one: lambda >= 0.5, so what is written resembles the sample it is attributed to.
        let l = rng.beta(alpha, alpha)
        return Parameters(lambda: max(l, 1 - l))
    }

    public func apply(_ image: Image, partner: Image, with parameters: Parameters) throws -> Image {
        MixKernels.blend(image, try conformed(partner, to: image), lambda: parameters.lambda)
    }
}

/// Pastes a rectangle of a same-class partner into the image; the rectangle's area is (1 - lambda) of the image,
/// lambda ~ Beta(alpha, alpha), its centre uniform, clipped at the borders (CutMix, Yun et al., ICCV 2019), within one
/// class.
public struct CutMix: MixingAugmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
    }

    public static let name = "CutMix"
    public static let summary = "Pastes a random rectangle of another training image of the same class (area (1 - lambda), lambda ~ Beta(alpha, alpha))."

    public var alpha: Double

    public init(alpha: Double = 1.0) { self.alpha = alpha }

    public init(reading r: SpecReader) {
        alpha = r.read("alpha", default: 1.0, in: 0.001...100, doc: "Beta(alpha, alpha) concentration of lambda, the share of the image kept.")
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let lambda = rng.beta(alpha, alpha)
        let cut = (1 - lambda).squareRoot()
        let w = Int((Double(image.width) * cut).rounded()), h = Int((Double(image.height) * cut).rounded())
        let cx = rng.int(below: max(1, image.width)), cy = rng.int(below: max(1, image.height))
        let x0 = min(max(cx - w / 2, 0), image.width), y0 = min(max(cy - h / 2, 0), image.height)
        let x1 = min(max(cx + (w - w / 2), 0), image.width), y1 = min(max(cy + (h - h / 2), 0), image.height)
        return Parameters(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public func apply(_ image: Image, partner: Image, with parameters: Parameters) throws -> Image {
        let p = parameters
        guard p.x >= 0, p.y >= 0, p.width >= 0, p.height >= 0, p.x + p.width <= image.width, p.y + p.height <= image.height else {
            throw AugmentationError(op: Self.name, "rectangle \(p.width)x\(p.height) at (\(p.x), \(p.y)) does not fit a \(image.width)x\(image.height) image")
        }
        return MixKernels.paste(image, from: try conformed(partner, to: image), x: p.x, y: p.y, width: p.width, height: p.height)
    }
}
