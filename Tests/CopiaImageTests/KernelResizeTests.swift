import Testing
@testable import CopiaImage

@Suite struct KernelResizeTests {
    static let sizes = [(29, 23), (20, 16), (45, 37), (61, 26)]

    @Test(arguments: Interpolation.allCases)
    func resizeMatchesOpenCVWithinOne(_ interpolation: Interpolation) throws {
        let input = try KernelFixtures.input
        for (w, h) in Self.sizes {
            let expected = try KernelFixtures.load("resize_\(interpolation.rawValue)_\(w)x\(h)")
            let out = ResizeKernels.resize(input, width: w, height: h, interpolation: interpolation)
            let diff = KernelFixtures.difference(out, expected)
            #expect(diff.max <= (interpolation == .nearest ? 0 : 1),
                    "resize \(interpolation) to \(w)x\(h): max diff \(diff.max), \(diff.count) samples differ")
        }
    }

    @Test(arguments: Interpolation.allCases, [PixelDepth.uint8, .uint16])
    func resizingToTheSameSizeIsIdentity(_ interpolation: Interpolation, _ depth: PixelDepth) {
        let image = TestImages.pattern(depth: depth)
        #expect(ResizeKernels.resize(image, width: image.width, height: image.height, interpolation: interpolation) == image)
    }

    @Test func bilinearDoublingInterpolatesAtQuarterPixels() {
        // Output x reads source (x + 0.5) / 2 - 0.5: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last).
        let image = TestImages.make(width: 2, height: 1) { x, _, _ in [0, 200][x] }
        let out = ResizeKernels.resize(image, width: 4, height: 1, interpolation: .bilinear)
        #expect(out.bytes == [0, 50, 150, 200])
    }

    @Test func areaHalvingAveragesBlocks() {
        let image = TestImages.make(width: 4, height: 2) { x, y, _ in [[0, 10, 20, 40], [2, 12, 100, 101]][y][x] }
        let out = ResizeKernels.resize(image, width: 2, height: 1, interpolation: .area)
        #expect(out.bytes == [6, 65])  // 24 / 4 = 6, 261 / 4 = 65.25
    }

    @Test(arguments: Interpolation.allCases)
    func sixteenBitResizeKeepsConstantImagesConstant(_ interpolation: Interpolation) {
        let image = TestImages.make(width: 7, height: 5, channels: 2, depth: .uint16) { _, _, c in c == 0 ? 40_000 : 65_535 }
        let out = ResizeKernels.resize(image, width: 11, height: 3, interpolation: interpolation)
        #expect(out.words.enumerated().allSatisfy { $0.element == ($0.offset % 2 == 0 ? 40_000 : 65_535) })
    }

    @Test func cropCopiesTheRectangle() {
        let image = TestImages.make(width: 5, height: 4) { x, y, _ in y * 10 + x }
        let out = ResizeKernels.crop(image, x: 1, y: 2, width: 3, height: 2)
        #expect(out.bytes == [21, 22, 23, 31, 32, 33])
    }

    /// Resizing a rectangle in place (taps into the whole image, no copy) gives the bytes of cropping first: every
    /// interpolation and depth, rectangles touching each edge, shrinking, growing and the same size.
    @Test(arguments: Interpolation.allCases, [PixelDepth.uint8, .uint16])
    func resizingARectangleEqualsCroppingFirst(_ interpolation: Interpolation, _ depth: PixelDepth) throws {
        let image = depth == .uint8 ? try KernelFixtures.input : try KernelFixtures.input16
        let rects = [(0, 0, image.width, image.height), (3, 2, 17, 11), (image.width - 9, image.height - 7, 9, 7), (0, 5, 20, image.height - 5)]
        for (x, y, w, h) in rects {
            for (ow, oh) in [(37, 29), (5, 4), (w, h), (w * 2 + 1, h / 2 + 1)] {
                let direct = ResizeKernels.resize(image, x: x, y: y, width: w, height: h, toWidth: ow, height: oh, interpolation: interpolation)
                let cropped = ResizeKernels.resize(ResizeKernels.crop(image, x: x, y: y, width: w, height: h), width: ow, height: oh,
                                                   interpolation: interpolation)
                #expect(direct == cropped, "\(w)x\(h)+\(x)+\(y) to \(ow)x\(oh)")
            }
        }
    }

    /// The fixed-point kernel's integer taps are `AxisTaps`' quantised fractions times 2048, for growing, shrinking
    /// and equal sizes, bilinear and area (its two-tap form, used unless both axes shrink).
    @Test func twoTapsAreTheQuantisedAxisTaps() {
        for (source, destination) in [(256, 224), (72, 224), (224, 224), (5, 3), (3, 17), (1, 4), (300, 7)] {
            for area in [false, true] {
                let t = ResizeKernels.AxisTaps(source: source, destination: destination, interpolation: area ? .area : .bilinear,
                                               shrinkingBoth: false, quantized: true)
                let (index, weight) = ResizeKernels.AxisTaps.twoTaps(source: source, destination: destination, area: area, offset: 2, stride: 3)
                #expect(index == t.index.map { Int32(($0 + 2) * 3) }, "\(source) -> \(destination), area \(area)")
                #expect(weight == t.weight.map { Int32(($0 * 2048).rounded()) }, "\(source) -> \(destination), area \(area)")
            }
        }
    }
}
