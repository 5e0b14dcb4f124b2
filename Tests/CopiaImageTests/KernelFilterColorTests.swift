import Testing
@testable import CopiaImage

@Suite struct KernelFilterColorTests {
    @Test(arguments: [(5, 0.0), (7, 1.3)])
    func gaussianBlurMatchesOpenCVWithinOne(_ size: Int, _ sigma: Double) throws {
        let k = FilterKernels.openCVGaussian(size: size, sigma: sigma)
        let out = FilterKernels.separable(try KernelFixtures.input, kx: k, ky: k)
        let diff = KernelFixtures.difference(out, try KernelFixtures.load("gaussian_blur_k\(size)_s\(sigma)"))
        #expect(diff.max <= 1, "GaussianBlur k\(size) s\(sigma): max diff \(diff.max), \(diff.count) differ")
    }

    /// The Swift loops (run when the C kernel's scratch memory runs out) give the C kernel's bytes, for a symmetric
    /// kernel (column pairs) and an asymmetric one (columns in order).
    @Test func separableSwiftLoopsEqualTheCKernel() throws {
        // The fixture, and wide images (several column strips in C) with 3 channels and with alpha.
        func wide(_ channels: Int) -> Image {
            let w = 211, h = 13
            var image = Image(info: ImageInfo(width: w, height: h, channels: channels))
            for i in 0..<image.bytes.count { image.bytes[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
            return image
        }
        for noise in [try KernelFixtures.load("noise_37x29"), wide(3), wide(4)] {  // each image, each kernel pair
            for (kx, ky) in [(FilterKernels.gaussian(sigma: 2.9), FilterKernels.gaussian(sigma: 1.3)),
                             ([0.1, 0.5, 0.4] as [Float], [0.05, 0.2, 0.3, 0.25, 0.2] as [Float])] {
                let c = FilterKernels.separable(noise, kx: kx, ky: ky)  // the C kernel
                let plane = FilterKernels.separable(FilterKernels.floatPlane(noise), width: noise.width, height: noise.height,
                                                    channels: noise.channels, kx: kx, ky: ky, openCV8Bit: true)
                #expect(FilterKernels.storeColorChannels(plane, into: noise).bytes == c.bytes, "kx \(kx.count) taps, ky \(ky.count) taps")
                let plain = FilterKernels.separable(FilterKernels.floatPlane(noise), width: noise.width, height: noise.height,
                                                    channels: noise.channels, kx: kx, ky: ky)
                #expect(KernelFixtures.difference(FilterKernels.storeColorChannels(plain, into: noise), c).max <= 1)
            }
        }
    }

    @Test func boxAndMedianBlurMatchOpenCV() throws {
        let input = try KernelFixtures.input
        let box = KernelFixtures.difference(FilterKernels.box(input, size: 3), try KernelFixtures.load("box_blur_k3"))
        #expect(box.max <= 1, "box: \(box)")
        let median = KernelFixtures.difference(FilterKernels.median(input, size: 5), try KernelFixtures.load("median_blur_k5"))
        #expect(median.max == 0, "median: \(median)")
    }

    @Test func grayHSVAndEqualizeMatchOpenCV() throws {
        let input = try KernelFixtures.input
        let gray = try KernelFixtures.load("gray")
        #expect(ColorSpaceKernels.grayPlane(input) == gray.bytes.map(Int.init))
        #expect(ColorSpaceKernels.hsvPlanes(input) == (try KernelFixtures.load("hsv")).bytes)
        let id = ColorSpaceKernels.identity256
        let round = ColorSpaceKernels.mapHSV(input, h8: id, s8: id, v8: id, hf: { $0 }, sf: { $0 }, vf: { $0 })
        let rt = KernelFixtures.difference(round, try KernelFixtures.load("hsv_roundtrip"))
        #expect(rt.max <= 1, "HSV round trip: \(rt)")
        let eq = KernelFixtures.difference(ColorSpaceKernels.equalize(input), try KernelFixtures.load("equalize"))
        #expect(eq.max == 0, "equalize: \(eq)")
    }

    @Test func convolvingWithADeltaIsIdentity() {
        for depth in PixelDepth.allCases {
            let image = TestImages.pattern(channels: 4, depth: depth)
            #expect(FilterKernels.convolve(image, kernel: [0, 0, 0, 0, 1, 0, 0, 0, 0], size: 3) == image)
            #expect(FilterKernels.separable(image, kx: [1], ky: [0, 1, 0]) == image)
        }
    }

    @Test func transposeAndQuarterTurnsAreExact() {
        let image = TestImages.make(width: 3, height: 2) { x, y, _ in y * 3 + x }  // 0 1 2 / 3 4 5
        #expect(GeometryKernels.transpose(image).bytes == [0, 3, 1, 4, 2, 5])
        #expect(GeometryKernels.rotate90(image, times: 1).bytes == [2, 5, 1, 4, 0, 3])  // numpy.rot90, k = 1
        #expect(GeometryKernels.rotate90(image, times: 2).bytes == [5, 4, 3, 2, 1, 0])
        #expect(GeometryKernels.rotate90(image, times: 3).bytes == [3, 0, 4, 1, 5, 2])
        #expect(GeometryKernels.rotate90(GeometryKernels.rotate90(image, times: 1), times: 3) == image)
    }

    @Test(arguments: [1, 2, 3, 4])
    func flipsMirrorEveryChannelCount(_ channels: Int) {
        for depth in PixelDepth.allCases {
            let image = TestImages.make(width: 3, height: 2, channels: channels, depth: depth) { x, y, c in y * 100 + x * 10 + c }
            let h = FlipKernels.horizontal(image), v = FlipKernels.vertical(image)
            for y in 0..<2 {
                for x in 0..<3 {
                    for c in 0..<channels {
                        #expect(h.sample(x: x, y: y, channel: c) == y * 100 + (2 - x) * 10 + c)
                        #expect(v.sample(x: x, y: y, channel: c) == (1 - y) * 100 + x * 10 + c)
                    }
                }
            }
        }
    }

    @Test func padFollowsTheBorderMode() {
        let image = TestImages.make(width: 3, height: 1) { x, _, _ in [1, 2, 3][x] }
        #expect(GeometryKernels.pad(image, top: 0, bottom: 0, left: 2, right: 2, border: .reflect101).bytes == [3, 2, 1, 2, 3, 2, 1])
        #expect(GeometryKernels.pad(image, top: 0, bottom: 0, left: 1, right: 1, border: .constant, fill: [9]).bytes == [9, 1, 2, 3, 9])
        #expect(GeometryKernels.pad(image, top: 1, bottom: 0, left: 0, right: 0, border: .replicate).bytes == [1, 2, 3, 1, 2, 3])
    }
}
