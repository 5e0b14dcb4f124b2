import CCopiaPNG
import CopiaCore
import CopiaImage
import Testing

/// PNG level 1 is Copia's own run-matches-only deflate (`Sources/CCopiaPNG/deflate_rle.c`); libpng's inflate must
/// read back every image exactly, across block boundaries, stored and Huffman blocks, runs and noise.
@Suite struct RunLengthDeflateTests {
    /// Pixels drawn per kind: flat (all runs), noise (no runs: stored blocks win), sparse noise over a flat field,
    /// a skewed distribution (long Huffman codes, so the 15-bit limit is exercised), and a smooth gradient.
    static func image(kind: Int, width: Int, height: Int, channels: Int, seed: UInt64) -> Image {
        var rng = CounterRandom(seed: seed, stage: "png-rle", sample: "\(kind)")
        let n = width * height * channels
        var bytes = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            switch kind {
            case 0: bytes[i] = 200
            case 1: bytes[i] = UInt8(rng.int(below: 256))
            case 2: bytes[i] = rng.chance(0.02) ? UInt8(rng.int(below: 256)) : 17
            case 3:
                var v = 0
                while v < 255 && rng.chance(0.5) { v += 1 }
                bytes[i] = UInt8(v)
            default: bytes[i] = UInt8(truncatingIfNeeded: (i / channels) % width + (i / (width * channels)))
            }
        }
        return Image(width: width, height: height, channels: channels, bytes: bytes)
    }

    @Test(arguments: 0..<5)
    func levelOneRoundTripsEveryKindOfContent(kind: Int) throws {
        let encoder = PNGEncoder(level: 1, filter: .sub), decoder = ImageDecoder()
        // 300x300x3 filters to 270,300 bytes: five 64 KiB blocks and a short last one.
        for (w, h, c) in [(1, 1, 1), (255, 1, 1), (300, 300, 3), (97, 211, 4)] {
            let image = Self.image(kind: kind, width: w, height: h, channels: c, seed: UInt64(w * h))
            let png = try encoder.encode(image)
            #expect(try decoder.decode(png) == image, "kind \(kind) \(w)x\(h)x\(c)")
        }
    }

    @Test func levelOneIsSmallWhereRunsAreLongAndNeverMuchLargerThanStoring() throws {
        let encoder = PNGEncoder(level: 1, filter: .sub)
        let flat = try encoder.encode(Self.image(kind: 0, width: 300, height: 300, channels: 3, seed: 1))
        #expect(flat.count < 2_000, "\(flat.count) bytes for a flat 300x300 RGB image")
        let noise = try encoder.encode(Self.image(kind: 1, width: 300, height: 300, channels: 3, seed: 1))
        let stored = try PNGEncoder(level: 0, filter: .sub).encode(Self.image(kind: 1, width: 300, height: 300, channels: 3, seed: 1))
        #expect(noise.count <= stored.count, "\(noise.count) vs stored \(stored.count)")
    }

    /// Inputs shaped to reach every branch of the run finder and the literal writer: empty and tiny inputs, runs at
    /// the start, the end and across the 32-byte scan window, runs capped at 258, run-only and run-free blocks, and
    /// several 64 KiB blocks.
    static func deflateInputs() -> [[UInt8]] {
        var rng = CounterRandom(seed: 7, stage: "png-rle", sample: "paths")
        var inputs: [[UInt8]] = (0...40).map { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 % 5 < 3 ? 9 : $0) } }
        inputs.append([UInt8](repeating: 0, count: 200_000))
        inputs.append((0..<140_000).map { UInt8(($0 / 300) % 2 * 7) })
        inputs.append((0..<70_000).map { UInt8(truncatingIfNeeded: $0 & 1 == 0 ? 0x55 : 0xaa) })
        inputs.append((0..<150_000).map { _ in UInt8(rng.int(below: 256)) })
        inputs.append((0..<131_071).map { _ in rng.chance(0.7) ? 0 : UInt8(rng.int(below: 4)) })
        var shortRuns: [UInt8] = []
        while shortRuns.count < 100_000 {
            let value = UInt8(rng.int(below: 3)), length = 1 + rng.int(below: 40)
            shortRuns += [UInt8](repeating: value, count: length)
        }
        inputs.append(shortRuns)
        return inputs
    }

    static func compressed(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ccopia_zlib_compress_rle_bound(input.count))
        let size = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { ccopia_zlib_compress_rle(source.baseAddress, source.count, $0.baseAddress, $0.count) }
        }
        return Array(output.prefix(size))
    }

    /// The BMI2 writer, the baseline writer and the portable run finder must agree byte for byte, or a PNG would
    /// depend on the machine that wrote it.
    @Test func everyPathWritesTheSameBytes() throws {
        for (index, input) in Self.deflateInputs().enumerated() {
            let fastest = Self.compressed(input)
            #expect(!fastest.isEmpty, "input \(index), \(input.count) bytes")
            for path in [1, 2] {
                ccopia_zlib_rle_force_path(Int32(path))
                defer { ccopia_zlib_rle_force_path(0) }
                #expect(Self.compressed(input) == fastest, "input \(index), \(input.count) bytes, path \(path)")
            }
        }
    }
}
