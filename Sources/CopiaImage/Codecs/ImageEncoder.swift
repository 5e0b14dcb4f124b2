/// Encodes images in either format with fixed settings, reusing one ``PNGEncoder`` and one ``JPEGEncoder``.
///
/// ```swift
/// let encoder = ImageEncoder(png: PNGEncoder(level: 6, filter: .adaptive))
/// let bytes = try encoder.encode(image, as: .png)
/// ```
///
/// Not thread-safe: use one encoder per thread.
public final class ImageEncoder {
    /// The PNG encoder and its settings.
    public let png: PNGEncoder
    /// The JPEG encoder and its settings.
    public let jpeg: JPEGEncoder

    /// An encoder using `png` for PNG and `jpeg` for JPEG.
    public init(png: PNGEncoder = PNGEncoder(), jpeg: JPEGEncoder = JPEGEncoder()) {
        self.png = png
        self.jpeg = jpeg
    }

    /// The file for `image` in `format`.
    ///
    /// - Throws: ``CodecError`` as ``PNGEncoder/encode(_:)`` or ``JPEGEncoder/encode(_:)``.
    public func encode(_ image: Image, as format: ImageFormat) throws(CodecError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(image, as: format, into: &output)
        return output
    }

    /// Writes the file for `image` in `format` into `output`, reusing its capacity.
    public func encode(_ image: Image, as format: ImageFormat, into output: inout [UInt8]) throws(CodecError) {
        switch format {
        case .png: try png.encode(image, into: &output)
        case .jpeg: try jpeg.encode(image, into: &output)
        }
    }
}
