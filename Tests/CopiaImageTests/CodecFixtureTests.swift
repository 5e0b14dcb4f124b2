import CopiaImage
import Testing

@Suite("Codec fixtures")
struct CodecFixtureTests {
    static let pngFixtures = [
        "gray1.png", "gray2.png", "gray4.png", "gray8.png", "graya8.png", "rgb8.png", "rgba8.png",
        "gray16.png", "graya16.png", "rgb16.png", "rgba16.png",
        "palette8.png", "palette4_trns.png", "gray8_trns.png", "rgb8_trns.png", "rgb16_trns.png",
        "interlaced_rgb8.png", "interlaced_gray1.png", "interlaced_rgba16.png", "interlaced_palette_tiny.png",
    ]

    @Test("PNG fixtures decode to exactly the expected samples", arguments: pngFixtures)
    func pngFixtureDecodesExactly(name: String) throws {
        let expected = try #require(CodecFixtures.expected[name], "expected.json has no \(name)")
        let image = try ImageDecoder().decode(CodecFixtures.bytes(name))
        #expect(image.width == expected.width)
        #expect(image.height == expected.height)
        #expect(image.channels == expected.channels)
        #expect(image.depth == (expected.depth == 16 ? .uint16 : .uint8))
        let samples = image.depth == .uint8 ? image.bytes.map(Int.init) : image.words.map(Int.init)
        #expect(samples == expected.samples)
    }

    @Test("PNG headers report the file's layout and the decoded shape", arguments: pngFixtures)
    func pngHeaderMatchesDecodedShape(name: String) throws {
        let decoder = ImageDecoder()
        let bytes = try CodecFixtures.bytes(name)
        let header = try decoder.readHeader(bytes)
        #expect(header.format == .png)
        #expect(header.info == (try decoder.decode(bytes)).info)
        #expect(header.isInterlaced == name.hasPrefix("interlaced"))
        #expect(try decoder.readInfo(bytes) == header.info)
    }

    @Test func lowBitDepthsAreReportedFromTheFile() throws {
        let decoder = ImageDecoder()
        #expect(try decoder.readHeader(CodecFixtures.bytes("gray2.png")).fileBitDepth == 2)
        #expect(try decoder.readHeader(CodecFixtures.bytes("palette4_trns.png")).fileBitDepth == 4)
        #expect(try decoder.readHeader(CodecFixtures.bytes("rgb16.png")).fileBitDepth == 16)
    }

    @Test("JPEG fixtures decode like Pillow's libjpeg-turbo", arguments: [
        ("baseline420.jpg", 3, false), ("baseline444.jpg", 3, false), ("progressive.jpg", 3, true), ("gray.jpg", 1, false),
    ])
    func jpegFixtureMatchesPillow(name: String, channels: Int, progressive: Bool) throws {
        let decoder = ImageDecoder()
        let bytes = try CodecFixtures.bytes(name)
        let header = try decoder.readHeader(bytes)
        #expect(header == ImageHeader(format: .jpeg, info: ImageInfo(width: 32, height: 24, channels: channels),
                                      fileBitDepth: 8, isInterlaced: progressive))
        let image = try decoder.decode(bytes)
        let reference = try decoder.decode(CodecFixtures.bytes(name + ".decoded.png"))
        #expect(image.info == reference.info)
        #expect(CodecFixtures.maxAbsoluteDifference(image, reference) <= 1)
    }

    @Test func decodingIntoAReusedImageKeepsItsBuffer() throws {
        let decoder = ImageDecoder()
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        try decoder.decode(CodecFixtures.bytes("baseline420.jpg"), into: &image)
        let first = image.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        try decoder.decode(CodecFixtures.bytes("progressive.jpg"), into: &image)
        let second = image.bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        #expect(first == second)
        // Images of other sizes reuse capacity as far as Image.reshape(to:) does (in debug builds its private
        // instance-method resize copies the buffer on a size change; optimised builds keep it).
    }

    @Test func decodingDifferentShapesInSequenceIsCorrect() throws {
        let decoder = ImageDecoder()
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        let sequence = ["rgb16.png", "gray1.png", "baseline420.jpg", "rgba8.png", "interlaced_rgba16.png", "gray.jpg",
                        "palette4_trns.png", "rgb16.png"]
        for name in sequence {
            let bytes = try CodecFixtures.bytes(name)
            try decoder.decode(bytes, into: &image)
            #expect(image == (try ImageDecoder().decode(bytes)), "\(name)")
        }
    }

    @Test func decodeFileReadsFromDisk() throws {
        let decoder = ImageDecoder()
        let image = try decoder.decodeFile(atPath: CodecFixtures.path("rgb8.png"))
        #expect(image == (try decoder.decode(CodecFixtures.bytes("rgb8.png"))))
        let header = try decoder.readHeaderFile(atPath: CodecFixtures.path("progressive.jpg"))
        #expect(header.format == .jpeg && header.isInterlaced)
    }

    @Test func formatsAreSniffedFromContentNotExtension() throws {
        #expect(ImageFormat.sniff(try CodecFixtures.bytes("rgb8.png")) == .png)
        #expect(ImageFormat.sniff(try CodecFixtures.bytes("gray.jpg")) == .jpeg)
        #expect(ImageFormat.sniff(Array("hello, world".utf8)) == nil)
        #expect(ImageFormat.sniff([]) == nil)
        #expect(ImageFormat.sniff([0xFF, 0xD8]) == nil)
        // A PNG named .jpg still decodes as PNG.
        let path = try CodecFixtures.temporaryFile(named: "actually-png.jpg", contents: CodecFixtures.bytes("rgb8.png"))
        #expect(try ImageDecoder().readHeaderFile(atPath: path).format == .png)
        #expect(ImageFormat(fileExtension: ".JPEG") == .jpeg)
        #expect(ImageFormat(fileExtension: "png") == .png)
        #expect(ImageFormat(fileExtension: "gif") == nil)
        #expect(ImageFormat.jpeg.fileExtension == "jpg")
    }
}
