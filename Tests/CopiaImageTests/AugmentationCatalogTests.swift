import CopiaCore
import Testing
@testable import CopiaImage

/// Properties every registered op must have: it decodes from a spec, runs on 8-bit and 16-bit gray/RGB/RGBA images,
/// reports its output shape before running, is deterministic, and replays from its manifest JSON to the same bytes.
@Suite struct AugmentationCatalogTests {
    /// The spec each op is tested with (p = 1 so it always applies). Every registered op needs an entry here.
    static let specs: [String: String] = [
        "HorizontalFlip": #"{"op": "HorizontalFlip", "p": 1}"#,
        "VerticalFlip": #"{"op": "VerticalFlip", "p": 1}"#,
        "Rotate": #"{"op": "Rotate", "p": 1, "limit": 30, "borderMode": "reflect101"}"#,
        "RandomResizedCrop": #"{"op": "RandomResizedCrop", "size": [12, 10]}"#,
        "RandomBrightnessContrast": #"{"op": "RandomBrightnessContrast", "p": 1, "brightnessLimit": 0.3}"#,
    ]

    static var augmentationNames: [String] {
        ImageOps.entries.map(\.name).filter { !["Sequence", "OneOf", "SomeOf", "RandomOrder"].contains($0) }
    }

    @Test func everyRegisteredOpHasATestSpec() {
        for name in Self.augmentationNames { #expect(Self.specs[name] != nil, "no catalogue spec for \(name)") }
    }

    static let images: [Image] = [
        TestImages.pattern(width: 23, height: 17, channels: 3),
        TestImages.pattern(width: 16, height: 21, channels: 1),
        TestImages.pattern(width: 19, height: 19, channels: 4, depth: .uint16),
        TestImages.pattern(width: 9, height: 14, channels: 2, depth: .uint16),
    ]

    @Test(arguments: augmentationNames)
    func opRunsReplaysAndPredictsItsShape(_ name: String) throws {
        let spec = try #require(Self.specs[name])
        let op = try OpHarness.op(spec)
        for (n, image) in Self.images.enumerated() {
            for sample in ["a", "b", "c"] {
                let (applied, out, info) = try OpHarness.run(op, on: image, sample: "\(n)\(sample)")
                #expect(out.info == info, "\(name) predicted \(info), produced \(out.info)")
                #expect(try OpHarness.run(op, on: image, sample: "\(n)\(sample)").output == out, "\(name) is not deterministic")
                #expect(try OpHarness.replay(applied, on: image) == out, "\(name) replay differs for \(applied)")
            }
        }
    }

    @Test func everyOpListsItsDefaultsAndSchema() {
        for entry in ImageOps.entries {
            let schema = ImageOp.variantSchema(entry.variant, in: SpecContext(describing: true))
            #expect(schema.objectValue?["properties"] != nil, "\(entry.name) has no schema properties")
        }
    }
}
