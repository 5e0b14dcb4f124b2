/// Kernels on scalar fields (displacement maps), not images.
public enum FieldKernels {
    /// Smooths a `width` x `height` field with a Gaussian of `sigma` (OpenCV's kernel size rule for float data,
    /// `round(8 sigma + 1) | 1`, capped at twice the field size), reflect101 borders.
    public static func smoothed(_ field: [Float], width: Int, height: Int, sigma: Double) -> [Float] {
        var n = Int((sigma * 8 + 1).rounded()) | 1
        n = min(n, (2 * max(width, height)) | 1)
        let k = FilterKernels.openCVGaussian(size: n, sigma: sigma)
        let r = n / 2
        var tmp = [Float](repeating: 0, count: field.count)
        var out = tmp
        let xs = (-r..<(width + r)).map { BorderMode.reflect101.index($0, length: width) }
        let ys = (-r..<(height + r)).map { BorderMode.reflect101.index($0, length: height) }
        field.withUnsafeBufferPointer { f in
            tmp.withUnsafeMutableBufferPointer { t in
                for y in 0..<height {
                    for x in 0..<width {
                        var acc: Float = 0
                        for j in 0..<n { acc += f[y * width + xs[x + j]] * k[j] }
                        t[y * width + x] = acc
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<height {
                    for x in 0..<width {
                        var acc: Float = 0
                        for j in 0..<n { acc += t[ys[y + j] * width + x] * k[j] }
                        o[y * width + x] = acc
                    }
                }
            }
        }
        return out
    }
}
