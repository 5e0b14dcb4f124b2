/// Tiles a batch of images into one 8-bit picture, for TensorBoard image summaries of generated samples.
public struct ImageGrid: Sendable, Equatable {
    public var width: Int, height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// Row-major interleaved bytes.
    public var pixels: [UInt8]

    /// Lays out `images` (`[n, channels, h, w]`, channels 1 or 3) in rows of `columns`, separated by `padding` black
    /// pixels. Values are mapped from `range` to 0...255 and clamped; NaN becomes 0.
    public init(_ images: Tensor, columns: Int = 8, padding: Int = 2, range: ClosedRange<Float> = 0...1) {
        precondition(images.rank == 4 && [1, 3].contains(images.shape[1]),
                     "ImageGrid expects [n, 1 or 3, h, w], got \(images.shape)")
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let cols = Swift.max(1, Swift.min(columns, n)), rows = Swift.max(1, (n + cols - 1) / cols)
        width = cols * w + (cols + 1) * padding
        height = rows * h + (rows + 1) * padding
        channels = c
        var px = [UInt8](repeating: 0, count: width * height * c)
        let scale = 255 / (range.upperBound - range.lowerBound)
        for k in 0..<n {
            let x0 = padding + (k % cols) * (w + padding), y0 = padding + (k / cols) * (h + padding)
            for ch in 0..<c { for y in 0..<h { for x in 0..<w {
                let v = (images.scalars[((k * c + ch) * h + y) * w + x] - range.lowerBound) * scale
                let byte: UInt8 = v.isNaN ? 0 : UInt8(Swift.max(0, Swift.min(255, v.rounded())))
                px[((y0 + y) * width + x0 + x) * c + ch] = byte
            } } }
        }
        pixels = px
    }

    /// The grid as PNG bytes (see `PNGWriter`).
    public var png: [UInt8] { PNGWriter.encode(width: width, height: height, channels: channels, pixels: pixels) }
}
