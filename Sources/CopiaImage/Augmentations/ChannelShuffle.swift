import CopiaCore

/// Permutes the colour channels at random (albumentations `ChannelShuffle`). Alpha stays last. Exact.
public struct ChannelShuffle: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// Output channel `c` takes input channel `order[c]`.
        public var order: [Int]
        public init(order: [Int]) { self.order = order }
    }
    public static let name = "ChannelShuffle"
    public static let summary = "Permutes the colour channels at random."
    public init() {}
    public init(reading reader: SpecReader) {}
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        var order = Array(0..<image.colorChannels)
        rng.shuffle(&order)
        return Parameters(order: order)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.order.sorted() == Array(0..<image.info.colorChannels) else {
            throw AugmentationError(op: Self.name, "order \(p.order) is not a permutation of the \(image.info.colorChannels) colour channels")
        }
        return ColorKernels.permuteChannels(image, order: p.order)
    }
}
