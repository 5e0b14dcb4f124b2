import CopiaCore

/// Shifts hue, saturation and value by random amounts (albumentations `HueSaturationValue`).
///
/// At 8-bit the shifts are in OpenCV's HSV units: hue in half-degrees modulo 180, saturation and value in 0...255
/// (clipped, truncated; fully unsaturated pixels stay gray). At 16-bit the same shifts are scaled: hue by 2 degrees
/// per unit, saturation and value by 1/255 of full scale. Gray images shift only their value.
public struct HueSaturationValue: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var hueShift: Double, saturationShift: Double, valueShift: Double
        public init(hueShift: Double, saturationShift: Double, valueShift: Double) {
            (self.hueShift, self.saturationShift, self.valueShift) = (hueShift, saturationShift, valueShift)
        }
    }
    public static let name = "HueSaturationValue"
    public static let summary = "Shifts hue, saturation and value by random amounts."
    public var hueShiftLimit: SpecRange, satShiftLimit: SpecRange, valShiftLimit: SpecRange

    public init(hueShiftLimit: SpecRange = SpecRange(-20, 20), satShiftLimit: SpecRange = SpecRange(-30, 30), valShiftLimit: SpecRange = SpecRange(-20, 20)) {
        (self.hueShiftLimit, self.satShiftLimit, self.valShiftLimit) = (hueShiftLimit, satShiftLimit, valShiftLimit)
    }
    public init(reading r: SpecReader) {
        hueShiftLimit = r.read("hueShiftLimit", default: SpecRange(-20, 20), within: -180...180, doc: "Range of the hue shift, in OpenCV's half-degrees.")
        satShiftLimit = r.read("satShiftLimit", default: SpecRange(-30, 30), within: -255...255, doc: "Range of the saturation shift (0...255 scale).")
        valShiftLimit = r.read("valShiftLimit", default: SpecRange(-20, 20), within: -255...255, doc: "Range of the value shift (0...255 scale).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(hueShift: rng.uniform(hueShiftLimit.range), saturationShift: rng.uniform(satShiftLimit.range),
                   valueShift: rng.uniform(valShiftLimit.range))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        if p.hueShift == 0 && p.saturationShift == 0 && p.valueShift == 0 { return image }
        guard [p.hueShift, p.saturationShift, p.valueShift].allSatisfy(\.isFinite) else {
            throw AugmentationError(op: Self.name, "shifts must be finite, got \(p)")
        }
        func add(_ shift: Double) -> [Int] {
            (0..<256).map { v in
                let r = Double(v) + shift
                return r >= 255 ? 255 : (r > 0 ? Int(r) : 0)
            }
        }
        let h8 = (0..<256).map { v -> Int in
            let r = (Double(v) + p.hueShift).truncatingRemainder(dividingBy: 180)
            return Int(r < 0 ? r + 180 : r)
        }
        var s8 = add(p.saturationShift)
        s8[0] = 0
        let hs = Float(p.hueShift * 2), ss = Float(p.saturationShift / 255), vs = Float(p.valueShift / 255)
        return ColorSpaceKernels.mapHSV(image, h8: h8, s8: s8, v8: add(p.valueShift), hf: { h in
            let r = (h + hs).truncatingRemainder(dividingBy: 360)
            return r < 0 ? r + 360 : r
        }, sf: { $0 == 0 ? 0 : $0 + ss }, vf: { $0 + vs })
    }
}
