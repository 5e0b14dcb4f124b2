import CopiaCore

/// Adds a random constant to each of R, G and B (albumentations `RGBShift`; limits in 8-bit units, scaled by 257 at
/// 16-bit). Clipped and truncated; alpha is kept. Gray images shift by the red draw.
public struct RGBShift: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Shifts for R, G, B in 8-bit units.
        public var shifts: [Double]
        public init(shifts: [Double]) { self.shifts = shifts }
    }
    public static let name = "RGBShift"
    public static let summary = "Adds a random constant to each of R, G and B."
    public var rShiftLimit: SpecRange, gShiftLimit: SpecRange, bShiftLimit: SpecRange
    public init(rShiftLimit: SpecRange = SpecRange(-20, 20), gShiftLimit: SpecRange = SpecRange(-20, 20), bShiftLimit: SpecRange = SpecRange(-20, 20)) {
        (self.rShiftLimit, self.gShiftLimit, self.bShiftLimit) = (rShiftLimit, gShiftLimit, bShiftLimit)
    }
    public init(reading r: SpecReader) {
        rShiftLimit = r.read("rShiftLimit", default: SpecRange(-20, 20), within: -255...255, doc: "Range of the red shift (8-bit units).")
        gShiftLimit = r.read("gShiftLimit", default: SpecRange(-20, 20), within: -255...255, doc: "Range of the green shift (8-bit units).")
        bShiftLimit = r.read("bShiftLimit", default: SpecRange(-20, 20), within: -255...255, doc: "Range of the blue shift (8-bit units).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(shifts: [rng.uniform(rShiftLimit.range), rng.uniform(gShiftLimit.range), rng.uniform(bShiftLimit.range)])
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let scale = image.depth == .uint8 ? 1.0 : 257.0
        return ColorKernels.addPerChannel(image, p.shifts.map { $0 * scale })
    }
}
