import CCopiaJPEG

/// How a ``JPEGEncoder`` samples the two chroma channels of an RGB image.
public enum ChromaSubsampling: String, Codable, Sendable, CaseIterable {
    /// Full-resolution chroma: larger files, no colour bleeding at sharp edges.
    case s444 = "4:4:4"
    /// Chroma at half resolution both ways: libjpeg's, Pillow's and OpenCV's default.
    case s420 = "4:2:0"
}

/// Encodes 8-bit gray or RGB images as baseline JPEG through libjpeg-turbo (jpeg_mem_dest into a buffer the encoder
/// reuses; accurate integer DCT).
///
/// JPEG has no alpha channel and Copia's codec writes 8-bit samples only, so RGBA, gray+alpha and 16-bit images are
/// refused with `.unsupported`: the caller decides whether to drop alpha, composite, or write PNG instead.
///
/// Not thread-safe: use one encoder per thread.
public final class JPEGEncoder {
    /// libjpeg quality, 1 (smallest) to 100 (best), scaling the standard quantisation tables.
    public let quality: Int
    /// Chroma subsampling for RGB images (ignored for gray).
    public let subsampling: ChromaSubsampling
    /// Whether to compute optimal Huffman tables: a few percent smaller, noticeably slower.
    public let optimizeCoding: Bool
    /// The qualities libjpeg accepts.
    public static let qualities: ClosedRange<Int> = 1...100

    private var writer: OpaquePointer?

    /// An encoder at `quality` (1...100) with `subsampling`.
    public init(quality: Int = 95, subsampling: ChromaSubsampling = .s420, optimizeCoding: Bool = false) {
        precondition(Self.qualities.contains(quality), "JPEG quality must be in 1...100, got \(quality)")
        self.quality = quality
        self.subsampling = subsampling
        self.optimizeCoding = optimizeCoding
    }

    deinit { if let writer { ccopia_jpeg_writer_destroy(writer) } }

    /// The JPEG file for `image`.
    ///
    /// - Throws: ``CodecError`` of kind `.unsupported` for alpha, 16-bit, empty images or sides over 65500 pixels,
    ///   `.outOfMemory` when buffers cannot be allocated.
    public func encode(_ image: Image) throws(CodecError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(image, into: &output)
        return output
    }

    /// Writes the JPEG file for `image` into `output`, replacing its contents and reusing its capacity.
    public func encode(_ image: Image, into output: inout [UInt8]) throws(CodecError) {
        guard image.depth == .uint8 else {
            throw CodecError(.unsupported, format: .jpeg,
                             message: "JPEG encoding takes 8-bit images; convert this 16-bit image first")
        }
        guard !image.info.hasAlpha else {
            throw CodecError(.unsupported, format: .jpeg,
                             message: "JPEG cannot store alpha; drop or composite the alpha channel, or write PNG")
        }
        let writer = try makeWriter()
        var data: UnsafePointer<UInt8>?
        var size = 0
        let status = image.bytes.withUnsafeBytes {
            ccopia_jpeg_write(writer, $0.baseAddress, UInt32(clamping: image.width), UInt32(clamping: image.height),
                              Int32(image.channels), image.width * image.channels, Int32(quality),
                              subsampling == .s444 ? 444 : 420, optimizeCoding ? 1 : 0, &data, &size)
        }
        guard status == 0, let data else {
            let text = String(cString: ccopia_jpeg_writer_message(writer))
            switch Int(status) {
            case Int(CCOPIA_JPEG_NO_MEMORY): throw CodecError(.outOfMemory, format: .jpeg, message: text)
            case Int(CCOPIA_JPEG_UNSUPPORTED): throw CodecError(.unsupported, format: .jpeg, message: text)
            default: throw CodecError(.encodeFailed, format: .jpeg, message: text)
            }
        }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: UnsafeBufferPointer(start: data, count: size))
    }

    private func makeWriter() throws(CodecError) -> OpaquePointer {
        if let writer { return writer }
        guard let created = ccopia_jpeg_writer_create() else {
            throw CodecError(.outOfMemory, format: .jpeg, message: "cannot create a libjpeg compressor")
        }
        writer = created
        return created
    }
}
