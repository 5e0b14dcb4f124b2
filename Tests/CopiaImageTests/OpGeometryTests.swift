import CopiaCore
import Testing
@testable import CopiaImage

@Suite struct OpGeometryTests {
    // MARK: Rotate

    @Test(arguments: [PixelDepth.uint8, .uint16], Interpolation.allCases)
    func rotatingByZeroIsIdentity(_ depth: PixelDepth, _ interpolation: Interpolation) throws {
        let image = TestImages.pattern(depth: depth)
        let out = try OpHarness.apply(Rotate(), Rotate.Parameters(angle: 0, interpolation: interpolation), to: image)
        #expect(out == image)
    }

    @Test func rotateMatchesTheOpenCVFixture() throws {
        let input = try KernelFixtures.input
        let p = Rotate.Parameters(angle: 17, interpolation: .bicubic, borderMode: .constant, fill: [10, 200, 30])
        let out = try OpHarness.apply(Rotate(), p, to: input)
        #expect(KernelFixtures.difference(out, try KernelFixtures.load("rotate17_bicubic_constant")).max == 0)
    }

    @Test func rotateReadsItsSpecAndDrawsWithinTheLimit() throws {
        let op = try OpHarness.op(#"{"op": "Rotate", "p": 1, "limit": [10, 20], "interpolation": "nearest", "borderMode": "wrap", "fill": [1, 2, 3]}"#)
        for s in 0..<20 {
            let (applied, _, _) = try OpHarness.run(op, on: TestImages.pattern(), sample: "\(s)")
            let p = try ParameterCoding.decode(Rotate.Parameters.self, from: applied[0].parameters, at: "$")
            #expect((10...20).contains(p.angle))
            #expect(p.interpolation == .nearest && p.borderMode == .wrap && p.fill == [1, 2, 3])
        }
    }

    @Test func rotateRejectsBadSpecsWithPaths() throws {
        #expect(try OpHarness.problems(#"{"op": "Rotate", "limit": [0, 400]}"#).contains { $0.contains("$.limit") })
        #expect(try OpHarness.problems(#"{"op": "Rotate", "borderMode": "mirror"}"#).contains { $0.contains("$.borderMode") })
        #expect(try OpHarness.problems(#"{"op": "Rotate", "fill": []}"#).contains { $0.contains("$.fill") })
    }

    @Test func halfTurnOfAnOddSquareIsExact() throws {
        let image = TestImages.make(width: 3, height: 3, channels: 2, depth: .uint16) { x, y, c in (y * 3 + x) * 1000 + c }
        let out = try OpHarness.apply(Rotate(), Rotate.Parameters(angle: 180), to: image)
        #expect(out.words == image.words.chunked(2).reversed().flatMap { $0 })
    }

    // MARK: RandomResizedCrop

    @Test(arguments: [PixelDepth.uint8, .uint16], Interpolation.allCases)
    func fullImageCropAtTheSameSizeIsIdentity(_ depth: PixelDepth, _ interpolation: Interpolation) throws {
        let image = TestImages.pattern(depth: depth)
        let p = RandomResizedCrop.Parameters(x: 0, y: 0, width: image.width, height: image.height,
                                             outputWidth: image.width, outputHeight: image.height, interpolation: interpolation)
        #expect(try OpHarness.apply(RandomResizedCrop(height: 1, width: 1), p, to: image) == image)
    }

    @Test func cropThenResizeMatchesTheResizeFixture() throws {
        let input = try KernelFixtures.input
        let p = RandomResizedCrop.Parameters(x: 0, y: 0, width: input.width, height: input.height, outputWidth: 29, outputHeight: 23)
        let out = try OpHarness.apply(RandomResizedCrop(height: 23, width: 29), p, to: input)
        #expect(KernelFixtures.difference(out, try KernelFixtures.load("resize_bilinear_29x23")).max <= 1)
    }

    @Test func sampledCropsAlwaysFitAndRespectScaleAndRatio() {
        let op = RandomResizedCrop(height: 8, width: 8)
        for (w, h) in [(40, 30), (5, 200), (1, 1), (300, 2), (7, 7)] {
            for s in 0..<50 {
                var rng = CounterRandom(seed: 1, stage: "t", sample: "\(w)x\(h)#\(s)")
                let p = op.sampleParameters(for: ImageInfo(width: w, height: h, channels: 3), using: &rng)
                #expect(p.x >= 0 && p.y >= 0 && p.width > 0 && p.height > 0 && p.x + p.width <= w && p.y + p.height <= h)
            }
        }
        // On a roomy image the first attempt nearly always succeeds: area fraction in [0.08, 1], ratio in [3/4, 4/3]
        // up to rounding.
        for s in 0..<50 {
            var rng = CounterRandom(seed: 2, stage: "t", sample: "\(s)")
            let p = op.sampleParameters(for: ImageInfo(width: 400, height: 300, channels: 3), using: &rng)
            let fraction = Double(p.width * p.height) / 120_000
            #expect(fraction >= 0.07 && fraction <= 1.0)
            #expect(Double(p.width) / Double(p.height) >= 0.74 && Double(p.width) / Double(p.height) <= 1.35)
        }
    }

    @Test func fallbackIsTheCentralCropWithClampedRatio() {
        // scale > what fits: every attempt fails, so the fallback picks the central crop with ratio clamped to 4/3.
        var rng = CounterRandom(seed: 3, stage: "t", sample: "x")
        let (x, y, w, h) = RandomResizedCrop.sampleCrop(width: 100, height: 10, scale: 1...1, ratio: 0.75...(4.0 / 3), using: &rng)
        #expect((x, y, w, h) == (43, 0, 13, 10))
    }

    @Test func replayedCropThatDoesNotFitThrowsANamedError() throws {
        let p = RandomResizedCrop.Parameters(x: 5, y: 5, width: 30, height: 30, outputWidth: 4, outputHeight: 4)
        #expect(throws: AugmentationError(op: "RandomResizedCrop", "crop 30x30 at (5, 5) does not fit a 23x17 image")) {
            try OpHarness.apply(RandomResizedCrop(height: 4, width: 4), p, to: TestImages.pattern())
        }
    }

    @Test func sizeIsRequiredAndValidated() throws {
        #expect(try OpHarness.problems(#"{"op": "RandomResizedCrop"}"#).contains { $0.contains("size") })
        #expect(try OpHarness.problems(#"{"op": "RandomResizedCrop", "size": [0, 3]}"#).contains { $0.contains("$.size") })
        #expect(try OpHarness.problems(#"{"op": "RandomResizedCrop", "size": [3, 3], "ratio": [0, 2]}"#).contains { $0.contains("$.ratio") })
    }
}

fileprivate extension Array {
    func chunked(_ n: Int) -> [[Element]] {
        stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) }
    }
}
