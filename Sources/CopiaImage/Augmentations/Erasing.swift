import CopiaCore
import Foundation

/// Erases one random rectangle (albumentations `Erasing`, torchvision `RandomErasing`; Zhong et al., "Random Erasing
/// Data Augmentation", AAAI 2020): up to 10 attempts draw an area fraction from `scale` and a log-uniform aspect
/// ratio (height / width) from `ratio`; the first rectangle that fits is filled. If none fits, nothing is erased.
public struct Erasing: Augmentation {
    public typealias Parameters = DropoutParameters
    public static let name = "Erasing"
    public static let summary = "Erases one random rectangle (Random Erasing)."
    public var scale: SpecRange, ratio: SpecRange, fill: [Double]

    public init(scale: SpecRange = SpecRange(0.02, 0.33), ratio: SpecRange = SpecRange(0.3, 3.3), fill: [Double] = [0]) {
        (self.scale, self.ratio, self.fill) = (scale, ratio, fill)
    }
    public init(reading r: SpecReader) {
        scale = r.read("scale", default: SpecRange(0.02, 0.33), within: 0...1, doc: "Range of the erased area as a fraction of the image.")
        ratio = r.read("ratio", default: SpecRange(0.3, 3.3), within: 0.001...1000, doc: "Range of the rectangle's aspect ratio (height / width), drawn log-uniformly.")
        fill = OpFields.fill(r)
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let area = Double(image.width * image.height)
        let logRatio = log(ratio.lower)...log(ratio.upper)
        for _ in 0..<10 {
            let target = area * rng.uniform(scale.range)
            let aspect = exp(rng.uniform(logRatio))
            let h = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if h > 0 && w > 0 && h < image.height && w < image.width {
                let y = rng.int(in: 0...(image.height - h)), x = rng.int(in: 0...(image.width - w))
                return Parameters(holes: [[x, y, w, h]], fill: fill)
            }
        }
        return Parameters(holes: [], fill: fill)
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image { try p.apply(image, op: Self.name) }
}
