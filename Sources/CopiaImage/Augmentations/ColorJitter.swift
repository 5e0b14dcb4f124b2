import CopiaCore

/// Changes brightness, contrast, saturation and hue by random factors, in a random order (albumentations /
/// torchvision `ColorJitter`).
///
/// - brightness: `v * f` (8-bit: a truncating lookup table, as albucore's `multiply`);
/// - contrast: `v * f + mean(gray) * (1 - f)`, truncated;
/// - saturation: `v * f + gray * (1 - f)` (`cv2.addWeighted`, rounded);
/// - hue: rotates OpenCV's 8-bit hue (0..<180) by `180 f`, truncated, through `COLOR_RGB2HSV` / `HSV2RGB`.
/// Gray images skip saturation and hue. Alpha is kept.
public struct ColorJitter: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var brightness: Double, contrast: Double, saturation: Double, hue: Double
        /// The order of the four adjustments: 0 brightness, 1 contrast, 2 saturation, 3 hue.
        public var order: [Int]
        public init(brightness: Double = 1, contrast: Double = 1, saturation: Double = 1, hue: Double = 0, order: [Int] = [0, 1, 2, 3]) {
            (self.brightness, self.contrast, self.saturation, self.hue, self.order) = (brightness, contrast, saturation, hue, order)
        }
    }
    public static let name = "ColorJitter"
    public static let summary = "Changes brightness, contrast, saturation and hue by random factors in a random order."
    public var brightness: SpecRange, contrast: SpecRange, saturation: SpecRange, hue: SpecRange

    public init(brightness: SpecRange = SpecRange(0.8, 1.2), contrast: SpecRange = SpecRange(0.8, 1.2),
                saturation: SpecRange = SpecRange(0.8, 1.2), hue: SpecRange = SpecRange(-0.5, 0.5)) {
        (self.brightness, self.contrast, self.saturation, self.hue) = (brightness, contrast, saturation, hue)
    }
    public init(reading r: SpecReader) {
        brightness = r.read("brightness", default: SpecRange(0.8, 1.2), within: 0...10, doc: "Range of the brightness factor.")
        contrast = r.read("contrast", default: SpecRange(0.8, 1.2), within: 0...10, doc: "Range of the contrast factor.")
        saturation = r.read("saturation", default: SpecRange(0.8, 1.2), within: 0...10, doc: "Range of the saturation factor.")
        hue = r.read("hue", default: SpecRange(-0.5, 0.5), within: -0.5...0.5, doc: "Range of the hue rotation, in turns.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        var order = [0, 1, 2, 3]
        rng.shuffle(&order)
        return Parameters(brightness: rng.uniform(brightness.range), contrast: rng.uniform(contrast.range),
                          saturation: rng.uniform(saturation.range), hue: rng.uniform(hue.range), order: order)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard [p.brightness, p.contrast, p.saturation, p.hue].allSatisfy(\.isFinite), p.order.allSatisfy({ (0...3).contains($0) }) else {
            throw AugmentationError(op: Self.name, "factors must be finite and order steps in 0...3, got \(p)")
        }
        if image.depth == .uint8 {
            let steps = p.order.compactMap { step -> ColorKernels.JitterStep? in
                switch step {
                case 0 where p.brightness != 1: return .brightness(p.brightness)
                case 1 where p.contrast != 1: return .contrast(p.contrast)
                case 2 where p.saturation != 1: return .saturation(p.saturation)
                case 3 where p.hue != 0: return .hue(p.hue)
                default: return nil
                }
            }
            return ColorKernels.jitter8(image, steps: steps)
        }
        var out = image
        for step in p.order {
            switch step {
            case 0 where p.brightness != 1: out = ColorKernels.multiplyAdd(out, alpha: p.brightness, beta: 0)
            case 1 where p.contrast != 1:
                let gray = ColorSpaceKernels.grayPlane(out)
                let mean = gray.isEmpty ? 0 : Double(gray.reduce(0, +)) / Double(gray.count)
                out = ColorKernels.multiplyAdd(out, alpha: p.contrast, beta: mean * (1 - p.contrast))
            case 2 where p.saturation != 1 && out.channels >= 3: out = ColorKernels.blendWithGray(out, factor: p.saturation)
            case 3 where p.hue != 0 && out.channels >= 3:
                let h8 = (0..<256).map { v -> Int in
                    let r = (Double(v) + 180 * p.hue).truncatingRemainder(dividingBy: 180)
                    return Int(r < 0 ? r + 180 : r)
                }
                let id = ColorSpaceKernels.identity256
                out = ColorSpaceKernels.mapHSV(out, h8: h8, s8: id, v8: id, hf: { h in
                    let r = (h + Float(p.hue) * 360).truncatingRemainder(dividingBy: 360)
                    return r < 0 ? r + 360 : r
                }, sf: { $0 }, vf: { $0 })
            default: break
            }
        }
        return out
    }
}
