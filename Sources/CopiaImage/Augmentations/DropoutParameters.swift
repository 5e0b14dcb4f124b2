import CopiaCore

/// The resolved parameters of the dropout ops (`CoarseDropout`, `GridDropout`, `Erasing`): rectangles
/// `[x, y, width, height]` filled with a constant.
public struct DropoutParameters: Codable, Sendable, Equatable {
    public var holes: [[Int]]
    public var fill: [Double]
    public init(holes: [[Int]], fill: [Double] = [0]) { (self.holes, self.fill) = (holes, fill) }

    func apply(_ image: Image, op: String) throws -> Image {
        guard holes.allSatisfy({ $0.count == 4 && $0[2] >= 0 && $0[3] >= 0 && $0.allSatisfy { abs($0) < 1 << 31 } }) else {
            throw AugmentationError(op: op, "holes must be [x, y, width, height] with non-negative sizes, got \(holes)")
        }
        return holes.isEmpty ? image : GeometryKernels.fillRectangles(image, holes, fill: fill)
    }
}
