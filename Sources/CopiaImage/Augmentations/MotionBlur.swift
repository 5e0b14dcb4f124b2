import CopiaCore
import Foundation

/// Blurs along a random line, as a moving camera does (albumentations 2.x `MotionBlur`): a `size` x `size` kernel
/// holding a line at `angle` degrees through the centre, biased forwards or backwards by `direction` (-1...1) and
/// optionally shifted, normalised, applied with `cv2.filter2D` semantics (reflect101). Alpha is kept.
public struct MotionBlur: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var size: Int
        public var angle: Double
        public var direction: Double
        /// Offset of the line from the kernel centre, in pixels.
        public var shiftX: Double, shiftY: Double
        public init(size: Int, angle: Double, direction: Double = 0, shiftX: Double = 0, shiftY: Double = 0) {
            (self.size, self.angle, self.direction, self.shiftX, self.shiftY) = (size, angle, direction, shiftX, shiftY)
        }
    }
    public static let name = "MotionBlur"
    public static let summary = "Blurs along a random line, as camera motion does."
    public var blurLimit: ClosedRange<Int>, angleRange: SpecRange, directionRange: SpecRange, allowShifted: Bool
    public init(blurLimit: ClosedRange<Int> = 3...7, angleRange: SpecRange = SpecRange(0, 360),
                directionRange: SpecRange = SpecRange(-1, 1), allowShifted: Bool = true) {
        (self.blurLimit, self.angleRange, self.directionRange, self.allowShifted) = (blurLimit, angleRange, directionRange, allowShifted)
    }
    public init(reading r: SpecReader) {
        blurLimit = OpFields.intRange(r, "blurLimit", default: (3, 7), within: 3...101, doc: "Range of the kernel size (odd sizes are drawn).")
        angleRange = r.read("angleRange", default: SpecRange(0, 360), within: 0...360, doc: "Range of the line's angle in degrees.")
        directionRange = r.read("directionRange", default: SpecRange(-1, 1), within: -1...1, doc: "Range of the bias: -1 backward only, 0 symmetric, 1 forward only.")
        allowShifted = r.read("allowShifted", default: true, doc: "Allow the line to be shifted off the kernel centre.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        let size = sampleOdd(blurLimit, using: &rng)
        let angle = rng.uniform(angleRange.range), direction = rng.uniform(directionRange.range)
        let half = Double(size / 2) / 2
        let (sx, sy) = allowShifted ? (rng.uniform(-1...1) * half, rng.uniform(-1...1) * half) : (0, 0)
        return Parameters(size: size, angle: angle, direction: direction, shiftX: sx, shiftY: sy)
    }

    /// albumentations' `create_motion_kernel`, with the random shift passed in.
    static func kernel(_ p: Parameters) -> [Float] {
        let n = p.size, center = Double(n / 2), length = Double(n / 2)
        let d = min(max(p.direction, -1), 1)
        let (t0, t1) = d < 0 ? (-length, length * (1 + d)) : (-length * (1 - d), length)
        var k = [Float](repeating: 0, count: n * n)
        let r = p.angle * Double.pi / 180
        for i in 0..<n {
            let t = n == 1 ? t0 : t0 + (t1 - t0) * Double(i) / Double(n - 1)
            let x = min(max((center + cos(r) * t + p.shiftX).rounded(.toNearestOrEven), 0), Double(n - 1))
            let y = min(max((center + sin(r) * t + p.shiftY).rounded(.toNearestOrEven), 0), Double(n - 1))
            k[Int(y) * n + Int(x)] = 1
        }
        let total = k.reduce(0, +)
        return total > 0 ? k.map { $0 / total } : k
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        guard p.size % 2 == 1 && p.size <= 101 else { throw AugmentationError(op: Self.name, "size must be odd and at most 101, got \(p.size)") }
        guard [p.angle, p.direction, p.shiftX, p.shiftY].allSatisfy({ $0.isFinite && abs($0) < 1e6 }) else {
            throw AugmentationError(op: Self.name, "angle, direction and shifts must be finite, got \(p)")
        }
        return FilterKernels.convolve(image, kernel: Self.kernel(p), size: p.size)
    }
}
