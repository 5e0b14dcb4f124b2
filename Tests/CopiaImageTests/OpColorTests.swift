import CopiaCore
import Testing
@testable import CopiaImage

@Suite struct OpColorTests {
    @Test(arguments: [(1.15, 25.5), (0.83, -43.35)])
    func brightnessContrastMatchesAlbumentations(_ alpha: Double, _ beta: Double) throws {
        let input = try KernelFixtures.input
        let name = "brightness_contrast_\(alpha)_\(String(format: "%.2f", beta))"
        let p = RandomBrightnessContrast.Parameters(alpha: alpha, beta: beta / 255)
        let out = try OpHarness.apply(RandomBrightnessContrast(), p, to: input)
        let diff = KernelFixtures.difference(out, try KernelFixtures.load(name))
        #expect(diff.max == 0, "\(name): max diff \(diff.max)")
    }

    @Test func brightnessContrastIsHandComputable() throws {
        let image = TestImages.make(width: 4, height: 1) { x, _, _ in [0, 10, 100, 250][x] }
        // 1.5 v + 0.1 * 255 = 1.5 v + 25.5, truncated and clipped.
        let out = try OpHarness.apply(RandomBrightnessContrast(), .init(alpha: 1.5, beta: 0.1), to: image)
        #expect(out.bytes == [25, 40, 175, 255])
        // By mean: mean 90, beta -0.5 gives -45.
        let byMean = try OpHarness.apply(RandomBrightnessContrast(), .init(alpha: 1, beta: -0.5, brightnessByMax: false), to: image)
        #expect(byMean.bytes == [0, 0, 55, 205])
    }

    @Test func identityParametersLeaveTheImageUnchanged() throws {
        for depth in PixelDepth.allCases {
            let image = TestImages.pattern(depth: depth)
            #expect(try OpHarness.apply(RandomBrightnessContrast(), .init(alpha: 1, beta: 0), to: image) == image)
        }
    }

    @Test func sixteenBitUsesTheFullRangeAndKeepsAlpha() throws {
        let image = TestImages.make(width: 2, height: 1, channels: 2, depth: .uint16) { x, _, c in c == 1 ? 1234 : [1000, 60_000][x] }
        let out = try OpHarness.apply(RandomBrightnessContrast(), .init(alpha: 2, beta: 0.01), to: image)
        #expect(out.words == [2655, 1234, 65_535, 1234])  // 2000 + 655.35 truncated; alpha untouched
    }
}
