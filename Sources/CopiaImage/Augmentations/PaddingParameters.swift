import CopiaCore

/// The resolved parameters of the padding ops (`Pad`, `PadIfNeeded`): pixels added on each side and how they are filled.
public struct PaddingParameters: Codable, Sendable, Equatable {
    public var top: Int, bottom: Int, left: Int, right: Int
    public var borderMode: BorderMode
    public var fill: [Double]

    public init(top: Int, bottom: Int, left: Int, right: Int, borderMode: BorderMode = .constant, fill: [Double] = [0]) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
        (self.borderMode, self.fill) = (borderMode, fill)
    }

    func outputInfo(for input: ImageInfo) -> ImageInfo {
        ImageInfo(width: input.width + left + right, height: input.height + top + bottom, channels: input.channels, depth: input.depth)
    }

    func apply(_ image: Image, op: String) throws -> Image {
        guard top >= 0, bottom >= 0, left >= 0, right >= 0, top + bottom <= 65_536, left + right <= 65_536 else {
            throw AugmentationError(op: op, "padding must be in 0...65536, got top \(top), bottom \(bottom), left \(left), right \(right)")
        }
        return GeometryKernels.pad(image, top: top, bottom: bottom, left: left, right: right, border: borderMode, fill: fill)
    }
}
