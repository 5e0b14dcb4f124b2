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
        "Transpose": #"{"op": "Transpose", "p": 1}"#,
        "RandomRotate90": #"{"op": "RandomRotate90"}"#,
        "CenterCrop": #"{"op": "CenterCrop", "height": 12, "width": 20, "padIfNeeded": true, "borderMode": "reflect101"}"#,
        "RandomCrop": #"{"op": "RandomCrop", "height": 9, "width": 8}"#,
        "Resize": #"{"op": "Resize", "height": 11, "width": 30, "interpolation": "bicubic"}"#,
        "LongestMaxSize": #"{"op": "LongestMaxSize", "maxSize": 12, "interpolation": "area"}"#,
        "SmallestMaxSize": #"{"op": "SmallestMaxSize", "maxSize": 24}"#,
        "Pad": #"{"op": "Pad", "padding": [1, 2, 3, 4], "borderMode": "wrap"}"#,
        "PadIfNeeded": #"{"op": "PadIfNeeded", "minHeight": 20, "minWidth": 25, "fill": [1, 2, 3, 4]}"#,
        "Affine": #"{"op": "Affine", "p": 1, "scale": [0.8, 1.2], "translatePercent": [-0.1, 0.1], "rotate": [-20, 20], "shear": [-10, 10]}"#,
        "Perspective": #"{"op": "Perspective", "p": 1, "borderMode": "replicate"}"#,
        "ElasticTransform": #"{"op": "ElasticTransform", "p": 1, "alpha": 5, "sigma": 3}"#,
        "GridDistortion": #"{"op": "GridDistortion", "p": 1, "borderMode": "reflect101"}"#,
        "ColorJitter": #"{"op": "ColorJitter", "p": 1}"#,
        "HueSaturationValue": #"{"op": "HueSaturationValue", "p": 1}"#,
        "RGBShift": #"{"op": "RGBShift", "p": 1}"#,
        "RandomGamma": #"{"op": "RandomGamma", "p": 1}"#,
        "ToGray": #"{"op": "ToGray", "p": 1}"#,
        "InvertImg": #"{"op": "InvertImg", "p": 1}"#,
        "Solarize": #"{"op": "Solarize", "p": 1, "thresholdRange": [0.3, 0.7]}"#,
        "Posterize": #"{"op": "Posterize", "p": 1, "numBits": [2, 6]}"#,
        "Equalize": #"{"op": "Equalize", "p": 1}"#,
        "CLAHE": #"{"op": "CLAHE", "p": 1, "tileGridSize": [3, 4]}"#,
        "AutoContrast": #"{"op": "AutoContrast", "p": 1, "cutoff": 2}"#,
        "ChannelShuffle": #"{"op": "ChannelShuffle", "p": 1}"#,
        "GaussianBlur": #"{"op": "GaussianBlur", "p": 1}"#,
        "Blur": #"{"op": "Blur", "p": 1}"#,
        "MedianBlur": #"{"op": "MedianBlur", "p": 1}"#,
        "MotionBlur": #"{"op": "MotionBlur", "p": 1}"#,
        "Sharpen": #"{"op": "Sharpen", "p": 1}"#,
        "Emboss": #"{"op": "Emboss", "p": 1}"#,
        "Downscale": #"{"op": "Downscale", "p": 1, "scaleRange": [0.3, 0.6], "upscaleInterpolation": "bilinear"}"#,
        "GaussNoise": #"{"op": "GaussNoise", "p": 1}"#,
        "SaltAndPepper": #"{"op": "SaltAndPepper", "p": 1}"#,
        "ISONoise": #"{"op": "ISONoise", "p": 1}"#,
        "CoarseDropout": #"{"op": "CoarseDropout", "p": 1, "numHolesRange": [1, 4]}"#,
        "GridDropout": #"{"op": "GridDropout", "p": 1}"#,
        "Erasing": #"{"op": "Erasing", "p": 1}"#,
        "ImageCompression": #"{"op": "ImageCompression", "p": 1, "qualityRange": [20, 60]}"#,
        "EnhanceBrightness": #"{"op": "EnhanceBrightness", "p": 1}"#,
        "EnhanceColor": #"{"op": "EnhanceColor", "p": 1, "factor": [0, 2]}"#,
        "EnhanceContrast": #"{"op": "EnhanceContrast", "p": 1}"#,
        "EnhanceSharpness": #"{"op": "EnhanceSharpness", "p": 1, "factor": [0, 3]}"#,
        "AugMix": #"{"op": "AugMix", "width": 2, "severity": 5}"#,
        "RandAugment": #"{"op": "RandAugment", "n": 2, "magnitude": 15}"#,
        "TrivialAugmentWide": #"{"op": "TrivialAugmentWide"}"#,
    ]

    /// Every registered single-image op. Compositions (their replay refuses, since manifests never hold them) and the
    /// two-image mixing ops (MixUp, CutMix: they need a partner sample) have their own tests.
    static var augmentationNames: [String] {
        ImageOps.entries.filter { entry in
            guard !["MixUp", "CutMix"].contains(entry.name) else { return false }
            do {
                _ = try entry.replay(.object(JSONObject()), "$")
                return true
            } catch {
                return !"\(error)".contains("is a composition")
            }
        }.map(\.name)
    }

    /// The spec an op is tested with: its catalogue entry, or its defaults with p = 1.
    static func spec(for name: String) -> String { specs[name] ?? #"{"op": "\#(name)", "p": 1}"# }

    @Test func catalogueSpecsNameRegisteredOps() {
        for name in Self.specs.keys { #expect(ImageOps.entry(named: name) != nil, "catalogue spec for unregistered \(name)") }
    }

    static let images: [Image] = [
        TestImages.pattern(width: 23, height: 17, channels: 3),
        TestImages.pattern(width: 16, height: 21, channels: 1),
        TestImages.pattern(width: 19, height: 19, channels: 4, depth: .uint16),
        TestImages.pattern(width: 9, height: 14, channels: 2, depth: .uint16),
    ]

    @Test(arguments: augmentationNames)
    func opRunsReplaysAndPredictsItsShape(_ name: String) throws {
        let op = try OpHarness.op(Self.spec(for: name))
        for (n, image) in Self.images.enumerated() {
            for sample in ["a", "b", "c"] {
                let (applied, out, info) = try OpHarness.run(op, on: image, sample: "\(n)\(sample)")
                #expect(out.info == info, "\(name) predicted \(info), produced \(out.info)")
                #expect(try OpHarness.run(op, on: image, sample: "\(n)\(sample)").output == out, "\(name) is not deterministic")
                #expect(try OpHarness.replay(applied, on: image) == out, "\(name) replay differs for \(applied)")
            }
        }
    }

    @Test(arguments: augmentationNames)
    func opChangesTheImage(_ name: String) throws {
        let op = try OpHarness.op(Self.spec(for: name))
        let image = Self.images[0]
        let changed = try (0..<8).contains { try OpHarness.run(op, on: image, sample: "change\($0)").output != image }
        #expect(changed, "\(name) left the image unchanged in 8 draws")
    }

    @Test func everyOpListsItsDefaultsAndSchema() {
        for entry in ImageOps.entries {
            let schema = ImageOp.variantSchema(entry.variant, in: SpecContext(describing: true))
            #expect(schema.objectValue?["properties"] != nil, "\(entry.name) has no schema properties")
        }
    }
}
