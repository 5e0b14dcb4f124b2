import CopiaImage
import Testing

@Suite("Codec errors")
struct CodecErrorTests {
    /// Decodes the file at `path` and returns the error it must throw.
    func decodeError(atPath path: String, limits: DecodeLimits = DecodeLimits()) -> CodecError? {
        var image = Image(info: ImageInfo(width: 2, height: 2, channels: 1))
        do {
            try ImageDecoder(limits: limits).decodeFile(atPath: path, into: &image)
            return nil
        } catch {
            return error
        }
    }

    func decodeError(_ bytes: [UInt8]) -> CodecError? {
        do {
            _ = try ImageDecoder().decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func truncatedPNGIsTruncatedAndNamesTheFile() throws {
        let bytes = try CodecFixtures.bytes("rgb16.png")
        let path = try CodecFixtures.temporaryFile(named: "cut.png", contents: Array(bytes.prefix(bytes.count / 2)))
        let error = try #require(decodeError(atPath: path))
        #expect(error.kind == .truncated)
        #expect(error.format == .png)
        #expect(error.path == path)
        #expect(error.description.hasPrefix("\(path): truncated PNG (libpng: "))
    }

    @Test func pngMissingItsIENDIsTruncated() throws {
        let bytes = try CodecFixtures.bytes("rgb8.png")
        let error = try #require(decodeError(Array(bytes.dropLast(12))))
        #expect(error.kind == .truncated)
    }

    @Test("JPEG cut inside its scan data is an error, not grey fill",
          arguments: ["baseline420.jpg", "progressive.jpg", "gray.jpg"])
    func truncatedJPEGIsAnError(name: String) throws {
        let bytes = try CodecFixtures.bytes(name)
        let scan = try #require(CodecFixtures.startOfScan(bytes))
        let cut = Array(bytes.prefix(scan + (bytes.count - scan) / 2))
        let path = try CodecFixtures.temporaryFile(named: "cut-" + name, contents: cut)
        let error = try #require(decodeError(atPath: path))
        #expect(error.kind == .truncated)
        #expect(error.format == .jpeg)
        #expect(error.description.hasPrefix("\(path): truncated JPEG (libjpeg-turbo: "))
    }

    @Test func jpegMissingItsEOIIsAnError() throws {
        let bytes = try CodecFixtures.bytes("baseline420.jpg")
        #expect(decodeError(Array(bytes.dropLast(2)))?.kind == .truncated)
    }

    @Test func zeroByteFileIsEmpty() throws {
        let path = try CodecFixtures.temporaryFile(named: "zero.png", contents: [])
        let error = try #require(decodeError(atPath: path))
        #expect(error == CodecError(.empty, path: path))
        #expect(error.description == "\(path): empty file (0 bytes), not an image")
    }

    @Test func textFileIsUnknownFormat() throws {
        let path = try CodecFixtures.temporaryFile(named: "notes.png", contents: Array("Hello, PNG!\n".utf8))
        let error = try #require(decodeError(atPath: path))
        #expect(error.kind == .unknownFormat)
        #expect(error.description == "\(path): not a PNG or JPEG file (starts with 48 65 6C 6C 6F 2C 20 50)")
    }

    @Test func partialSignatureIsTruncated() {
        #expect(decodeError([0x89, 0x50, 0x4E, 0x47]) == CodecError(.truncated, format: .png,
                                                                  message: "the file ends inside the PNG signature"))
        #expect(decodeError([0xFF, 0xD8])?.kind == .truncated)
    }

    @Test func headerClaimingTenGigapixelsIsRefusedBeforeAllocating() throws {
        let path = CodecFixtures.path("bomb_100000x100000.png")
        var image = Image(width: 2, height: 1, channels: 1, bytes: [7, 9])
        let decoder = ImageDecoder()
        #expect(throws: CodecError(.tooLarge(width: 100000, height: 100000, limit: 100_000_000), format: .png, path: path)) {
            try decoder.decodeFile(atPath: path, into: &image)
        }
        // The image was never reshaped: the limit fired before any pixel buffer was sized.
        #expect(image == Image(width: 2, height: 1, channels: 1, bytes: [7, 9]))
        let error = try #require(decodeError(atPath: path))
        #expect(error.description == "\(path): image is 100000x100000 = 10000000000 pixels, over the limit of 100000000 (DecodeLimits.maxPixels)")
        // The header alone is still readable, and the decoder stays usable.
        #expect(try decoder.readInfo(CodecFixtures.bytes("bomb_100000x100000.png")) == ImageInfo(width: 100000, height: 100000, channels: 3))
        #expect(try decoder.decode(CodecFixtures.bytes("rgb8.png")).width == 13)
    }

    @Test func decodeLimitsApplyToJPEGToo() throws {
        let small = DecodeLimits(maxPixels: 32 * 24 - 1)
        let error = try #require(decodeError(atPath: CodecFixtures.path("gray.jpg"), limits: small))
        #expect(error.kind == .tooLarge(width: 32, height: 24, limit: 767))
        #expect(decodeError(atPath: CodecFixtures.path("gray.jpg"), limits: DecodeLimits(maxPixels: 32 * 24)) == nil)
    }

    @Test func badIDATCRCIsCorrupt() throws {
        var bytes = try CodecFixtures.bytes("rgb8.png")
        bytes[bytes.count - 13] ^= 0xFF // last byte of the IDAT CRC, just before IEND's 12 bytes
        let path = try CodecFixtures.temporaryFile(named: "badcrc.png", contents: bytes)
        let error = try #require(decodeError(atPath: path))
        #expect(error.kind == .corrupt)
        #expect(error.message.contains("CRC"))
        #expect(error.description.hasPrefix("\(path): corrupt PNG (libpng: "))
    }

    @Test func badIHDRCRCIsCorrupt() throws {
        var bytes = try CodecFixtures.bytes("rgb8.png")
        bytes[29] ^= 0x01 // first byte of the IHDR CRC
        #expect(decodeError(bytes)?.kind == .corrupt)
        #expect(throws: CodecError.self) { try ImageDecoder().readHeader(bytes) }
    }

    @Test func damagedJPEGScanDataIsAnError() throws {
        var bytes = try CodecFixtures.bytes("baseline420.jpg")
        let scan = try #require(CodecFixtures.startOfScan(bytes))
        for i in stride(from: scan + 20, to: bytes.count - 40, by: 7) { bytes[i] = 0xFF }
        let error = try #require(decodeError(bytes))
        #expect(error.kind == .corrupt || error.kind == .truncated)
        #expect(error.format == .jpeg)
    }

    @Test func cmykJPEGIsUnsupported() throws {
        let error = try #require(decodeError(atPath: CodecFixtures.path("cmyk.jpg")))
        #expect(error.kind == .unsupported)
        #expect(error.message.contains("CMYK"))
    }

    @Test func missingFileIsUnreadable() throws {
        let path = "/nonexistent/copia/missing.png"
        let error = try #require(decodeError(atPath: path))
        #expect(error.kind == .unreadable)
        #expect(error.description.hasPrefix("\(path): cannot read the file"))
    }

    @Test("Every truncation of a fixture throws; none aborts",
          arguments: ["rgb8.png", "interlaced_rgba16.png", "palette4_trns.png", "baseline420.jpg", "progressive.jpg"])
    func everyPrefixThrows(name: String) throws {
        let bytes = try CodecFixtures.bytes(name)
        let decoder = ImageDecoder()
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        for length in 0..<bytes.count {
            #expect(throws: CodecError.self, "\(name) cut to \(length) bytes") {
                try decoder.decode(Array(bytes.prefix(length)), into: &image)
            }
        }
        try decoder.decode(bytes, into: &image)
        #expect(image == (try ImageDecoder().decode(bytes)))
    }

    @Test("Flipped bytes never abort the process", arguments: ["rgb8.png", "interlaced_rgb8.png", "baseline420.jpg", "progressive.jpg"])
    func corruptedBytesNeverAbort(name: String) throws {
        let original = try CodecFixtures.bytes(name)
        let decoder = ImageDecoder()
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        var state: UInt64 = 12345
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let index = Int(state >> 33) % bytes.count
                bytes[index] ^= UInt8(truncatingIfNeeded: state >> 20) | 1
            }
            _ = try? decoder.decode(bytes, into: &image) // may decode or throw; must not crash
        }
        try decoder.decode(original, into: &image)
        #expect(image == (try ImageDecoder().decode(original)))
    }

    @Test func jpegEncoderRefusesAlphaAnd16Bit() {
        let encoder = JPEGEncoder()
        #expect(throws: CodecError.self) { try encoder.encode(Image(info: ImageInfo(width: 4, height: 4, channels: 4))) }
        #expect(throws: CodecError.self) { try encoder.encode(Image(info: ImageInfo(width: 4, height: 4, channels: 2))) }
        #expect(throws: CodecError.self) { try encoder.encode(Image(info: ImageInfo(width: 4, height: 4, channels: 3, depth: .uint16))) }
        do {
            _ = try encoder.encode(Image(info: ImageInfo(width: 4, height: 4, channels: 4)))
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.description.hasPrefix("unsupported JPEG (JPEG cannot store alpha"))
        }
        #expect(throws: CodecError.self) { try encoder.encode(Image(info: ImageInfo(width: 70000, height: 1, channels: 1))) }
    }

    @Test func emptyImagesCannotBeEncoded() {
        let empty = Image(info: ImageInfo(width: 0, height: 3, channels: 3))
        #expect(throws: CodecError.self) { try PNGEncoder().encode(empty) }
        #expect(throws: CodecError.self) { try JPEGEncoder().encode(empty) }
    }

    @Test func atNamesTheFile() {
        let error = CodecError(.corrupt, format: .png, message: "libpng: IDAT: CRC error").at("SampleData/x/3/a.png")
        #expect(error.description == "SampleData/x/3/a.png: corrupt PNG (libpng: IDAT: CRC error)")
    }
}
