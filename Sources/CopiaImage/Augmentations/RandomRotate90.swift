import CopiaCore

/// Rotates by a random number (0-3) of quarter turns counter-clockwise (albumentations `RandomRotate90`,
/// `numpy.rot90`). Exact.
public struct RandomRotate90: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Quarter turns counter-clockwise, 0...3.
        public var times: Int
        public init(times: Int) { self.times = times }
    }
    public static let name = "RandomRotate90"
    public static let summary = "Rotates by 0, 1, 2 or 3 quarter turns, chosen at random."
    public static var defaultProbability: Double { 1 }
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(times: rng.int(in: 0...3))
    }
    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo {
        guard ((p.times % 4) + 4) % 2 == 1 else { return input }
        return ImageInfo(width: input.height, height: input.width, channels: input.channels, depth: input.depth)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { GeometryKernels.rotate90(image, times: p.times) }
}
