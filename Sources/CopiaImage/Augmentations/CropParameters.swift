import CopiaCore

/// The resolved parameters of the fixed-size crops (`CenterCrop`, `RandomCrop`): optional centre padding first
/// (albumentations' `pad_if_needed`), then the rectangle in the padded image.
public struct CropParameters: Codable, Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    /// Padding added before cropping (all zero unless the image was smaller than the crop and `padIfNeeded`).
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int
    public var borderMode: BorderMode
    public var fill: [Double]

    init(x: Int, y: Int, width: Int, height: Int, padding: CenterPadding, borderMode: BorderMode, fill: [Double]) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
        (padTop, padBottom, padLeft, padRight) = (padding.top, padding.bottom, padding.left, padding.right)
        self.borderMode = borderMode
        self.fill = fill
    }

    /// Pads (if recorded), checks the rectangle and crops; a crop larger than the image without padding throws.
    func apply(_ image: Image, op: String) throws -> Image {
        var source = image
        if padTop > 0 || padBottom > 0 || padLeft > 0 || padRight > 0 {
            source = GeometryKernels.pad(image, top: padTop, bottom: padBottom, left: padLeft, right: padRight, border: borderMode, fill: fill)
        }
        guard x >= 0, y >= 0, x + width <= source.width, y + height <= source.height else {
            throw AugmentationError(op: op, "crop \(width)x\(height) at (\(x), \(y)) does not fit a \(source.width)x\(source.height) image"
                                    + " (set \"padIfNeeded\": true to pad small images)")
        }
        if x == 0 && y == 0 && width == source.width && height == source.height { return source }
        return ResizeKernels.crop(source, x: x, y: y, width: width, height: height)
    }

    func outputInfo(for input: ImageInfo) -> ImageInfo {
        ImageInfo(width: width, height: height, channels: input.channels, depth: input.depth)
    }
}

/// The spec fields of the fixed-size crops.
struct CropSpec: Sendable {
    var height: Int, width: Int
    var padIfNeeded: Bool
    var borderMode: BorderMode
    var fill: [Double]

    init(reading r: SpecReader) {
        height = OpFields.size(r, "height", doc: "Crop height in pixels.")
        width = OpFields.size(r, "width", doc: "Crop width in pixels.")
        padIfNeeded = r.read("padIfNeeded", default: false, doc: "Pad images smaller than the crop (centred) instead of failing.")
        borderMode = OpFields.borderMode(r)
        fill = OpFields.fill(r)
    }

    init(height: Int, width: Int, padIfNeeded: Bool = false, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.height, self.width, self.padIfNeeded, self.borderMode, self.fill) = (height, width, padIfNeeded, borderMode, fill)
    }

    /// The padding and the padded size for an input.
    func padding(for image: ImageInfo) -> (CenterPadding, Int, Int) {
        let p = padIfNeeded ? CenterPadding(width: image.width, height: image.height, minWidth: width, minHeight: height) : CenterPadding()
        return (p, image.width + p.left + p.right, image.height + p.top + p.bottom)
    }
}
