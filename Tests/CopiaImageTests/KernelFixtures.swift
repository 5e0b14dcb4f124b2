import Foundation
import Testing
@testable import CopiaImage

/// Reads the reference images written by `Fixtures/kernels/make_fixtures.py` (OpenCV / albumentations outputs).
enum KernelFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/kernels")

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "kernel fixture \(name).cpix is missing or malformed; run make_fixtures.py" }
    }

    /// Loads `<name>.cpix`: `CPIX w h c bits\n` then raw interleaved samples (little-endian 16-bit).
    static func load(_ name: String) throws -> Image {
        let data = try Data(contentsOf: directory.appendingPathComponent(name + ".cpix"))
        let bytes = [UInt8](data)
        guard let newline = bytes.firstIndex(of: 10),
              let header = String(bytes: bytes[..<newline], encoding: .ascii)?.split(separator: " "),
              header.count == 5, header[0] == "CPIX",
              let w = Int(header[1]), let h = Int(header[2]), let c = Int(header[3]), let bits = Int(header[4])
        else { throw Missing(name: name) }
        let body = Array(bytes[(newline + 1)...])
        if bits == 8 {
            guard body.count == w * h * c else { throw Missing(name: name) }
            return Image(width: w, height: h, channels: c, bytes: body)
        }
        guard body.count == w * h * c * 2 else { throw Missing(name: name) }
        let words = (0..<(w * h * c)).map { UInt16(body[2 * $0]) | UInt16(body[2 * $0 + 1]) << 8 }
        return Image(width: w, height: h, channels: c, words: words)
    }

    static var input: Image { get throws { try load("input") } }
    static var input16: Image { get throws { try load("input16") } }

    /// The largest absolute sample difference, and how many samples differ at all.
    static func difference(_ a: Image, _ b: Image) -> (max: Int, count: Int) {
        precondition(a.info == b.info, "shapes differ: \(a.info) vs \(b.info)")
        var worst = 0, count = 0
        for i in 0..<a.info.sampleCount {
            let d = a.depth == .uint8 ? abs(Int(a.bytes[i]) - Int(b.bytes[i])) : abs(Int(a.words[i]) - Int(b.words[i]))
            worst = max(worst, d)
            if d != 0 { count += 1 }
        }
        return (worst, count)
    }
}

/// Small deterministic images for hand-computed cases.
enum TestImages {
    /// A `width` x `height` image whose samples follow `value(x, y, c)`.
    static func make(width: Int, height: Int, channels: Int = 1, depth: PixelDepth = .uint8,
                     _ value: (Int, Int, Int) -> Int) -> Image {
        var samples: [Int] = []
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { samples.append(value(x, y, c)) } } }
        switch depth {
        case .uint8: return Image(width: width, height: height, channels: channels, bytes: samples.map { UInt8(clamping: $0) })
        case .uint16: return Image(width: width, height: height, channels: channels, words: samples.map { UInt16(clamping: $0) })
        }
    }

    /// A gradient-plus-texture RGB image, 8-bit or 16-bit.
    static func pattern(width: Int = 23, height: Int = 17, channels: Int = 3, depth: PixelDepth = .uint8) -> Image {
        let m = depth.maxValue
        return make(width: width, height: height, channels: channels, depth: depth) { x, y, c in
            (x * 37 + y * 11 + c * 71 + (x * y) % 13 * 9) * m / 600 % (m + 1)
        }
    }
}
