import CopiaCore

/// How a resampling kernel reads between pixels. The names are Copia's; the behaviour is OpenCV's `INTER_*` flag of the
/// same kind, which albumentations passes through.
public enum Interpolation: String, SpecEnum, Codable, Sendable {
    /// The pixel whose centre is nearest (`INTER_NEAREST`). Exact: no new sample values.
    case nearest
    /// Linear in x and y between the four nearest pixels (`INTER_LINEAR`).
    case bilinear
    /// Keys' cubic convolution with a = -0.75 over 4x4 pixels (`INTER_CUBIC`).
    case bicubic
    /// Pixel-area averaging when shrinking, bilinear-like when enlarging (`INTER_AREA`). Warps treat it as bilinear,
    /// as OpenCV's `warpAffine` does.
    case area
}

/// What a kernel reads outside the image, named as OpenCV's `BORDER_*` (with `abcdefgh` the row):
/// `constant` `iiiiii|abcdefgh|iiiiiii` (a fill value), `replicate` `aaaaaa|abcdefgh|hhhhhhh`,
/// `reflect` `fedcba|abcdefgh|hgfedcb`, `reflect101` `gfedcb|abcdefgh|gfedcba`, `wrap` `cdefgh|abcdefgh|abcdefg`.
public enum BorderMode: String, SpecEnum, Codable, Sendable {
    case constant
    case reflect101
    case reflect
    case replicate
    case wrap

    /// The mode's number in CCopiaPixels (`CCOPIA_BORDER_*`).
    var cCode: Int32 {
        switch self {
        case .constant: 0
        case .reflect101: 1
        case .reflect: 2
        case .replicate: 3
        case .wrap: 4
        }
    }

    /// The index inside `0..<length` that position `p` reads, or -1 for `constant` outside the image
    /// (OpenCV's `borderInterpolate`). `length` must be positive.
    @inlinable
    public func index(_ p: Int, length: Int) -> Int {
        if UInt(bitPattern: p) < UInt(length) { return p }
        switch self {
        case .constant:
            return -1
        case .replicate:
            return p < 0 ? 0 : length - 1
        case .reflect, .reflect101:
            if length == 1 { return 0 }
            let delta = self == .reflect101 ? 1 : 0
            var p = p
            // Several bounces when a warp reads far outside a small image.
            let period = 2 * length - 2 * delta
            if period > 0 {
                p %= period
                if p < 0 { p += period }
            }
            while UInt(bitPattern: p) >= UInt(length) {
                p = p < 0 ? -p - 1 + delta : length - 1 - (p - length) - delta
            }
            return p
        case .wrap:
            var q = p % length
            if q < 0 { q += length }
            return q
        }
    }
}

/// Per-channel fill values for `BorderMode.constant`: one value fills every channel; a shorter list leaves the rest 0
/// (as OpenCV's `borderValue` scalar does). Values are clamped and rounded to the image's depth.
@usableFromInline
func fillSamples(_ fill: [Double], channels: Int, depth: PixelDepth) -> [Int] {
    (0..<channels).map { c in
        let v = fill.count == 1 ? fill[0] : (c < fill.count ? fill[c] : 0)
        return Int(min(max(v.rounded(.toNearestOrEven), 0), Double(depth.maxValue)))
    }
}

/// The unsigned sample types of `Image`, so that one generic loop serves 8-bit and 16-bit.
public protocol ImageSample: FixedWidthInteger & UnsignedInteger & Sendable {}
extension UInt8: ImageSample {}
extension UInt16: ImageSample {}

extension Double {
    /// OpenCV's `saturate_cast` of a double to a sample: round half to even, clamp to `0...maxValue`.
    @inlinable
    func saturatedSample(_ maxValue: Int) -> Int {
        guard self == self else { return 0 }  // NaN reads as 0, as OpenCV's cvRound gives INT_MIN then saturates
        let r = rounded(.toNearestOrEven)
        return r <= 0 ? 0 : (r >= Double(maxValue) ? maxValue : Int(r))
    }
}

// MARK: - Fast conversions for hot loops

/// Rounds half to even and clamps to `0...maxValue`, without a libm call or the generic integer-from-float path
/// (the `1.5 * 2^23` trick is exact for the magnitudes samples have). NaN becomes 0.
@inlinable @inline(__always)
func sampleFromFloat<T: ImageSample>(_ v: Float, maxValue: Int) -> T {
    // Selects, not branches, so loops over it vectorise; `v > 0` is false for NaN.
    let m = Float(maxValue)
    var c = v > 0 ? v : 0
    c = c < m ? c : m
    let r = (c + 12_582_912) - 12_582_912
    return T(truncatingIfNeeded: Int32(r))
}

/// `floor(v)` as an integer and the fraction `v - floor(v)`, for |v| < 2^24 (no libm call).
@inlinable @inline(__always)
func floorAndFraction(_ v: Float) -> (Int, Float) {
    var i = Int32(v)
    if Float(i) > v { i -= 1 }
    return (Int(i), v - Float(i))
}
