import Copia
import CopiaTestSupport
import Foundation
import Testing

/// Segmentation masks follow the geometry of every augmented sample, and only its geometry.
@Suite struct MaskTests {
    /// An ImageFolder whose red channel is 80 x the mask (mask values 0, 1, 2, 3 in blocks), so alignment can be read
    /// off any output pixel.
    static func makeDataset(at root: String, counts: [Int] = [8, 3]) throws {
        let encoder = PNGEncoder()
        for (k, n) in counts.enumerated() {
            try FileIO.makeDirectories("\(root)/images/class\(k)")
            try FileIO.makeDirectories("\(root)/masks/class\(k)")
            for i in 0..<n {
                let w = 24 + i % 3, h = 20 + k
                var mask = [UInt8](repeating: 0, count: w * h)
                var rgb = [UInt8](repeating: 0, count: w * h * 3)
                for y in 0..<h {
                    for x in 0..<w {
                        let m = UInt8(((x + i) / 6 + (y + k) / 5) % 4)
                        mask[y * w + x] = m
                        rgb[(y * w + x) * 3] = m * 80
                        rgb[(y * w + x) * 3 + 1] = UInt8((x * 9 + y * 5) % 256)
                        rgb[(y * w + x) * 3 + 2] = UInt8(40 + i)
                    }
                }
                let name = String(format: "s%02d", i)
                try FileIO.writeAtomically(try encoder.encode(Image(width: w, height: h, channels: 3, bytes: rgb)), to: "\(root)/images/class\(k)/\(name).png")
                try FileIO.writeAtomically(try encoder.encode(Image(width: w, height: h, channels: 1, bytes: mask)), to: "\(root)/masks/class\(k)/\(name).png")
            }
        }
    }

    static func pipeline(_ root: String, ops: String) -> String {
        """
        {"version": 1, "seed": 4, "stages": [
          {"stage": "source", "path": "\(root)/images", "masks": "\(root)/masks"},
          {"stage": "split", "test": 0.2},
          {"stage": "augment", "copies": 2, "ops": [\(ops)]},
          {"stage": "balance"},
          {"stage": "write", "path": "\(root)/out"}]}
        """
    }

    @Test func masksStayAlignedWithTheirImagesThroughGeometricOps() throws {
        let root = TestSupport.temporaryFolder("masks")
        try Self.makeDataset(at: root)
        let ops = """
            {"op": "HorizontalFlip"}, {"op": "Rotate", "limit": 30, "interpolation": "nearest", "p": 0.8},
            {"op": "Affine", "p": 0.5, "interpolation": "nearest"},
            {"op": "RandomResizedCrop", "size": [16, 16], "scale": [0.5, 1], "interpolation": "nearest", "p": 0.7},
            {"op": "Transpose", "p": 0.3},
            {"op": "RandomBrightnessContrast", "p": 0.5, "brightnessLimit": 0, "contrastLimit": 0}
            """
        _ = try Pipeline.parse(Self.pipeline(root, ops: ops)).run(RunOptions(showProgress: false))
        #expect(try Verifier.verify(root + "/out").ok)
        let lines = try ManifestReader.lines(at: root + "/out/manifest.jsonl")
        #expect(lines.allSatisfy { $0["mask"] != nil })
        let decoder = ImageDecoder()
        var geometric = 0
        for line in lines {
            let image = try decoder.decodeFile(atPath: root + "/out/" + line["path"]!.stringValue!)
            let mask = try decoder.decodeFile(atPath: root + "/out/" + line["mask"]!["path"]!.stringValue!)
            #expect(mask.width == image.width && mask.height == image.height && mask.channels == 1)
            for p in 0..<(image.width * image.height) {
                #expect(Int(image.bytes[p * 3]) == 80 * Int(mask.bytes[p]), "\(line["id"]!) pixel \(p)")
                if Int(image.bytes[p * 3]) != 80 * Int(mask.bytes[p]) { break }
            }
            if line["ops"]!.arrayValue!.contains(where: { MaskSupport.geometric.contains($0["op"]!.stringValue!) }) { geometric += 1 }
            #expect(try Replayer.replay(line: line).matches, "\(line["id"]!)")
        }
        #expect(geometric > 10)
    }

    @Test func pixelOpsLeaveTheMaskUntouchedAndOriginalsAreCopied() throws {
        let root = TestSupport.temporaryFolder("masks-pixel")
        try Self.makeDataset(at: root)
        _ = try Pipeline.parse(Self.pipeline(root, ops: #"{"op": "GaussNoise", "p": 1}, {"op": "ColorJitter", "p": 1}"#)).run(RunOptions(showProgress: false))
        for line in try ManifestReader.lines(at: root + "/out/manifest.jsonl") {
            let written = try FileIO.read(root + "/out/" + line["mask"]!["path"]!.stringValue!)
            let source = try FileIO.read(line["mask"]!["source"]!["path"]!.stringValue!)
            if line["origin"] == "original" {
                #expect(written == source)
            } else {
                #expect(try ImageDecoder().decode(written) == ImageDecoder().decode(source))
            }
        }
    }

    @Test func blendingOpsAreRefusedWithMasks() throws {
        let root = TestSupport.temporaryFolder("masks-mix")
        try Self.makeDataset(at: root)
        #expect {
            _ = try Pipeline.parse(Self.pipeline(root, ops: #"{"op": "OneOf", "ops": [{"op": "MixUp"}, {"op": "VerticalFlip"}]}"#)).run(RunOptions(showProgress: false))
        } throws: { "\($0)".contains("MixUp blend several images, so masks cannot follow them") }
    }

    @Test func aMissingOrMisshapenMaskIsNamed() throws {
        let root = TestSupport.temporaryFolder("masks-bad")
        try Self.makeDataset(at: root)
        FileIO.remove(root + "/masks/class1/s01.png")
        try FileIO.writeAtomically(try PNGEncoder().encode(TestSupport.syntheticImage(width: 5, height: 5, channels: 1, seed: 1)), to: root + "/masks/class0/s02.png")
        #expect {
            _ = try Pipeline.parse(Self.pipeline(root, ops: #"{"op": "VerticalFlip"}"#)).run(RunOptions(showProgress: false))
        } throws: { error in
            let text = "\(error)"
            return text.contains("\(root)/masks/class1/s01.png: mask of \(root)/images/class1/s01.png does not exist")
                && text.contains("\(root)/masks/class0/s02.png: mask is 5x5")
        }
    }
}
