import CCopiaJPEG

/// Decodes baseline and progressive JPEG through libjpeg-turbo (via the CCopiaJPEG shim) to 8-bit gray or RGB.
///
/// The shim treats libjpeg's warnings as errors, so a truncated file ("Premature end of JPEG file") or damaged
/// entropy-coded data fails instead of decoding to grey fill. CMYK and YCCK files are refused as unsupported.
/// The libjpeg decompressor is created once and reused from image to image.
///
/// One per thread: it owns a libjpeg object and is not safe to share.
final class JPEGReader {
    private let handle: OpaquePointer

    init() throws(CodecError) {
        guard let handle = ccopia_jpeg_reader_create() else {
            throw CodecError(.outOfMemory, format: .jpeg, message: "cannot create a JPEG reader")
        }
        self.handle = handle
    }

    deinit { ccopia_jpeg_reader_destroy(handle) }

    /// Reads the markers up to the first scan, leaving the reader ready for `readPixels`.
    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> ImageHeader {
        guard let base = bytes.baseAddress else { throw CodecError(.empty, format: .jpeg) }
        var header = ccopia_jpeg_header()
        let status = ccopia_jpeg_read_header(handle, base, bytes.count, &header)
        guard status == 0 else { throw error(status) }
        return ImageHeader(
            format: .jpeg,
            info: ImageInfo(width: Int(header.width), height: Int(header.height), channels: Int(header.channels)),
            fileBitDepth: 8,
            isInterlaced: header.progressive != 0)
    }

    /// Decodes the image whose header was just read into `image`, which must already have the header's shape.
    func readPixels(into image: inout Image) throws(CodecError) {
        let stride = image.width * image.channels
        let status = image.bytes.withUnsafeMutableBytes { ccopia_jpeg_read_pixels(handle, $0.baseAddress, stride) }
        guard status == 0 else { throw error(status) }
    }

    /// Checks the data of the image whose header was just read, without making pixels (see `ImageDecoder.check`).
    func checkData() throws(CodecError) {
        let status = ccopia_jpeg_check_data(handle)
        guard status == 0 else { throw error(status) }
    }

    /// Abandons the image after a header-only read.
    func reset() { ccopia_jpeg_reader_reset(handle) }

    private func error(_ status: Int32) -> CodecError {
        let text = String(cString: ccopia_jpeg_reader_message(handle))
        switch Int(status) {
        case Int(CCOPIA_JPEG_TRUNCATED): return CodecError(.truncated, format: .jpeg, message: text)
        case Int(CCOPIA_JPEG_UNSUPPORTED): return CodecError(.unsupported, format: .jpeg, message: text)
        case Int(CCOPIA_JPEG_NO_MEMORY): return CodecError(.outOfMemory, format: .jpeg, message: text)
        default: return CodecError(.corrupt, format: .jpeg, message: text)
        }
    }
}
