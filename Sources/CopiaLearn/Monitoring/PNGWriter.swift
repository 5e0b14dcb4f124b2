/// A minimal PNG encoder for TensorBoard image summaries: 8-bit grey, RGB or RGBA, filter "none", and a zlib stream of
/// *stored* (uncompressed) deflate blocks, so it needs no compression library (RFC 1950/1951, PNG specification 1.2).
///
/// Files are larger than compressed PNGs (about the raw pixel size), which is fine for sample grids of a few hundred
/// kilobytes; CopiaImage has the fast, compressing encoder for dataset output.
public enum PNGWriter {
    /// Encodes `pixels` (row-major, `channels` bytes per pixel: 1 grey, 3 RGB, 4 RGBA) as PNG bytes.
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(width > 0 && height > 0, "PNGWriter: empty image \(width)x\(height)")
        precondition([1, 3, 4].contains(channels), "PNGWriter: channels must be 1, 3 or 4, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "PNGWriter: \(width)x\(height)x\(channels) needs \(width * height * channels) bytes, got \(pixels.count)")
        // Scanlines, each preceded by filter type 0.
        var raw: [UInt8] = []
        raw.reserveCapacity((width * channels + 1) * height)
        let stride = width * channels
        for y in 0..<height {
            raw.append(0)
            raw += pixels[(y * stride)..<((y + 1) * stride)]
        }
        // zlib: CMF 0x78 (deflate, 32K window), FLG 0x01 (check bits make 0x7801 divisible by 31), stored blocks.
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            zlib.append(final)  // BFINAL, BTYPE 00
            zlib += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        zlib += bigEndian(Adler32.checksum(raw))

        let colorType: UInt8 = channels == 1 ? 0 : channels == 3 ? 2 : 6
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, colorType, 0, 0, 0], into: &png)
        chunk("IDAT", zlib, into: &png)
        chunk("IEND", [], into: &png)
        return png
    }

    private static func chunk(_ type: String, _ data: [UInt8], into png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        png += typeBytes
        png += data
        png += bigEndian(CRC32.checksum(typeBytes + data))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
