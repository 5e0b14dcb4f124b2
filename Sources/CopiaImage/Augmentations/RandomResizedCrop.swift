import CopiaCore
import Foundation

/// Crops a random area of random aspect ratio and resizes it to a fixed size (albumentations / torchvision
/// `RandomResizedCrop`; the crop of Szegedy et al., "Going deeper with convolutions", 2015).
///
/// Sampling follows torchvision exactly: up to 10 attempts draw an area fraction from `scale` and a log-uniform
/// aspect ratio (width / height) from `ratio`, `w = round(sqrt(area * ratio))`, `h = round(sqrt(area / ratio))`; the
/// first that fits is placed uniformly at random. Otherwise the largest central crop whose ratio is clamped into
/// `ratio` is used, so every image, however small or elongated, gets a valid crop.
public struct RandomResizedCrop: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        /// The crop rectangle in the input.
        public var x: Int, y: Int, width: Int, height: Int
        /// The output size.
        public var outputWidth: Int, outputHeight: Int
        public var interpolation: Interpolation

        public init(x: Int, y: Int, width: Int, height: Int, outputWidth: Int, outputHeight: Int,
                    interpolation: Interpolation = .bilinear) {
            (self.x, self.y, self.width, self.height) = (x, y, width, height)
            (self.outputWidth, self.outputHeight) = (outputWidth, outputHeight)
            self.interpolation = interpolation
        }
    }

    public static let name = "RandomResizedCrop"
    public static let summary = "Crops a random area of random aspect ratio and resizes it to size [height, width]."
    public static var defaultProbability: Double { 1 }

    public var height: Int
    public var width: Int
    public var scale: SpecRange
    public var ratio: SpecRange
    public var interpolation: Interpolation

    public init(height: Int, width: Int, scale: SpecRange = SpecRange(0.08, 1), ratio: SpecRange = SpecRange(0.75, 4.0 / 3),
                interpolation: Interpolation = .bilinear) {
        self.height = height
        self.width = width
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
    }

    public init(reading r: SpecReader) {
        let size: [Int] = r.read("size", doc: "Output size [height, width], as albumentations writes it.") { (s: [Int]) in
            s.count == 2 && s.allSatisfy { (1...65_536).contains($0) } ? nil : "must be [height, width] with both in 1...65536, got \(s)"
        }
        height = size.count == 2 ? size[0] : 1
        width = size.count == 2 ? size[1] : 1
        scale = r.read("scale", default: SpecRange(0.08, 1), within: 0...1, doc: "Range of the crop's area as a fraction of the image's.")
        ratio = r.read("ratio", default: SpecRange(0.75, 4.0 / 3), within: 0...1000, doc: "Range of the crop's aspect ratio (width / height), drawn log-uniformly.")
        if ratio.lower <= 0 && !r.isDescribing { r.report("ratio", "must be positive, got \(ratio.specJSON)") }
        interpolation = r.read("interpolation", default: Interpolation.bilinear, doc: "How to resize the crop.")
    }

    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let (x, y, w, h) = Self.sampleCrop(width: image.width, height: image.height, scale: scale.range, ratio: ratio.range, using: &rng)
        return Parameters(x: x, y: y, width: w, height: h, outputWidth: width, outputHeight: height, interpolation: interpolation)
    }

    /// torchvision's `RandomResizedCrop.get_params`: returns (x, y, width, height).
    static func sampleCrop(width W: Int, height H: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                           using rng: inout some RandomNumberGenerator) -> (Int, Int, Int, Int) {
        guard W > 0 && H > 0 else { return (0, 0, W, H) }
        let area = Double(W * H)
        let logRatio = log(max(ratio.lowerBound, .leastNormalMagnitude))...log(max(ratio.upperBound, .leastNormalMagnitude))
        for _ in 0..<10 {
            let target = area * rng.uniform(scale)
            let aspect = exp(rng.uniform(logRatio))
            let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if 0 < w && w <= W && 0 < h && h <= H {
                let y = rng.int(in: 0...(H - h))
                let x = rng.int(in: 0...(W - w))
                return (x, y, w, h)
            }
        }
        let inRatio = Double(W) / Double(H)
        var w = W, h = H
        if inRatio < ratio.lowerBound {
            h = min(H, max(1, Int((Double(W) / ratio.lowerBound).rounded(.toNearestOrEven))))
        } else if inRatio > ratio.upperBound {
            w = min(W, max(1, Int((Double(H) * ratio.upperBound).rounded(.toNearestOrEven))))
        }
        return ((W - w) / 2, (H - h) / 2, w, h)
    }

    public func outputInfo(for input: ImageInfo, with p: Parameters) -> ImageInfo {
        ImageInfo(width: p.outputWidth, height: p.outputHeight, channels: input.channels, depth: input.depth)
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        try CropCheck.validate(Self.name, image, x: p.x, y: p.y, width: p.width, height: p.height)
        guard (1...65_536).contains(p.outputWidth) && (1...65_536).contains(p.outputHeight) else {
            throw AugmentationError(op: Self.name, "output size must be in 1...65536 each way, got \(p.outputWidth)x\(p.outputHeight)")
        }
        return ResizeKernels.resize(image, x: p.x, y: p.y, width: p.width, height: p.height,
                                    toWidth: p.outputWidth, height: p.outputHeight, interpolation: p.interpolation)
    }
}

/// Checks a crop rectangle against an image before cutting it, so a replayed manifest line meeting a different image
/// gets an error naming the op and both sizes.
enum CropCheck {
    static func validate(_ op: String, _ image: Image, x: Int, y: Int, width: Int, height: Int) throws {
        guard x >= 0, y >= 0, width >= 0, height >= 0, x + width <= image.width, y + height <= image.height else {
            throw AugmentationError(op: op, "crop \(width)x\(height) at (\(x), \(y)) does not fit a \(image.width)x\(image.height) image")
        }
    }
}
