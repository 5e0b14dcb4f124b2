import CopiaImage
import Foundation

/// Fixture files and scratch files for the codec tests.
enum CodecFixtures {
    /// Tests/CopiaImageTests/Fixtures/codecs, made by make_fixtures.py there.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/codecs")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// What a decoder must produce for a PNG fixture (expected.json).
    struct Expected: Decodable {
        var width: Int
        var height: Int
        var channels: Int
        var depth: Int
        var samples: [Int]
    }

    static let expected: [String: Expected] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("expected.json")),
              let table = try? JSONDecoder().decode([String: Expected].self, from: data) else { return [:] }
        return table
    }()

    /// Writes `bytes` to a fresh file named `name` in a new temporary directory and returns its path.
    static func temporaryFile(named name: String, contents bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("copia-codec-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }
}

extension CodecFixtures {
    /// A deterministic test image: a smooth gradient plus, when `noise` is positive, pseudo-random texture from a
    /// 64-bit LCG (Knuth's MMIX constants), so filters and compression see both predictable and unpredictable data.
    static func testImage(width: Int, height: Int, channels: Int, depth: PixelDepth, noise: Int = 40, seed: UInt64 = 1) -> Image {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let maxValue = depth.maxValue
        var samples: [Int] = []
        samples.reserveCapacity(width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let base = (x * (c + 1) * maxValue / max(width, 1) + y * maxValue / max(height, 1)) / 2
                    let jitter = noise > 0 ? next() % (noise * (maxValue / 255) + 1) : 0
                    samples.append(min(maxValue, base + jitter))
                }
            }
        }
        switch depth {
        case .uint8: return Image(width: width, height: height, channels: channels, bytes: samples.map { UInt8($0) })
        case .uint16: return Image(width: width, height: height, channels: channels, words: samples.map { UInt16($0) })
        }
    }

    /// The largest absolute difference between corresponding samples of two 8-bit images of the same shape.
    static func maxAbsoluteDifference(_ a: Image, _ b: Image) -> Int {
        zip(a.bytes, b.bytes).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
    }

    /// The offset of the first JPEG start-of-scan marker (FF DA), or nil.
    static func startOfScan(_ jpeg: [UInt8]) -> Int? {
        var i = 2
        while i + 1 < jpeg.count {
            if jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA { return i }
            i += 1
        }
        return nil
    }
}
