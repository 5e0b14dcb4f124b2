import CopiaCore

/// Degrades the image by JPEG compression at a random quality (albumentations `ImageCompression`, JPEG only): the
/// colour channels are encoded with libjpeg-turbo (4:2:0, as OpenCV's `imencode` defaults) and decoded back. 16-bit
/// images go through 8 bits (`round(v / 257)`, back as `v * 257`); alpha is kept.
public struct ImageCompression: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var quality: Int
        public init(quality: Int) { self.quality = quality }
    }
    public static let name = "ImageCompression"
    public static let summary = "Degrades the image by JPEG compression at a random quality."
    public var qualityRange: ClosedRange<Int>
    public init(qualityRange: ClosedRange<Int> = 99...100) { self.qualityRange = qualityRange }
    public init(reading r: SpecReader) {
        qualityRange = OpFields.intRange(r, "qualityRange", default: (99, 100), within: 1...100, doc: "Range of the JPEG quality.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(quality: rng.int(in: qualityRange))
    }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard (1...100).contains(p.quality) else { throw AugmentationError(op: Self.name, "quality must be in 1...100, got \(p.quality)") }
        guard image.info.pixelCount > 0 else { return image }
        let cn = image.channels, colors = image.info.colorChannels, n = image.info.pixelCount
        var color = Image(info: ImageInfo(width: image.width, height: image.height, channels: colors))
        for i in 0..<n {
            for c in 0..<colors {
                color.bytes[i * colors + c] = image.depth == .uint8
                    ? image.bytes[i * cn + c] : UInt8((Int(image.words[i * cn + c]) * 2 + 257) / 514)
            }
        }
        let decoded: Image
        do {
            decoded = try ImageDecoder().decode(try JPEGEncoder(quality: p.quality).encode(color))
        } catch {
            throw AugmentationError(op: Self.name, "JPEG round trip failed: \(error)")
        }
        guard decoded.width == image.width, decoded.height == image.height, decoded.channels == colors else {
            throw AugmentationError(op: Self.name, "JPEG round trip changed the shape to \(decoded.info)")
        }
        var out = image
        for i in 0..<n {
            for c in 0..<colors {
                let v = decoded.bytes[i * colors + c]
                if image.depth == .uint8 { out.bytes[i * cn + c] = v } else { out.words[i * cn + c] = UInt16(v) * 257 }
            }
        }
        return out
    }
}
