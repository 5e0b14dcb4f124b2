import CopiaCore
import Foundation
import Testing
@testable import CopiaImage

/// Ops applied with fixed parameters against albumentations 2.0.8's own functions (and a few more OpenCV calls),
/// from `Fixtures/kernels/make_fixtures.py`. Tolerance: 1 at 8-bit, exact where the op only moves pixels.
@Suite struct KernelAlbumentationsTests {
    func check(_ out: Image, _ fixture: String, tolerance: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let diff = KernelFixtures.difference(out, try KernelFixtures.load(fixture))
        #expect(diff.max <= tolerance, "\(fixture): max diff \(diff.max), \(diff.count) samples differ", sourceLocation: sourceLocation)
    }

    var small: Image { get throws { try KernelFixtures.load("small") } }

    @Test func hueSaturationValueMatches() throws {
        try check(try HueSaturationValue().apply(try small, with: .init(hueShift: 10, saturationShift: 20, valueShift: -15)), "albu_shift_hsv")
        try check(try HueSaturationValue().apply(try small, with: .init(hueShift: -17.5, saturationShift: -40.2, valueShift: 25.7)), "albu_shift_hsv_neg")
    }

    @Test func colorJitterStepsMatchTorchvisionSemantics() throws {
        let j = ColorJitter()
        try check(try j.apply(try small, with: .init(brightness: 1.13, order: [0])), "albu_brightness")
        try check(try j.apply(try small, with: .init(contrast: 0.87, order: [1])), "albu_contrast")
        try check(try j.apply(try small, with: .init(saturation: 1.3, order: [2])), "albu_saturation")
        try check(try j.apply(try small, with: .init(hue: 0.07, order: [3])), "albu_hue")
    }

    @Test func pointOpsMatch() throws {
        try check(try RandomGamma().apply(try small, with: .init(gamma: 0.83)), "albu_gamma")
        try check(try Solarize().apply(try small, with: .init(threshold: 0.4)), "albu_solarize", tolerance: 0)
        try check(try Posterize().apply(try small, with: .init(bits: 3)), "albu_posterize", tolerance: 0)
        try check(try AutoContrast().apply(try small, with: .init(cutoff: 0, method: .cdf)), "albu_autocontrast_cdf", tolerance: 0)
        try check(try AutoContrast().apply(try small, with: .init(cutoff: 3, method: .pil)), "albu_autocontrast_pil_c3", tolerance: 0)
        // albumentations' function returns one channel; the op writes it into all three.
        let gray = try ToGray().apply(try small, with: .init())
        #expect(stride(from: 0, to: gray.bytes.count, by: 3).map { gray.bytes[$0] } == (try KernelFixtures.load("albu_gray")).bytes)
    }

    @Test func filtersMatch() throws {
        try check(try Sharpen().apply(try small, with: .init(alpha: 0.3, lightness: 0.7)), "albu_sharpen")
        try check(try GaussianBlur().apply(try small, with: .init(sigma: 1.7, size: 0)), "albu_gaussian_blur_s1.7", tolerance: 0)
    }

    /// cv2.sepFilter2D's 8-bit float-kernel arithmetic (fused row sums, symmetric column pairs) reproduced exactly:
    /// on noise, where sums fall anywhere between integers, at a width that leaves partial vectors, 3 and 21 taps.
    @Test(arguments: [0.5, 2.9])
    func gaussianBlurEqualsAlbumentationsOnNoise(_ sigma: Double) throws {
        let noise = try KernelFixtures.load("noise_37x29")
        try check(try GaussianBlur().apply(noise, with: .init(sigma: sigma, size: 0)), "albu_gaussian_blur_noise_s\(sigma)", tolerance: 0)
    }

    @Test func perspectiveRemapAndPadMatchOpenCV() throws {
        let s = try small
        let hm = [1.1, 0.05, -2.0, -0.03, 0.95, 1.5, 0.002, -0.001, 1.0]
        try check(WarpKernels.perspective(s, homography: hm, width: 24, height: 20), "perspective_bilinear_constant")
        var mx = [Float](), my = [Float]()
        for y in 0..<20 {
            for x in 0..<24 {
                mx.append(Float(x) + 1.5 * Float(sin(Double(Float(y) / 3))))
                my.append(Float(y) + 1.2 * Float(cos(Double(Float(x) / 4))))
            }
        }
        try check(WarpKernels.remap(s, mapX: mx, mapY: my, width: 24, height: 20, border: .reflect101), "remap_bilinear_reflect101")
        try check(GeometryKernels.pad(s, top: 3, bottom: 1, left: 2, right: 5, border: .reflect101), "pad_reflect101", tolerance: 0)
    }

    @Test func claheMatchesOpenCV() throws {
        let s = try small
        let gray = ColorSpaceKernels.grayPlane(s)
        let eq = HistogramKernels.clahe(gray, width: 24, height: 20, maxValue: 255, clipLimit: 2, tilesX: 4, tilesY: 5)
        let expected = (try KernelFixtures.load("clahe_gray_c2_t4x5")).bytes.map(Int.init)
        #expect(zip(eq, expected).allSatisfy { abs($0 - $1) <= 1 })
        // RGB goes through Lab, where OpenCV's fixed-point tables differ from Copia's doubles by up to 2 levels of
        // L*, and a steep tile table can turn one level into several.
        let rgb = try CLAHE().apply(s, with: .init(clipLimit: 3, tilesX: 3, tilesY: 4))
        let expectedRGB = try KernelFixtures.load("albu_clahe_rgb_c3")
        let diffs = zip(rgb.bytes, expectedRGB.bytes).map { abs(Int($0) - Int($1)) }
        #expect(diffs.max()! <= 16 && Double(diffs.reduce(0, +)) / Double(diffs.count) < 3)  // measured: max 13, mean 2.6
    }

    @Test func affineMatrixIsAlbumentations() throws {
        let data = try Data(contentsOf: KernelFixtures.directory.appendingPathComponent("fixtures.json"))
        let json = try JSONParser.parse([UInt8](data))
        let values = json.objectValue?["affine_matrix"]?.objectValue?["matrix"]?.arrayValue ?? []
        let expected = values.compactMap { $0.numberValue }
        #expect(expected.count == 6)
        let m = AffineMatrix.composed(scaleX: 1.1, scaleY: 0.9, rotate: 21, shearX: 7, shearY: -4, translateX: 3, translateY: -2,
                                      center: AffineMatrix.center(width: 24, height: 20))
        for (a, b) in zip([m.a, m.b, m.c, m.d, m.e, m.f], expected) { #expect(abs(a - b) < 1e-9, "\(a) vs \(b)") }
    }
}
