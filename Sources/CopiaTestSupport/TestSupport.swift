import CopiaCore
import CopiaImage
import Foundation

/// Helpers shared by Copia's test targets (not a product; never shipped to users).
public enum TestSupport {
    /// The repository root, found from this file's location.
    public static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    /// A path inside the repository.
    public static func repo(_ relative: String) -> String { FileIO.join(repositoryRoot, relative) }

    /// A fresh, empty temporary folder.
    public static func temporaryFolder(_ name: String = "copia-test") -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every regular file under `root` (relative paths) with the SHA-256 of its bytes.
    public static func fileHashes(under root: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for rel in try FileIO.walk(root) { out[rel] = SHA256.hex(try FileIO.read(FileIO.join(root, rel))) }
        return out
    }

    /// The keys whose values differ between two hash maps (missing on either side included), for readable failures.
    public static func differences(_ a: [String: String], _ b: [String: String]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    /// A synthetic image with smooth gradients and a class-dependent pattern, so augmentations change real pixels.
    public static func syntheticImage(width: Int, height: Int, channels: Int, seed: Int) -> Image {
        var bytes = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let v = (x * (3 + c) + y * (5 + seed % 7) + seed * 13 + ((x / 4 + y / 4 + seed) % 2) * 60) % 256
                    bytes[(y * width + x) * channels + c] = UInt8(v)
                }
            }
        }
        return Image(width: width, height: height, channels: channels, bytes: bytes)
    }

    /// Writes an ImageFolder of PNGs: `counts[k]` images in class folder `class<k>`.
    @discardableResult
    public static func makeImageFolder(at root: String, counts: [Int], size: Int = 16, channels: Int = 3) throws -> [String] {
        let encoder = PNGEncoder()
        var paths: [String] = []
        for (k, n) in counts.enumerated() {
            let folder = FileIO.join(root, "class\(k)")
            try FileIO.makeDirectories(folder)
            for i in 0..<n {
                let image = syntheticImage(width: size, height: size, channels: channels, seed: k * 1000 + i)
                let path = FileIO.join(folder, String(format: "img_%04d.png", i))
                try FileIO.writeAtomically(try encoder.encode(image), to: path)
                paths.append(path)
            }
        }
        return paths
    }

    /// The built `copia` executable beside the test bundle (built by `swift build`, which the README's test command runs).
    public static var copiaExecutable: String? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("copia").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("copia").path,
            repo(".build/debug/copia"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

extension TestSupport {
    /// A committed pipeline's text with its relative `SampleData/` paths made absolute, so tests can run it from any
    /// working directory. (Give the output folder with `RunOptions.out`, which leaves the spec, and so its hash, alone.)
    public static func pipelineText(_ name: String) throws -> String {
        var json = try JSONParser.parse(try FileIO.read(repo("Pipelines/\(name)")))
        guard case .object(var root) = json, case .array(var stages)? = root["stages"] else { return "" }
        for (i, stage) in stages.enumerated() {
            guard case .object(var s) = stage else { continue }
            if let p = s["path"]?.stringValue, s["stage"] == "source" { s["path"] = .string(repo(p)) }
            stages[i] = .object(s)
        }
        root["stages"] = .array(stages)
        json = .object(root)
        return JSONWriter.pretty(json)
    }

    /// dataset.json without its timings (the only part of an output that may differ between identical runs).
    public static func datasetWithoutTimings(_ out: String) throws -> JSONValue {
        var d = try JSONParser.parse(try FileIO.read(FileIO.join(out, "dataset.json"))).objectValue!
        d["timings"] = nil
        return .object(d)
    }
}

// MARK: - Bad inputs

extension TestSupport {
    /// CRC-32 (ISO-HDLC, as PNG uses), bit by bit: slow and obviously correct, for building test files.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A PNG whose header claims `width` x `height` (valid signature, IHDR and CRCs) followed by a tiny IDAT: the
    /// shape of a decompression bomb.
    public static func pngClaiming(width: UInt32, height: UInt32) -> [UInt8] {
        func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be(UInt32(data.count)) + body + be(crc32(body))
        }
        let ihdr = be(width) + be(height) + [8, 0, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    }
}
