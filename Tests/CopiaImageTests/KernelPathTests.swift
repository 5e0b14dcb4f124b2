import CopiaCore
import Testing
@testable import CopiaImage

/// The C kernels are built twice (AVX2 and baseline); both must give the same bytes, or outputs would depend on the
/// machine. Each op below runs through the C kernels for 8-bit images; every draw is compared byte for byte.
@Suite(.serialized) struct KernelPathTests {
    static let specs = [
        #"{"op": "GaussNoise", "p": 1}"#, #"{"op": "GaussNoise", "p": 1, "perChannel": false, "meanRange": [-0.2, 0.2]}"#,
        #"{"op": "ColorJitter", "p": 1}"#, #"{"op": "ColorJitter", "p": 1, "brightness": [0, 3], "contrast": [0, 3], "saturation": [0, 3]}"#,
        #"{"op": "HueSaturationValue", "p": 1}"#, #"{"op": "RandomBrightnessContrast", "p": 1}"#,
        #"{"op": "HorizontalFlip", "p": 1}"#, #"{"op": "Rotate", "p": 1, "limit": 180}"#,
        #"{"op": "Rotate", "p": 1, "limit": 30, "borderMode": "reflect101"}"#, #"{"op": "GaussianBlur", "p": 1, "sigmaLimit": [0.1, 8]}"#,
        #"{"op": "RandomResizedCrop", "size": [40, 56]}"#, #"{"op": "Resize", "height": 37, "width": 71}"#,
    ]

    static var images: [Image] {
        [TestImages.pattern(width: 67, height: 45), TestImages.pattern(width: 33, height: 20, channels: 4),
         TestImages.pattern(width: 16, height: 9, channels: 1)]
    }

    @Test(arguments: specs) func avx2AndBaselineKernelsGiveTheSameBytes(_ spec: String) throws {
        let op = try OpHarness.op(spec)
        for (k, image) in Self.images.enumerated() {
            for s in 0..<12 {
                var rng = CounterRandom(seed: 3, stage: "paths", sample: "\(k)-\(s)")
                let plan = ImageChain.resolve([op], for: image.info, using: &rng).applied
                let native = try ImageChain.apply(plan, to: image)
                let baseline = try KernelPaths.withBaseline { try ImageChain.apply(plan, to: image) }
                let avx2 = try KernelPaths.withAVX2 { try ImageChain.apply(plan, to: image) }
                #expect(native == baseline, "\(spec) on image \(k), draw \(s)")
                #expect(avx2 == baseline, "\(spec) on image \(k), draw \(s), AVX2 forced")
            }
        }
    }
}
