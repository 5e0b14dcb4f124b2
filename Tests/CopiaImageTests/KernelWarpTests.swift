import Testing
@testable import CopiaImage

@Suite struct KernelWarpTests {
    static let borders: [BorderMode] = BorderMode.allCases
    static let fill: [Double] = [10, 200, 30]

    @Test(arguments: [("nearest", Interpolation.nearest), ("bilinear", .bilinear), ("bicubic", .bicubic)],
          BorderMode.allCases)
    func rotationMatchesOpenCVExactly(_ named: (String, Interpolation), _ border: BorderMode) throws {
        guard named.1 == .bilinear || border == .constant || border == .reflect101 else { return }
        let input = try KernelFixtures.input
        let expected = try KernelFixtures.load("rotate17_\(named.0)_\(border.rawValue)")
        let m = AffineMatrix.rotation(degrees: 17, center: AffineMatrix.center(width: input.width, height: input.height))
        let out = WarpKernels.affine(input, matrix: m, width: input.width, height: input.height,
                                     interpolation: named.1, border: border, fill: Self.fill)
        let diff = KernelFixtures.difference(out, expected)
        #expect(diff.max == 0, "rotate \(named.0) \(border): max diff \(diff.max), \(diff.count) samples differ")
    }

    @Test func sixteenBitRotationMatchesOpenCV() throws {
        let input = try KernelFixtures.input16
        let expected = try KernelFixtures.load("rotate17_bilinear_reflect101_16bit")
        let m = AffineMatrix.rotation(degrees: 17, center: AffineMatrix.center(width: input.width, height: input.height))
        let out = WarpKernels.affine(input, matrix: m, width: input.width, height: input.height, border: .reflect101)
        let diff = KernelFixtures.difference(out, expected)
        #expect(diff.max <= 1, "16-bit rotate: max diff \(diff.max), \(diff.count) samples differ")
    }

    @Test func generalAffineMatchesOpenCV() throws {
        let input = try KernelFixtures.input
        let expected = try KernelFixtures.load("affine_bilinear_reflect101_37x33")
        let out = WarpKernels.affine(input, matrix: AffineMatrix(1.21, 0.18, -4.5, -0.1, 0.93, 3.25), width: 37, height: 33,
                                     border: .reflect101)
        let diff = KernelFixtures.difference(out, expected)
        #expect(diff.max == 0, "affine: max diff \(diff.max), \(diff.count) samples differ")
    }

    @Test(arguments: Interpolation.allCases, [PixelDepth.uint8, .uint16])
    func identityWarpIsExact(_ interpolation: Interpolation, _ depth: PixelDepth) {
        let image = TestImages.pattern(depth: depth)
        let out = WarpKernels.affine(image, matrix: .identity, width: image.width, height: image.height, interpolation: interpolation)
        #expect(out == image)
    }

    @Test func halfPixelShiftAveragesNeighbours() {
        // Shifting left by half a pixel makes each output the mean of two neighbours (rounded half to even, as OpenCV 5).
        let image = TestImages.make(width: 4, height: 1) { x, _, _ in [0, 10, 21, 100][x] }
        let out = WarpKernels.affine(image, matrix: AffineMatrix(1, 0, -0.5, 0, 1, 0), width: 4, height: 1, border: .replicate)
        #expect(out.bytes == [5, 16, 60, 100])
    }

    @Test func quarterTurnMovesCornersExactly() {
        // 90 degrees counter-clockwise about the centre of a square: the top-right pixel goes to the top-left.
        let image = TestImages.make(width: 3, height: 3) { x, y, _ in y * 3 + x }
        let m = AffineMatrix.rotation(degrees: 90, center: AffineMatrix.center(width: 3, height: 3))
        let out = WarpKernels.affine(image, matrix: m, width: 3, height: 3, interpolation: .nearest)
        #expect(out.bytes == [2, 5, 8, 1, 4, 7, 0, 3, 6])
    }

    @Test func borderIndicesFollowOpenCV() {
        // abcdefgh with a = 0: positions -3...10.
        let expected: [BorderMode: [Int]] = [
            .reflect101: [3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4],
            .reflect: [2, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5],
            .replicate: [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7],
            .wrap: [5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2],
            .constant: [-1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, -1, -1, -1],
        ]
        for (mode, indices) in expected {
            #expect((-3...10).map { mode.index($0, length: 8) } == indices, "\(mode)")
        }
        #expect(BorderMode.reflect101.index(-100, length: 1) == 0)
        #expect((-40...40).allSatisfy { (0..<3).contains(BorderMode.reflect.index($0, length: 3)) })
    }

    @Test func emptyAndSingularInputsDoNotCrash() {
        let empty = Image(info: ImageInfo(width: 0, height: 0, channels: 3))
        let out = WarpKernels.affine(empty, matrix: .identity, width: 4, height: 2, fill: [7])
        #expect(out.bytes == Array(repeating: 7, count: 24))
        let image = TestImages.pattern()
        let singular = WarpKernels.affine(image, matrix: AffineMatrix(0, 0, 0, 0, 0, 0), width: 5, height: 5)
        #expect(singular.width == 5)
    }
}
