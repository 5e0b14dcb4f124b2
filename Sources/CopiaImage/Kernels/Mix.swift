/// Pure kernels that combine two images of the same shape.
public enum MixKernels {
    /// `lambda * a + (1 - lambda) * b`, rounded half away from zero (MixUp, Zhang et al., 2018).
    /// - Precondition: `a` and `b` have the same shape (`MixUp` resizes the partner first).
    public static func blend(_ a: Image, _ b: Image, lambda: Double) -> Image {
        precondition(a.info == b.info, "blend needs images of one shape, got \(a.info) and \(b.info)")
        var out = a
        switch a.depth {
        case .uint8: blend(a.bytes, b.bytes, &out.bytes, lambda)
        case .uint16: blend(a.words, b.words, &out.words, lambda)
        }
        return out
    }

    private static func blend<T: FixedWidthInteger & UnsignedInteger>(_ a: [T], _ b: [T], _ out: inout [T], _ lambda: Double) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    for i in 0..<pa.count {
                        po[i] = T((lambda * Double(pa[i]) + (1 - lambda) * Double(pb[i])).rounded())
                    }
                }
            }
        }
    }

    /// `a` with the rectangle (x, y, width, height) replaced by the same rectangle of `b` (CutMix, Yun et al., 2019).
    /// - Precondition: same shapes, and the rectangle lies inside.
    public static func paste(_ a: Image, from b: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        precondition(a.info == b.info, "paste needs images of one shape, got \(a.info) and \(b.info)")
        precondition(x >= 0 && y >= 0 && x + width <= a.width && y + height <= a.height, "rectangle outside the image")
        var out = a
        let rowLength = width * a.channels
        for row in y..<(y + height) {
            let start = (row * a.width + x) * a.channels
            switch a.depth {
            case .uint8: out.bytes.replaceSubrange(start..<(start + rowLength), with: b.bytes[start..<(start + rowLength)])
            case .uint16: out.words.replaceSubrange(start..<(start + rowLength), with: b.words[start..<(start + rowLength)])
            }
        }
        return out
    }
}
