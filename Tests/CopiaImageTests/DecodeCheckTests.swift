import CopiaCore
import CopiaImage
import Testing

/// `ImageDecoder.check`, the input check's cheaper decode: it must refuse exactly the files `decode` refuses.
@Suite struct DecodeCheckTests {
    static let jpegs = ["baseline420.jpg", "baseline444.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg"]

    /// Whether decoding fails, and the error kind when it does.
    static func outcomes(_ bytes: [UInt8]) -> (decode: CodecError.Kind?, check: CodecError.Kind?, sameShape: Bool) {
        let decoder = ImageDecoder()
        var scratch = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        var decoded: Image?, checked: ImageInfo?
        var d: CodecError.Kind?, c: CodecError.Kind?
        do { decoded = try decoder.decode(bytes) } catch { d = error.kind }
        do { checked = try decoder.check(bytes, scratch: &scratch).info } catch { c = error.kind }
        return (d, c, decoded?.info == checked)
    }

    @Test(arguments: jpegs)
    func everyTruncationFailsBothOrNeither(name: String) throws {
        let bytes = try FileIO.read(CodecFixtures.path(name))
        let whole = Self.outcomes(bytes)
        #expect(whole.decode == whole.check && whole.sameShape, "\(name): \(whole)")
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            let o = Self.outcomes(Array(bytes[0..<cut]))
            #expect(o.decode != nil && o.decode == o.check, "\(name) cut at \(cut): decode \(String(describing: o.decode)), check \(String(describing: o.check))")
        }
    }

    @Test(arguments: jpegs)
    func flippedBytesFailBothOrNeither(name: String) throws {
        let bytes = try FileIO.read(CodecFixtures.path(name))
        var rng = CounterRandom(seed: 5, stage: "check", sample: name)
        for _ in 0..<300 {
            var damaged = bytes
            let at = 2 + rng.int(below: bytes.count - 2)
            damaged[at] ^= UInt8(1 + rng.int(below: 255))
            let o = Self.outcomes(damaged)
            #expect(o.decode == o.check, "\(name) byte \(at): decode \(String(describing: o.decode)), check \(String(describing: o.check))")
            if o.decode == nil { #expect(o.sameShape) }
        }
    }

    @Test func pngCheckDecodesIntoTheScratchImage() throws {
        let bytes = try FileIO.read(CodecFixtures.path("rgb16.png"))
        var scratch = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        let (format, info) = try ImageDecoder().check(bytes, scratch: &scratch)
        let decoded = try ImageDecoder().decode(bytes)
        #expect(format == .png && info == scratch.info && scratch == decoded)
    }
}
