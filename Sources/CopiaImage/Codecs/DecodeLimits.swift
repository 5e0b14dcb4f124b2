/// Limits a decoder enforces before allocating pixel memory: the guard against decompression bombs, small files
/// whose headers announce enormous images.
///
/// The check runs right after the header is read (`png_read_info`, `jpeg_read_header`) and before any pixel buffer
/// is sized, so a 100 KB PNG that claims 100000x100000 pixels costs microseconds, not 40 GB.
public struct DecodeLimits: Sendable, Equatable {
    /// The most pixels (width x height) an image may have. The default, 100 million, is about 400 MB for 8-bit
    /// RGBA and 800 MB for 16-bit; Pillow warns at 89.5 million and refuses at twice that. Must be positive.
    public var maxPixels: Int

    /// Limits allowing at most `maxPixels` pixels per image.
    public init(maxPixels: Int = 100_000_000) {
        precondition(maxPixels > 0, "DecodeLimits.maxPixels must be positive, got \(maxPixels)")
        self.maxPixels = maxPixels
    }

    /// Throws ``CodecError/Kind/tooLarge(width:height:limit:)`` when a `width` x `height` image is over the limit.
    func check(width: Int, height: Int, format: ImageFormat) throws(CodecError) {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > maxPixels {
            throw CodecError(.tooLarge(width: width, height: height, limit: maxPixels), format: format)
        }
    }
}
