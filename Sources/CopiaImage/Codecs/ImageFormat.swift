/// An image file format Copia reads and writes.
public enum ImageFormat: String, Codable, Sendable, CaseIterable {
    /// Portable Network Graphics: lossless, 8 or 16 bits, optional alpha.
    case png
    /// JPEG (JFIF/Exif): lossy, 8-bit gray or colour.
    case jpeg

    /// The format whose signature starts `bytes`, or nil. Decided by content, never by file name: the 8-byte PNG
    /// signature (PNG spec 5.2) or a JPEG SOI marker followed by another marker (`FF D8 FF`, ITU T.81 B.1.1.3).
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        if bytes.count >= pngSignature.count, zip(bytes, pngSignature).allSatisfy({ $0 == $1 }) { return .png }
        if bytes.count >= jpegSignature.count, zip(bytes, jpegSignature).allSatisfy({ $0 == $1 }) { return .jpeg }
        return nil
    }

    /// The format whose signature starts `bytes`, or nil. See `sniff(_:)`.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        bytes.withUnsafeBytes { sniff($0) }
    }

    /// The format `bytes` would be if they were not cut short: nil unless `bytes` is a non-empty, proper prefix of
    /// a signature. Lets a decoder call a 4-byte PNG "truncated" rather than "not an image".
    static func signaturePrefix(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        guard !bytes.isEmpty else { return nil }
        for (format, signature) in [(ImageFormat.png, pngSignature), (.jpeg, jpegSignature)]
        where bytes.count < signature.count && zip(bytes, signature).allSatisfy({ $0 == $1 }) {
            return format
        }
        return nil
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegSignature: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// The usual file extension, without the dot: `png` or `jpg`.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        }
    }

    /// The format a file extension names (`png`, `jpg`, `jpeg`, `jpe`; any case, with or without the dot), or nil.
    /// For choosing an output format; input files are recognised by `sniff(_:)`.
    public init?(fileExtension: String) {
        var ext = fileExtension.lowercased()
        if ext.hasPrefix(".") { ext.removeFirst() }
        switch ext {
        case "png": self = .png
        case "jpg", "jpeg", "jpe": self = .jpeg
        default: return nil
        }
    }

    /// The name people write: `PNG`, `JPEG`.
    public var displayName: String {
        switch self {
        case .png: "PNG"
        case .jpeg: "JPEG"
        }
    }
}
