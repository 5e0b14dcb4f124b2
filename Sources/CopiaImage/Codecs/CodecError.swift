/// A failure to read or write an image file: what went wrong, in which format, the codec library's own words, and
/// (once the caller knows it) the file.
///
/// ```
/// SampleData/x/3/a.png: truncated PNG (libpng: unexpected end of data)
/// big.png: image is 100000x100000 = 10000000000 pixels, over the limit of 100000000 (DecodeLimits.maxPixels)
/// ```
///
/// Decoders that read from memory do not know the path; `ImageDecoder.decodeFile(atPath:into:)` and callers that
/// read the bytes themselves attach it with ``at(_:)``.
public struct CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Equatable, Sendable {
        /// The input has no bytes.
        case empty
        /// The bytes start with neither the PNG signature nor a JPEG SOI marker.
        case unknownFormat
        /// The data ends before the image does.
        case truncated
        /// The codec rejected the data: bad CRC, bad compressed stream, impossible header, damaged JPEG data.
        case corrupt
        /// The header announces more pixels than ``DecodeLimits/maxPixels``; refused before allocating pixel memory.
        case tooLarge(width: Int, height: Int, limit: Int)
        /// A valid file or image this codec does not handle (CMYK JPEG, RGBA or 16-bit to JPEG, an empty image).
        case unsupported
        /// Memory allocation failed inside the codec.
        case outOfMemory
        /// The file could not be read (missing, unreadable, a directory).
        case unreadable
        /// The encoder failed for a reason other than the above.
        case encodeFailed
    }

    /// What went wrong.
    public var kind: Kind
    /// The format being read or written, when known.
    public var format: ImageFormat?
    /// The detail: the codec library's message prefixed by its name (`"libpng: CRC error"`), or Copia's own.
    public var message: String
    /// The file the bytes came from, when known.
    public var path: String?

    /// An error of `kind`, optionally naming the format, the detail and the file.
    public init(_ kind: Kind, format: ImageFormat? = nil, message: String = "", path: String? = nil) {
        self.kind = kind
        self.format = format
        self.message = message
        self.path = path
    }

    /// The same error, naming `path` as the file it came from.
    public func at(_ path: String) -> CodecError {
        var copy = self
        copy.path = path
        return copy
    }

    /// One line naming the file (when known), what went wrong and the codec's message:
    /// `"a.png: corrupt PNG (libpng: IDAT: CRC error)"`.
    public var description: String {
        let name = format?.displayName ?? "image"
        let summary: String
        switch kind {
        case .empty: summary = "empty file (0 bytes), not an image"
        case .unknownFormat: summary = "not a PNG or JPEG file"
        case .truncated: summary = "truncated \(name)"
        case .corrupt: summary = "corrupt \(name)"
        case let .tooLarge(width, height, limit):
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            let count = overflow ? "more than \(Int.max)" : "\(pixels)"
            summary = "image is \(width)x\(height) = \(count) pixels, over the limit of \(limit) (DecodeLimits.maxPixels)"
        case .unsupported: summary = "unsupported \(name)"
        case .outOfMemory: summary = "out of memory in the \(name) codec"
        case .unreadable: summary = "cannot read the file"
        case .encodeFailed: summary = "cannot encode \(name)"
        }
        let detail = message.isEmpty ? "" : " (\(message))"
        let location = path.map { "\($0): " } ?? ""
        return location + summary + detail
    }
}
