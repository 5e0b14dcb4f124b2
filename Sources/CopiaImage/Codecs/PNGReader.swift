import CCopiaPNG

/// Decodes PNG through libpng's full API (via the CCopiaPNG shim, which turns libpng's longjmp errors into status
/// codes). Every PNG colour type and bit depth comes out as 1-4 channels: palettes expand to RGB, or RGBA when the
/// file has tRNS; gray below 8 bits scales to 8 bits; tRNS on gray or RGB becomes an alpha channel; Adam7
/// interlacing is undone. Files of 16 bits decode to 16-bit samples with their exact values (no gamma or
/// linear-light conversion); all others to 8-bit.
///
/// One per thread: it owns a libpng reader and is not safe to share.
final class PNGReader {
    private let handle: OpaquePointer

    init() throws(CodecError) {
        guard let handle = ccopia_png_reader_create() else {
            throw CodecError(.outOfMemory, format: .png, message: "cannot create a PNG reader")
        }
        self.handle = handle
    }

    deinit { ccopia_png_reader_destroy(handle) }

    /// Reads the header of the PNG in `bytes`, leaving the reader ready for `readPixels`.
    func readHeader(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> ImageHeader {
        var header = ccopia_png_header()
        let status = ccopia_png_read_header(handle, bytes.baseAddress, bytes.count, &header)
        guard status == 0 else { throw error(status) }
        return ImageHeader(
            format: .png,
            info: ImageInfo(width: Int(header.width), height: Int(header.height), channels: Int(header.channels),
                            depth: header.bit_depth == 16 ? .uint16 : .uint8),
            fileBitDepth: Int(header.file_bit_depth),
            isInterlaced: header.interlaced != 0)
    }

    /// Decodes the pixels of the image whose header was just read into `image`, which must already have the
    /// header's shape. The bytes given to `readHeader` must still be alive.
    func readPixels(into image: inout Image) throws(CodecError) {
        let stride = image.width * image.channels * image.depth.bytesPerSample
        let status: Int32
        switch image.depth {
        case .uint8:
            status = image.bytes.withUnsafeMutableBytes { ccopia_png_read_pixels(handle, $0.baseAddress, stride) }
        case .uint16:
            status = image.words.withUnsafeMutableBytes { ccopia_png_read_pixels(handle, $0.baseAddress, stride) }
        }
        guard status == 0 else { throw error(status) }
    }

    /// Releases libpng's memory after a header-only read.
    func reset() { ccopia_png_reader_reset(handle) }

    private func error(_ status: Int32) -> CodecError {
        let text = String(cString: ccopia_png_reader_message(handle))
        switch Int(status) {
        case Int(CCOPIA_PNG_TRUNCATED): return CodecError(.truncated, format: .png, message: text)
        case Int(CCOPIA_PNG_UNSUPPORTED): return CodecError(.unsupported, format: .png, message: text)
        case Int(CCOPIA_PNG_NO_MEMORY): return CodecError(.outOfMemory, format: .png, message: text)
        default: return CodecError(.corrupt, format: .png, message: text)
        }
    }
}
