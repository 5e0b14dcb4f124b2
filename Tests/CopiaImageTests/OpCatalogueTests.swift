import CopiaCore
import Testing
@testable import CopiaImage

/// Hand-computed cases and identities for the catalogue ops beyond the first three.
@Suite struct OpCatalogueTests {
    let rgb = TestImages.pattern()
    let deep = TestImages.pattern(channels: 4, depth: .uint16)

    @Test func identityParametersLeaveImagesUnchanged() throws {
        for image in [rgb, deep] {
            #expect(try OpHarness.apply(Affine(), AffineParameters(matrix: .identity), to: image) == image)
            #expect(try OpHarness.apply(Perspective(), .init(homography: [1, 0, 0, 0, 1, 0, 0, 0, 1]), to: image) == image)
            #expect(try OpHarness.apply(GridDistortion(), .init(xSteps: [1, 1, 1], ySteps: [1, 1, 1]), to: image) == image)
            #expect(try OpHarness.apply(ElasticTransform(), .init(alpha: 0, sigma: 3, seed: 1), to: image) == image)
            #expect(try OpHarness.apply(ColorJitter(), .init(), to: image) == image)
            #expect(try OpHarness.apply(HueSaturationValue(), .init(hueShift: 0, saturationShift: 0, valueShift: 0), to: image) == image)
            #expect(try OpHarness.apply(RandomGamma(), .init(gamma: 1), to: image) == image)
            #expect(try OpHarness.apply(RandomRotate90(), .init(times: 4), to: image) == image)
            #expect(try OpHarness.apply(Pad(padding: [0]), .init(top: 0, bottom: 0, left: 0, right: 0), to: image) == image)
            #expect(try OpHarness.apply(CoarseDropout(), .init(holes: []), to: image) == image)
            #expect(try OpHarness.apply(GaussNoise(), .init(std: 0, seed: 3), to: image) == image)
            #expect(try OpHarness.apply(Downscale(), .init(scale: 1), to: image) == image)
            #expect(try OpHarness.apply(Resize(height: image.height, width: image.width), .init(width: image.width, height: image.height), to: image) == image)
        }
    }

    @Test func affineWithOnlyRotationEqualsRotate() throws {
        let input = try KernelFixtures.input
        var rng = CounterRandom(seed: 1, stage: "t", sample: "x")
        let p = Affine(rotate: SpecRange(17, 17), borderMode: .reflect101).sampleParameters(for: input.info, using: &rng)
        let out = try OpHarness.apply(Affine(), p, to: input)
        #expect(KernelFixtures.difference(out, try KernelFixtures.load("rotate17_bilinear_reflect101")).max <= 1)
    }

    @Test func gaussianBlurOpMatchesOpenCVForTheSameKernel() throws {
        let out = try OpHarness.apply(GaussianBlur(), .init(sigma: 1.3, size: 7), to: try KernelFixtures.input)
        #expect(KernelFixtures.difference(out, try KernelFixtures.load("gaussian_blur_k7_s1.3")).max <= 1)
    }

    @Test func pointOpsAreHandComputable() throws {
        let image = TestImages.make(width: 4, height: 1) { x, _, _ in [0, 100, 128, 255][x] }
        #expect(try OpHarness.apply(InvertImg(), .init(), to: image).bytes == [255, 155, 127, 0])
        #expect(try OpHarness.apply(Solarize(), .init(threshold: 0.5), to: image).bytes == [0, 100, 127, 0])
        #expect(try OpHarness.apply(Posterize(), .init(bits: 2), to: image).bytes == [0, 64, 128, 192])
        #expect(try OpHarness.apply(RandomGamma(), .init(gamma: 2), to: image).bytes == [0, 39, 64, 255])
        let ramp = TestImages.make(width: 4, height: 1) { x, _, _ in [50, 100, 150, 150][x] }
        #expect(try OpHarness.apply(AutoContrast(), .init(method: .pil), to: ramp).bytes == [0, 127, 255, 255])  // 50 * 2.55 < 127.5 in doubles
        // cdf: cumulative counts 1, 2, 4 from level 50 map to (c - 1) * 255 / 3.
        #expect(try OpHarness.apply(AutoContrast(), .init(method: .cdf), to: ramp).bytes == [0, 85, 255, 255])
    }

    @Test func channelOpsMoveWholeChannels() throws {
        let image = TestImages.make(width: 2, height: 1, channels: 4) { x, _, c in 10 * c + x }
        #expect(try OpHarness.apply(ChannelShuffle(), .init(order: [2, 0, 1]), to: image).bytes == [20, 0, 10, 30, 21, 1, 11, 31])
        #expect(try OpHarness.apply(RGBShift(), .init(shifts: [5, -5, 0.9]), to: image).bytes == [5, 5, 20, 30, 6, 6, 21, 31])
        #expect(throws: AugmentationError.self) { try OpHarness.apply(ChannelShuffle(), .init(order: [0, 0, 1]), to: image) }
        let gray = try OpHarness.apply(ToGray(), .init(), to: TestImages.make(width: 1, height: 1, channels: 3) { _, _, c in [255, 0, 0][c] })
        #expect(gray.bytes == [76, 76, 76])  // 255 * 4899 / 16384 = 76.2
    }

    @Test func cropsAndPaddingAreExactAndSafe() throws {
        let image = TestImages.make(width: 5, height: 4) { x, y, _ in y * 10 + x }
        var rng = CounterRandom(seed: 1, stage: "t", sample: "c")
        let center = CenterCrop(height: 2, width: 3).sampleParameters(for: image.info, using: &rng)
        #expect(try OpHarness.apply(CenterCrop(height: 2, width: 3), center, to: image).bytes == [11, 12, 13, 21, 22, 23])
        // Larger than the image: padding when asked, a named error otherwise.
        let padded = CenterCrop(height: 6, width: 5, padIfNeeded: true).sampleParameters(for: image.info, using: &rng)
        let out = try OpHarness.apply(CenterCrop(height: 6, width: 5), padded, to: image)
        #expect(out.width == 5 && out.height == 6 && out.bytes.prefix(5) == [0, 0, 0, 0, 0] && out.bytes[5..<10] == [0, 1, 2, 3, 4])
        let tooBig = RandomCrop(height: 6, width: 5).sampleParameters(for: image.info, using: &rng)
        #expect(throws: AugmentationError.self) { try OpHarness.apply(RandomCrop(height: 6, width: 5), tooBig, to: image) }
        let pad = try OpHarness.apply(PadIfNeeded(minHeight: 4, minWidth: 8), PadIfNeeded(minHeight: 4, minWidth: 8).sampleParameters(for: image.info, using: &rng), to: image)
        #expect(pad.width == 8 && pad.bytes.prefix(8) == [0, 0, 1, 2, 3, 4, 0, 0])
    }

    @Test func dropoutsFillTheirHolesOnly() throws {
        let image = TestImages.make(width: 4, height: 3) { _, _, _ in 9 }
        let out = try OpHarness.apply(CoarseDropout(), .init(holes: [[1, 1, 2, 5]], fill: [3]), to: image)
        #expect(out.bytes == [9, 9, 9, 9, 9, 3, 3, 9, 9, 3, 3, 9])
        for s in 0..<20 {
            var rng = CounterRandom(seed: 4, stage: "t", sample: "\(s)")
            let p = GridDropout().sampleParameters(for: ImageInfo(width: 40, height: 30, channels: 3), using: &rng)
            #expect(p.holes.allSatisfy { $0[0] >= 0 && $0[1] >= 0 && $0[0] + $0[2] <= 40 && $0[1] + $0[3] <= 30 })
            let e = Erasing().sampleParameters(for: ImageInfo(width: 40, height: 30, channels: 3), using: &rng)
            #expect(e.holes.allSatisfy { $0[0] + $0[2] <= 40 && $0[1] + $0[3] <= 30 })
        }
    }

    @Test func maxSizeOpsKeepTheAspectRatio() {
        var rng = CounterRandom(seed: 1, stage: "t", sample: "m")
        let info = ImageInfo(width: 300, height: 200, channels: 3)
        let longest = LongestMaxSize(maxSize: 150).sampleParameters(for: info, using: &rng)
        #expect((longest.width, longest.height) == (150, 100))
        let smallest = SmallestMaxSize(maxSize: 150).sampleParameters(for: info, using: &rng)
        #expect((smallest.width, smallest.height) == (225, 150))
    }

    @Test func noiseIsReproducibleFromItsSeedAndChangesTheImage() throws {
        let p = GaussNoise.Parameters(std: 0.1, seed: 42)
        let a = try OpHarness.apply(GaussNoise(), p, to: rgb), b = try OpHarness.apply(GaussNoise(), p, to: rgb)
        #expect(a == b && a != rgb)
        let q = GaussNoise.Parameters(std: 0.1, seed: 43)
        #expect(try OpHarness.apply(GaussNoise(), q, to: rgb) != a)
        let sp = try OpHarness.apply(SaltAndPepper(), .init(amount: 1, saltRatio: 1, seed: 1), to: rgb)
        #expect(sp.bytes.allSatisfy { $0 == 255 })
    }

    @Test func jpegCompressionDegradesMoreAtLowQuality() throws {
        let input = try KernelFixtures.input
        let high = KernelFixtures.difference(try OpHarness.apply(ImageCompression(), .init(quality: 100), to: input), input)
        let low = KernelFixtures.difference(try OpHarness.apply(ImageCompression(), .init(quality: 10), to: input), input)
        #expect(high.max <= 16 && low.max > high.max, "q100 \(high), q10 \(low)")
        #expect(throws: AugmentationError.self) { try OpHarness.apply(ImageCompression(), .init(quality: 0), to: input) }
    }

    @Test func motionKernelIsALineThatSumsToOne() {
        let k = MotionBlur.kernel(.init(size: 5, angle: 0, direction: 0))
        #expect(k == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let forward = MotionBlur.kernel(.init(size: 5, angle: 90, direction: 1))
        #expect(abs(forward.reduce(0, +) - 1) < 1e-6 && forward[2] == 0 && forward[22] > 0)
    }

    @Test func perspectiveTransformMapsTheCorners() throws {
        let src = [(1.0, 2.0), (9.0, 1.0), (10.0, 8.0), (0.0, 9.0)], dst = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
        let h = try #require(Perspective.perspectiveTransform(from: src, to: dst))
        for ((x, y), (u, v)) in zip(src, dst) {
            let w = h[6] * x + h[7] * y + h[8]
            #expect(abs((h[0] * x + h[1] * y + h[2]) / w - u) < 1e-9 && abs((h[3] * x + h[4] * y + h[5]) / w - v) < 1e-9)
        }
    }
}

@Suite struct OpBadParameterTests {
    let image = TestImages.pattern()

    /// Straight to `apply`: non-finite numbers cannot reach it through JSON (manifests cannot hold them), only from code.
    func direct<A: Augmentation>(_ op: A, _ p: A.Parameters, to image: Image) throws -> Image { try op.apply(image, with: p) }

    @Test func nonFiniteOrHugeParametersThrowInsteadOfCrashing() {
        #expect(throws: AugmentationError.self) { try direct(Rotate(), .init(angle: .nan, interpolation: .nearest), to: image) }
        #expect(throws: AugmentationError.self) { try direct(Affine(), AffineParameters(matrix: AffineMatrix(.infinity, 0, 0, 0, 1, 0)), to: image) }
        #expect(throws: AugmentationError.self) { try direct(ColorJitter(), .init(hue: .nan), to: image) }
        #expect(throws: AugmentationError.self) { try direct(HueSaturationValue(), .init(hueShift: .infinity, saturationShift: 0, valueShift: 0), to: image) }
        #expect(throws: AugmentationError.self) { try direct(GaussianBlur(), .init(sigma: 1e300), to: image) }
        #expect(throws: AugmentationError.self) { try direct(ElasticTransform(), .init(alpha: 1, sigma: 1e300, seed: 1), to: image) }
        #expect(throws: AugmentationError.self) { try direct(MotionBlur(), .init(size: 3, angle: .nan), to: image) }
        #expect(throws: AugmentationError.self) { try direct(CLAHE(), .init(clipLimit: .infinity), to: image) }
        #expect(throws: AugmentationError.self) { try direct(Resize(height: 1, width: 1), .init(width: 1 << 40, height: 2), to: image) }
        #expect(throws: AugmentationError.self) { try direct(CoarseDropout(), .init(holes: [[Int.max, 0, 5, 5]]), to: image) }
        #expect(throws: AugmentationError.self) { try direct(MedianBlur(), .init(size: -1), to: image) }
        #expect(throws: AugmentationError.self) { try direct(ISONoise(), .init(colorShift: .nan, intensity: 1, seed: 1), to: image) }
    }

    @Test func hugeButFiniteWarpsFillFromTheBorder() throws {
        let out = try direct(Affine(), AffineParameters(matrix: AffineMatrix(1e12, 0, 0, 0, 1e12, 0), interpolation: .nearest, fill: [7]), to: image)
        #expect(out.width == image.width)
    }
}
