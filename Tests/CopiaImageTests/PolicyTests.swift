import CopiaCore
import Foundation
import Testing
@testable import CopiaImage

/// RandAugment, TrivialAugmentWide and AugMix: what they resolve into, the ranges torchvision gives their magnitudes,
/// determinism, replay, and the PIL-style enhancement ops they use.
@Suite struct PolicyTests {
    // MARK: - Helpers

    /// A gradient-plus-texture image with every sample distinct enough for colour and geometric ops to show.
    static func image(width: Int = 24, height: Int = 18, channels: Int = 3, depth: PixelDepth = .uint8) -> Image {
        let m = depth.maxValue
        var samples: [Int] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { samples.append((x * 41 + y * 13 + c * 67 + (x * y) % 11 * 7) * m / 700 % (m + 1)) }
            }
        }
        switch depth {
        case .uint8: return Image(width: width, height: height, channels: channels, bytes: samples.map { UInt8($0) })
        case .uint16: return Image(width: width, height: height, channels: channels, words: samples.map { UInt16($0) })
        }
    }

    static func op(_ text: String) throws -> ImageOp {
        let context = SpecContext()
        guard let (op, _) = ImageOp.decode(try JSONParser.parse(text), at: "$", in: context), context.problems.isEmpty else {
            throw AugmentationError(op: "test", "bad spec \(text): \(context.problems)")
        }
        return op
    }

    static func problems(_ text: String) throws -> [String] {
        let context = SpecContext()
        _ = ImageOp.decode(try JSONParser.parse(text), at: "$", in: context)
        return context.problems.map(\.description)
    }

    static func resolve(_ op: ImageOp, for info: ImageInfo, sample: String) -> [AppliedOp] {
        var rng = CounterRandom(seed: 11, stage: "augment", sample: sample)
        return ImageChain.resolve([op], for: info, using: &rng).applied
    }

    /// The op's manifest parameters, e.g. `number(op, "angle")`.
    static func number(_ op: AppliedOp, _ key: String) -> Double? { op.parameters[key]?.numberValue }
    static func matrix(_ op: AppliedOp) -> [Double] { (op.parameters["matrix"]?.arrayValue ?? []).compactMap(\.numberValue) }

    /// The unsigned policy magnitude an applied op carries, by kind: what torchvision's `_apply_op` was given.
    enum Magnitude: Equatable {
        case shear(Double), translate(x: Double, y: Double), rotate(Double), enhance(Double), bits(Int), level(Double), unscaled
    }

    static func magnitude(of op: AppliedOp) -> Magnitude? {
        switch op.op {
        case "Affine":
            let m = matrix(op)
            guard m.count == 6, m[0] == 1, m[4] == 1 else { return nil }
            if m[1] != 0 { return m[3] == 0 && m[5] == 0 && abs(m[2] - m[1] / 2) < 1e-12 ? .shear(abs(m[1])) : nil }
            if m[3] != 0 { return m[1] == 0 && m[2] == 0 && abs(m[5] - m[3] / 2) < 1e-12 ? .shear(abs(m[3])) : nil }
            return .translate(x: abs(m[2]), y: abs(m[5]))
        case "Rotate": return number(op, "angle").map { .rotate(abs($0)) }
        case "EnhanceBrightness", "EnhanceColor", "EnhanceContrast", "EnhanceSharpness": return number(op, "factor").map { .enhance(abs($0 - 1)) }
        case "Posterize": return number(op, "bits").map { .bits(Int($0)) }
        case "Solarize": return number(op, "threshold").map { .level($0 * 255) }
        case "AutoContrast": return op.parameters["method"]?.stringValue == "pil" && number(op, "cutoff") == 0 ? Magnitude.unscaled : nil
        case "Equalize": return Magnitude.unscaled
        default: return nil
        }
    }

    static let wideNames: Set<String> = ["Affine", "Rotate", "EnhanceBrightness", "EnhanceColor", "EnhanceContrast", "EnhanceSharpness",
                                         "Posterize", "Solarize", "AutoContrast", "Equalize"]

    /// Checks one op against torchvision's maxima for a space; `translate` is the (x, y) maximum in pixels.
    static func expectWithin(_ op: AppliedOp, shear: Double, translate: (Double, Double), rotate: Double, enhance: Double,
                             bits: ClosedRange<Int>, level: ClosedRange<Double> = 0...255, sourceLocation: SourceLocation = #_sourceLocation) {
        let eps = 1e-9
        switch magnitude(of: op) {
        case .shear(let s): #expect(s <= shear + eps, "\(op)", sourceLocation: sourceLocation)
        case .translate(let x, let y):
            #expect(x == 0 || y == 0, "\(op) shifts along both axes", sourceLocation: sourceLocation)
            #expect(x <= translate.0 + eps && y <= translate.1 + eps && x == x.rounded() && y == y.rounded(), "\(op)", sourceLocation: sourceLocation)
        case .rotate(let a): #expect(a <= rotate + eps, "\(op)", sourceLocation: sourceLocation)
        case .enhance(let e): #expect(e <= enhance + eps, "\(op)", sourceLocation: sourceLocation)
        case .bits(let b): #expect(bits.contains(b), "\(op)", sourceLocation: sourceLocation)
        case .level(let t): #expect(t >= level.lowerBound - eps && t <= level.upperBound + eps, "\(op)", sourceLocation: sourceLocation)
        case .unscaled: break
        case nil: Issue.record("\(op) is not a policy op", sourceLocation: sourceLocation)
        }
    }

    // MARK: - RandAugment

    @Test func randAugmentAppliesAtMostNOpsAtMagnitudeNineOfThirtyOne() throws {
        let op = try Self.op(#"{"op": "RandAugment"}"#)
        let info = ImageInfo(width: 331, height: 100, channels: 3)
        var names: Set<String> = [], counts: Set<Int> = [], rotationSigns: Set<Bool> = []
        for s in 0..<300 {
            let applied = Self.resolve(op, for: info, sample: "ra\(s)")
            counts.insert(applied.count)
            #expect(applied.count <= 2)
            for a in applied {
                names.insert(a.op)
                if a.op == "Rotate", let angle = Self.number(a, "angle") { rotationSigns.insert(angle > 0) }
                #expect(Self.wideNames.contains(a.op), "\(a.op) is not in RandAugment's space")
                // Bin 9 of 31 (t = 0.3), hand-computed from torchvision's ranges.
                switch Self.magnitude(of: a) {
                case .shear(let v): #expect(abs(v - 0.09) < 1e-12)
                case .translate(let x, let y):
                    // TranslateX: 150/331 * 331 * 0.3 = 45 pixels; TranslateY: 150/331 * 100 * 0.3 = 13.6, truncated to 13.
                    #expect((x == 45 && y == 0) || (x == 0 && y == 13), "\(a)")
                case .rotate(let v): #expect(abs(v - 9) < 1e-12)
                case .enhance(let v): #expect(abs(v - 0.27) < 1e-12)
                case .bits(let b): #expect(b == 7)
                case .level(let t): #expect(abs(t - 178.5) < 1e-9)
                case .unscaled: break
                case nil: Issue.record("unexpected op \(a)")
                }
            }
        }
        // Identity records nothing, so 1 op shows up as well as 2 (0 needs Identity twice: 1 draw in 196).
        #expect(counts.isSubset(of: [0, 1, 2]) && counts.isSuperset(of: [1, 2]), "got \(counts)")
        #expect(rotationSigns == [true, false], "rotations should take both signs")
        #expect(names == Self.wideNames, "300 draws should reach every op, missed \(Self.wideNames.subtracting(names))")
    }

    @Test(arguments: [0, 15, 30])
    func randAugmentMagnitudesStayWithinTorchvisionRanges(_ magnitude: Int) throws {
        let op = try Self.op(#"{"op": "RandAugment", "n": 3, "magnitude": \#(magnitude)}"#)
        let info = ImageInfo(width: 40, height: 30, channels: 3)
        for s in 0..<150 {
            let applied = Self.resolve(op, for: info, sample: "bounds\(s)")
            #expect(applied.count <= 3)
            for a in applied {
                Self.expectWithin(a, shear: 0.3, translate: (150.0 / 331 * 40, 150.0 / 331 * 30), rotate: 30, enhance: 0.9, bits: 4...8)
            }
        }
    }

    @Test func randAugmentIsDeterministicPerKey() throws {
        let op = try Self.op(#"{"op": "RandAugment", "n": 4, "magnitude": 20}"#)
        let info = ImageInfo(width: 32, height: 32, channels: 3)
        let runs = (0..<20).map { s in Self.resolve(op, for: info, sample: "det\(s)").map(\.description) }
        for s in 0..<20 { #expect(Self.resolve(op, for: info, sample: "det\(s)").map(\.description) == runs[s]) }
        #expect(Set(runs).count > 15, "different keys should draw different ops")
    }

    @Test func randAugmentRejectsAMagnitudeOutsideItsBins() throws {
        #expect(try Self.problems(#"{"op": "RandAugment", "magnitude": 31}"#) == ["$.magnitude: must be below numMagnitudeBins (31), got 31"])
        #expect(try Self.problems(#"{"op": "RandAugment", "magnitude": 5, "numMagnitudeBins": 6}"#).isEmpty)
        #expect(try Self.problems(#"{"op": "RandAugment", "n": 15}"#) == ["$.n: must be in 0...14, got 15"])
    }

    // MARK: - TrivialAugmentWide

    @Test func trivialAugmentWideAppliesOneOpOrNoneForIdentity() throws {
        let op = try Self.op(#"{"op": "TrivialAugmentWide"}"#)
        let info = ImageInfo(width: 64, height: 48, channels: 3)
        var empty = 0, angles: Set<Double> = []
        for s in 0..<420 {
            let applied = Self.resolve(op, for: info, sample: "ta\(s)")
            // Identity (1 in 14) records nothing; every other draw records exactly one op.
            #expect(applied.count <= 1)
            if applied.isEmpty { empty += 1 }
            for a in applied {
                #expect(Self.wideNames.contains(a.op))
                Self.expectWithin(a, shear: 0.99, translate: (32, 32), rotate: 135, enhance: 0.99, bits: 2...8)
                if case .rotate(let v) = Self.magnitude(of: a) { angles.insert(v) }
            }
        }
        #expect((10...50).contains(empty), "Identity should be drawn about 30 times in 420, got \(empty)")
        #expect(angles.count > 8, "magnitudes should vary over the bins, got \(angles.sorted())")
    }

    // MARK: - AugMix

    static let augMixImages: [Image] = [
        image(), image(width: 17, height: 13, channels: 1), image(width: 15, height: 20, channels: 4, depth: .uint16),
        image(width: 12, height: 9, channels: 2, depth: .uint16),
    ]

    @Test(arguments: 0..<4)
    func augMixChangesTheImageAndReplaysToIdenticalBytes(_ index: Int) throws {
        let image = Self.augMixImages[index]
        let op = try Self.op(#"{"op": "AugMix"}"#)
        for s in 0..<6 {
            let applied = Self.resolve(op, for: image.info, sample: "mix\(index)-\(s)")
            try #require(applied.count == 1 && applied[0].op == "AugMix")
            let out = try ImageChain.apply(applied, to: image)
            #expect(out.info == image.info)
            #expect(out != image, "AugMix left \(image.info) unchanged: \(applied[0])")
            // Replay from the manifest text, as `copia replay` reads it.
            let text = JSONWriter.compact(applied[0].json)
            let replayed = try AppliedOp.decode(try JSONParser.parse(text))
            #expect(JSONWriter.compact(replayed.json) == text)
            #expect(try replayed.apply(image) == out)
            #expect(try AppliedOp.decode(applied[0].json).apply(image) == out)
        }
    }

    @Test(arguments: [1, 3, 5])
    func augMixWeightsSumToOneAndChainsStayWithinSeverity(_ width: Int) throws {
        let op = try Self.op(#"{"op": "AugMix", "width": \#(width), "severity": 3}"#)
        let info = ImageInfo(width: 30, height: 21, channels: 3)
        let names = Self.wideNames
        for s in 0..<40 {
            let applied = Self.resolve(op, for: info, sample: "w\(width)-\(s)")
            let p = try ParameterCoding.decode(AugMix.Parameters.self, from: try #require(applied.first).parameters, at: "$")
            #expect(p.chains.count == width && p.weights.count == width)
            #expect(abs(p.weights.reduce(0, +) - 1) < 1e-12 && p.weights.allSatisfy { $0 >= 0 })
            #expect((0...1).contains(p.skipWeight))
            for chain in p.chains {
                #expect((1...3).contains(chain.count), "depth -1 draws 1...3 ops per chain")
                for step in chain {
                    let a = try AppliedOp.decode(step.json)
                    #expect(names.contains(a.op))
                    // Severity 3: bins 0...2 of 11, so at most 2/10 of each range.
                    Self.expectWithin(a, shear: 0.06, translate: (2, 1.4), rotate: 6, enhance: 0.18, bits: 3...4, level: 204...255)
                }
            }
        }
    }

    @Test func augMixHonoursAFixedDepthAndTheSmallSpace() throws {
        let op = try Self.op(#"{"op": "AugMix", "depth": 2, "allOps": false, "severity": 10}"#)
        let info = ImageInfo(width: 30, height: 30, channels: 3)
        for s in 0..<30 {
            let p = try ParameterCoding.decode(AugMix.Parameters.self, from: Self.resolve(op, for: info, sample: "d\(s)")[0].parameters, at: "$")
            for chain in p.chains {
                #expect(chain.count == 2)
                for step in chain {
                    let a = try AppliedOp.decode(step.json)
                    #expect(!a.op.hasPrefix("Enhance"), "allOps false excludes the enhancements")
                    // Severity 10 reaches bin 9: 0 bits in torchvision, 1 here.
                    Self.expectWithin(a, shear: 0.27, translate: (9, 9), rotate: 27, enhance: 0, bits: 1...4, level: 25.5...255)
                }
            }
        }
        #expect(try Self.problems(#"{"op": "AugMix", "depth": 0}"#) == ["$.depth: must be -1 (random 1...3) or 1...16, got 0"])
    }

    @Test func augMixBlendsChainsAsHandComputed() throws {
        // Chain 0 turns the image black, chain 1 is empty (the image itself): 0.5 v + 0.5 (0.5 * 0 + 0.5 v) = 0.75 v.
        let black = ManifestJSON(["op": "EnhanceBrightness", "factor": 0])
        let p = AugMix.Parameters(chains: [[black], []], weights: [0.5, 0.5], skipWeight: 0.5)
        let image = Image(width: 4, height: 1, channels: 1, bytes: [10, 3, 2, 255])
        let out = try AugMix().apply(image, with: p)
        #expect(out.bytes == [8, 2, 2, 191])  // 7.5 -> 8, 2.25 -> 2, 1.5 -> 2 (half to even), 191.25 -> 191
        let wide = Image(width: 2, height: 1, channels: 1, words: [1000, 65535])
        #expect(try AugMix().apply(wide, with: p).words == [750, 49151])  // 49151.25 -> 49151
    }

    @Test func augMixRejectsInconsistentParameters() throws {
        let image = Self.image()
        let rotate = ManifestJSON(["op": "Rotate", "angle": 5, "interpolation": "bilinear", "borderMode": "constant", "fill": [0]])
        #expect(throws: AugmentationError.self) { try AugMix().apply(image, with: .init(chains: [[rotate]], weights: [0.5], skipWeight: 0.5)) }
        #expect(throws: AugmentationError.self) { try AugMix().apply(image, with: .init(chains: [[rotate]], weights: [1], skipWeight: 1.5)) }
        #expect(throws: AugmentationError.self) { try AugMix().apply(image, with: .init(chains: [], weights: [], skipWeight: 0.5)) }
        let crop = ManifestJSON(["op": "CenterCrop", "height": 4, "width": 4])
        let unknown = ManifestJSON(["op": "Rotat", "angle": 5])
        for bad in [crop, unknown] {
            #expect(throws: AugmentationError.self) { try AugMix().apply(image, with: .init(chains: [[bad]], weights: [1], skipWeight: 0.5)) }
        }
    }

    @Test func augMixParametersRoundTripThroughTheirCoding() throws {
        let op = try Self.op(#"{"op": "AugMix", "width": 4}"#)
        for s in 0..<10 {
            let applied = Self.resolve(op, for: ImageInfo(width: 20, height: 20, channels: 3), sample: "rt\(s)")[0]
            let p = try ParameterCoding.decode(AugMix.Parameters.self, from: applied.parameters, at: "$")
            #expect(ParameterCoding.encode(p) == applied.parameters)
            #expect(try ParameterCoding.decode(AugMix.Parameters.self, from: ParameterCoding.encode(p), at: "$") == p)
        }
    }

    // MARK: - Every policy: JSON round trips, both depths

    @Test(arguments: [#"{"op": "RandAugment", "n": 3, "magnitude": 25}"#, #"{"op": "TrivialAugmentWide"}"#, #"{"op": "AugMix", "severity": 8}"#])
    func policyOpsRoundTripAndReplayAtBothDepths(_ spec: String) throws {
        let op = try Self.op(spec)
        for image in [Self.image(), Self.image(width: 19, height: 23, channels: 4, depth: .uint16)] {
            for s in 0..<10 {
                let applied = Self.resolve(op, for: image.info, sample: "both\(s)")
                let out = try ImageChain.apply(applied, to: image)
                #expect(out.info == image.info)
                var replayed: [AppliedOp] = []
                for a in applied {
                    let text = JSONWriter.compact(a.json)
                    let decoded = try AppliedOp.decode(try JSONParser.parse(text))
                    #expect(JSONWriter.compact(decoded.json) == text, "\(text) does not round-trip")
                    replayed.append(decoded)
                }
                #expect(try ImageChain.apply(replayed, to: image) == out)
            }
        }
    }

    @Test func policiesAreCompositionsThatNeverReplayThemselves() {
        for name in ["RandAugment", "TrivialAugmentWide"] {
            #expect(throws: SpecError.self) { try AppliedOp.decode(["op": .string(name)]) }
        }
    }

    // MARK: - Enhance ops (PIL ImageEnhance), hand-computed

    @Test func enhanceBrightnessScalesAndTruncatesKeepingAlpha() throws {
        let image = Image(width: 2, height: 1, channels: 4, bytes: [255, 3, 100, 77, 10, 20, 30, 200])
        let out = try EnhanceBrightness().apply(image, with: .init(factor: 0.5))
        #expect(out.bytes == [127, 1, 50, 77, 5, 10, 15, 200])
        let up = try EnhanceBrightness().apply(image, with: .init(factor: 1.5))
        #expect(up.bytes == [255, 4, 150, 77, 15, 30, 45, 200])
        #expect(try EnhanceBrightness().apply(image, with: .init(factor: 1)) == image)
        let wide = Image(width: 2, height: 1, channels: 2, words: [1001, 7, 65535, 9])
        #expect(try EnhanceBrightness().apply(wide, with: .init(factor: 0.5)).words == [500, 7, 32767, 9])
    }

    @Test func enhanceContrastBlendsWithTheRoundedMeanGray() throws {
        // Mean 50.5 rounds to 51 (PIL's int(mean + 0.5)).
        let image = Image(width: 2, height: 1, channels: 1, bytes: [1, 100])
        #expect(try EnhanceContrast().apply(image, with: .init(factor: 0)).bytes == [51, 51])
        #expect(try EnhanceContrast().apply(image, with: .init(factor: 2)).bytes == [0, 149])
        #expect(try EnhanceContrast().apply(image, with: .init(factor: 0.5)).bytes == [26, 75])  // 26 and 75.5, truncated
    }

    @Test func enhanceColorBlendsWithLumaAndLeavesGrayAlone() throws {
        // Luma of (200, 100, 0): (200 * 4899 + 100 * 9617 + 8192) >> 14 = 1949692 >> 14 = 118.
        let rgb = Image(width: 1, height: 1, channels: 3, bytes: [200, 100, 0])
        #expect(try EnhanceColor().apply(rgb, with: .init(factor: 0)).bytes == [118, 118, 118])
        #expect(try EnhanceColor().apply(rgb, with: .init(factor: 2)).bytes == [255, 82, 0])
        let gray = Self.image(channels: 1)
        #expect(try EnhanceColor().apply(gray, with: .init(factor: 0)) == gray)
    }

    @Test(arguments: [PixelDepth.uint8, .uint16])
    func enhanceSharpnessBlendsWithTheSmoothedInteriorOnly(_ depth: PixelDepth) throws {
        // 4x3 gray: the interior pixels (1,1) and (2,1); SMOOTH = [1 1 1; 1 5 1; 1 1 1] / 13.
        let k = depth == .uint8 ? 1 : 10
        let v = [0, 0, 0, 0, 0, 130, 26, 0, 0, 0, 0, 0].map { $0 * k }
        let image = depth == .uint8 ? Image(width: 4, height: 3, channels: 1, bytes: v.map { UInt8($0) })
                                    : Image(width: 4, height: 3, channels: 1, words: v.map { UInt16($0) })
        let soft = try EnhanceSharpness().apply(image, with: .init(factor: 0))
        // (5 * 130 + 26) / 13 = 52; (5 * 26 + 130) / 13 = 20; at 16-bit both tenfold.
        #expect((0..<12).map { soft.sample(x: $0 % 4, y: $0 / 4) } == [0, 0, 0, 0, 0, 52, 20, 0, 0, 0, 0, 0].map { $0 * k })
        let sharp = try EnhanceSharpness().apply(image, with: .init(factor: 2))
        // 52 + 2 (130 - 52) = 208; 20 + 2 (26 - 20) = 32.
        #expect((0..<12).map { sharp.sample(x: $0 % 4, y: $0 / 4) } == [0, 0, 0, 0, 0, 208, 32, 0, 0, 0, 0, 0].map { $0 * k })
    }

    /// PIL's own outputs (`Fixtures/kernels/enhance_fixtures.py`, Pillow 13) on the shared 40x32 RGB crop.
    @Test(arguments: [("brightness", 0.37), ("brightness", 1.73), ("color", 0.2), ("color", 1.9),
                      ("contrast", 0.3), ("contrast", 1.8), ("sharpness", 0.1), ("sharpness", 1.95)])
    func enhanceOpsMatchPIL(_ op: String, _ factor: Double) throws {
        let input = try KernelFixtures.input
        let expected = try KernelFixtures.load("pil_enhance_\(op)_\(factor)")
        let p = EnhanceParameters(factor: factor)
        let out = switch op {
        case "brightness": try EnhanceBrightness().apply(input, with: p)
        case "color": try EnhanceColor().apply(input, with: p)
        case "contrast": try EnhanceContrast().apply(input, with: p)
        default: try EnhanceSharpness().apply(input, with: p)
        }
        let (worst, count) = KernelFixtures.difference(out, expected)
        #expect(worst == 0, "\(op) \(factor): max difference \(worst) in \(count) samples")
    }

    @Test func enhanceOpsRejectANonFiniteFactor() {
        #expect(throws: AugmentationError(op: "EnhanceSharpness", "factor must be finite, got nan")) {
            try EnhanceSharpness().apply(Self.image(), with: .init(factor: .nan))
        }
    }
}
