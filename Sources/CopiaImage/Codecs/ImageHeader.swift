/// What an image file's header says, read without decoding its pixels.
public struct ImageHeader: Equatable, Sendable {
    /// The file's format, from its signature.
    public var format: ImageFormat
    /// The shape decoding will produce: size, channels after expansion (palette to RGB or RGBA, tRNS to alpha),
    /// and depth (16-bit only for 16-bit PNGs).
    public var info: ImageInfo
    /// Bits per sample in the file: 1, 2, 4, 8 or 16 for PNG (palette indices for palette images); 8 for JPEG.
    public var fileBitDepth: Int
    /// Whether the file is Adam7-interlaced (PNG) or progressive (JPEG).
    public var isInterlaced: Bool

    /// A header with the given fields.
    public init(format: ImageFormat, info: ImageInfo, fileBitDepth: Int, isInterlaced: Bool) {
        self.format = format
        self.info = info
        self.fileBitDepth = fileBitDepth
        self.isInterlaced = isInterlaced
    }
}
