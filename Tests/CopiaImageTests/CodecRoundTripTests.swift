import CopiaImage
import Testing

@Suite("Codec round trips")
struct CodecRoundTripTests {
    static let shapes: [(width: Int, height: Int)] = [(1, 1), (17, 9), (64, 3)]

    @Test("PNG round trip is exact for 8/16-bit and 1-4 channels", arguments: PNGFilter.allCases)
    func pngRoundTripIsExact(filter: PNGFilter) throws {
        let encoder = PNGEncoder(level: 1, filter: filter)
        let decoder = ImageDecoder()
        for depth in PixelDepth.allCases {
            for channels in 1...4 {
                for shape in Self.shapes {
                    let image = CodecFixtures.testImage(width: shape.width, height: shape.height, channels: channels, depth: depth)
                    let png = try encoder.encode(image)
                    #expect(ImageFormat.sniff(png) == .png)
                    let back = try decoder.decode(png)
                    #expect(back == image, "\(filter) \(depth) \(channels)ch \(shape)")
                }
            }
        }
    }

    @Test("PNG round trip is exact at every libdeflate level", arguments: [0, 1, 6, 9, 12])
    func pngRoundTripAtLevel(level: Int) throws {
        let image = CodecFixtures.testImage(width: 33, height: 21, channels: 3, depth: .uint8)
        let png = try PNGEncoder(level: level).encode(image)
        #expect(try ImageDecoder().decode(png) == image)
    }

    @Test func pngEncodingIsDeterministicAcrossCallsAndInstances() throws {
        let image = CodecFixtures.testImage(width: 40, height: 30, channels: 4, depth: .uint8)
        let first = PNGEncoder(level: 6, filter: .adaptive)
        let a = try first.encode(image)
        let b = try first.encode(CodecFixtures.testImage(width: 5, height: 5, channels: 1, depth: .uint16))
        let c = try first.encode(image)
        let d = try PNGEncoder(level: 6, filter: .adaptive).encode(image)
        #expect(a == c)
        #expect(a == d)
        #expect(a != b)
    }

    @Test func pngEncoderWritesTheExpectedChunksAndHeader() throws {
        let image = CodecFixtures.testImage(width: 300, height: 2, channels: 2, depth: .uint16)
        let png = try PNGEncoder().encode(image)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(Array(png[16..<24]) == [0, 0, 1, 44, 0, 0, 0, 2]) // 300 x 2, big-endian
        #expect(png[24] == 16 && png[25] == 4) // 16-bit gray+alpha
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
        let header = try ImageDecoder().readHeader(png)
        #expect(header == ImageHeader(format: .png, info: image.info, fileBitDepth: 16, isInterlaced: false))
    }

    @Test func pngWiderThanLibpngsDefaultLimitDecodes() throws {
        // libpng refuses widths over 1,000,000 unless told otherwise; Copia limits pixel counts instead.
        let image = Image(width: 1_200_000, height: 2, channels: 1, bytes: (0..<2_400_000).map { UInt8(truncatingIfNeeded: $0 / 7) })
        let png = try PNGEncoder().encode(image)
        #expect(try ImageDecoder().decode(png) == image)
    }

    @Test func sixteenBitSamplesAreStoredBigEndian() throws {
        let image = Image(width: 1, height: 1, channels: 1, words: [0x1234])
        let png = try PNGEncoder(level: 0, filter: .none).encode(image)
        // Level 0 stores the filtered scanline uncompressed: filter byte 0 then 0x12 0x34.
        let scanline: [UInt8] = [0, 0x12, 0x34]
        let found = (0...(png.count - 3)).contains { Array(png[$0..<($0 + 3)]) == scanline }
        #expect(found)
        #expect(try ImageDecoder().decode(png).words == [0x1234])
    }

    @Test("JPEG round trip at quality 100 4:4:4 is close", arguments: [1, 3])
    func jpegRoundTripIsClose(channels: Int) throws {
        let image = CodecFixtures.testImage(width: 48, height: 40, channels: channels, depth: .uint8, noise: 8)
        let jpeg = try JPEGEncoder(quality: 100, subsampling: .s444).encode(image)
        #expect(ImageFormat.sniff(jpeg) == .jpeg)
        let back = try ImageDecoder().decode(jpeg)
        #expect(back.info == image.info)
        #expect(CodecFixtures.maxAbsoluteDifference(back, image) <= 4)
    }

    @Test func jpegQualityAndSubsamplingChangeTheFile() throws {
        let image = CodecFixtures.testImage(width: 64, height: 64, channels: 3, depth: .uint8)
        let high = try JPEGEncoder(quality: 95).encode(image)
        let low = try JPEGEncoder(quality: 30).encode(image)
        let full = try JPEGEncoder(quality: 95, subsampling: .s444).encode(image)
        #expect(low.count < high.count)
        #expect(high.count < full.count)
        #expect(try JPEGEncoder(quality: 95).encode(image) == high)
        let optimized = try JPEGEncoder(quality: 95, optimizeCoding: true).encode(image)
        #expect(optimized.count < high.count)
        #expect(try ImageDecoder().decode(optimized) == ImageDecoder().decode(high))
    }

    @Test func jpegEncoderReusesItselfAcrossSizes() throws {
        let encoder = JPEGEncoder(quality: 90)
        let decoder = ImageDecoder()
        for (width, height, channels) in [(8, 8, 3), (300, 200, 3), (7, 5, 1), (1, 1, 3), (640, 480, 3)] {
            let image = CodecFixtures.testImage(width: width, height: height, channels: channels, depth: .uint8, noise: 120)
            let back = try decoder.decode(encoder.encode(image))
            #expect(back.info == image.info)
        }
    }

    @Test func imageEncoderDispatchesOnFormat() throws {
        let image = CodecFixtures.testImage(width: 16, height: 16, channels: 3, depth: .uint8)
        let encoder = ImageEncoder()
        for format in ImageFormat.allCases {
            let bytes = try encoder.encode(image, as: format)
            #expect(ImageFormat.sniff(bytes) == format)
        }
    }
}
