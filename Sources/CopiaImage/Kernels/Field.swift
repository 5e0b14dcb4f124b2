/// Kernels on scalar fields (displacement maps), not images.
public enum FieldKernels {
    /// Smooths a `width` x `height` field with a Gaussian of `sigma` (OpenCV's kernel size rule for float data,
    /// `round(8 sigma + 1) | 1`, capped at twice the field size), reflect101 borders.
    public static func smoothed(_ field: [Float], width: Int, height: Int, sigma: Double) -> [Float] {
        var n = Int((sigma * 8 + 1).rounded()) | 1
        n = min(n, (2 * max(width, height)) | 1)
        let k = FilterKernels.openCVGaussian(size: n, sigma: sigma)
        return FilterKernels.separable(field, width: width, height: height, channels: 1, kx: k, ky: k)
    }
}
