/// Pure flip kernels: no randomness, exact.
public enum FlipKernels {
    /// Mirrors left-right (OpenCV `flip(src, 1)`).
    public static func horizontal(_ image: Image) -> Image {
        var out = image
        switch image.depth {
        case .uint8: mirrorRows(image.bytes, &out.bytes, width: image.width, height: image.height, channels: image.channels)
        case .uint16: mirrorRows(image.words, &out.words, width: image.width, height: image.height, channels: image.channels)
        }
        return out
    }

    /// Mirrors top-bottom (OpenCV `flip(src, 0)`).
    public static func vertical(_ image: Image) -> Image {
        var out = image
        switch image.depth {
        case .uint8: reverseRows(image.bytes, &out.bytes, rowLength: image.width * image.channels, height: image.height)
        case .uint16: reverseRows(image.words, &out.words, rowLength: image.width * image.channels, height: image.height)
        }
        return out
    }

    private static func mirrorRows<T>(_ src: [T], _ dst: inout [T], width: Int, height: Int, channels: Int) {
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for y in 0..<height {
                    let row = y * width * channels
                    for x in 0..<width {
                        let from = row + x * channels, to = row + (width - 1 - x) * channels
                        for c in 0..<channels { d[to + c] = s[from + c] }
                    }
                }
            }
        }
    }

    private static func reverseRows<T>(_ src: [T], _ dst: inout [T], rowLength: Int, height: Int) {
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for y in 0..<height {
                    let from = y * rowLength, to = (height - 1 - y) * rowLength
                    for i in 0..<rowLength { d[to + i] = s[from + i] }
                }
            }
        }
    }
}
