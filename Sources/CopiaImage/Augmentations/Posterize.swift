import CopiaCore

/// Keeps only the top `bits` bits of each sample (albumentations / PIL `Posterize`; at 16-bit the top bits of the
/// 16-bit value, which is what converting to 8-bit, posterizing and converting back amounts to). Alpha is kept. Exact.
public struct Posterize: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var bits: Int
        public init(bits: Int) { self.bits = bits }
    }
    public static let name = "Posterize"
    public static let summary = "Reduces each sample to its top bits."
    public var numBits: ClosedRange<Int>
    public init(numBits: ClosedRange<Int> = 4...4) { self.numBits = numBits }
    public init(reading r: SpecReader) {
        numBits = OpFields.intRange(r, "numBits", default: (4, 4), within: 1...8, doc: "Range of the number of bits kept (of 8).")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(bits: rng.int(in: numBits))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard (1...8).contains(p.bits) else { throw AugmentationError(op: Self.name, "bits must be in 1...8, got \(p.bits)") }
        let drop = (image.depth == .uint8 ? 8 : 16) - p.bits
        let mask = ~((1 << drop) - 1)
        return ColorKernels.lookup(image, tables: [ColorKernels.table(depth: image.depth) { $0 & mask }])
    }
}
