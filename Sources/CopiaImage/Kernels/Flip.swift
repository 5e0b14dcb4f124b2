import CCopiaPixels

/// Pure flip kernels: no randomness, exact.
public enum FlipKernels {
    /// Mirrors left-right (OpenCV `flip(src, 1)`).
    public static func horizontal(_ image: Image) -> Image {
        if image.depth == .uint8 {
            // Written in full by the C kernel: no copy or zero fill first.
            let (w, h, cn) = (image.width, image.height, image.channels)
            let bytes = [UInt8](unsafeUninitializedCapacity: image.bytes.count) { d, count in
                image.bytes.withUnsafeBufferPointer { s in
                    if let sp = s.baseAddress, let dp = d.baseAddress { ccopia_flip_horizontal_u8(sp, dp, w, h, Int32(cn)) }
                }
                count = image.bytes.count
            }
            return Image(width: w, height: h, channels: cn, bytes: bytes)
        }
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
                guard let sb = s.baseAddress, let db = d.baseAddress else { return }
                let rowLength = width * channels
                for y in 0..<height {
                    let from = sb + y * rowLength, to = db + y * rowLength
                    // A loop per channel count, so the copy is a fixed-size move the compiler can unroll.
                    switch channels {
                    case 1: for x in 0..<width { to[width - 1 - x] = from[x] }
                    case 3:
                        for x in 0..<width {
                            let i = x * 3, j = (width - 1 - x) * 3
                            to[j] = from[i]; to[j + 1] = from[i + 1]; to[j + 2] = from[i + 2]
                        }
                    default:
                        for x in 0..<width {
                            let i = x * channels, j = (width - 1 - x) * channels
                            for c in 0..<channels { to[j + c] = from[i + c] }
                        }
                    }
                }
            }
        }
    }

    private static func reverseRows<T>(_ src: [T], _ dst: inout [T], rowLength: Int, height: Int) {
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                guard let sb = s.baseAddress, let db = d.baseAddress, rowLength > 0 else { return }
                for y in 0..<height {
                    (db + (height - 1 - y) * rowLength).update(from: sb + y * rowLength, count: rowLength)
                }
            }
        }
    }
}
