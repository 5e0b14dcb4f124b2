/// PIL's `ImageEnhance` adjustments: each blends the image with a *degenerate* version of itself,
/// `out = degenerate + factor * (image - degenerate)`.
///
/// A factor of 1 returns the image, 0 the degenerate image, and factors above 1 push away from it. The blend is done
/// in single precision, clipped to `0...maxValue` and truncated toward zero, as PIL's `Image.blend` (`ImagingBlend`)
/// and torchvision's `_blend` do. At 8-bit the four ops are identical to Pillow 13 on the committed fixtures
/// (`Tests/CopiaImageTests/Fixtures/kernels/enhance_fixtures.py`). 16-bit images use the same formulas on their own range. Colour channels only: alpha passes through (PIL re-attaches the original
/// alpha to its degenerate images, which amounts to the same). The caller checks that `factor` is finite.
public enum EnhanceKernels {
    /// `degenerate + factor * (value - degenerate)` in `Float`, clipped and truncated.
    @inline(__always)
    static func blend(_ value: Int, toward degenerate: Int, factor: Float, maxValue: Int) -> Int {
        let t = Float(degenerate) + factor * Float(value - degenerate)
        return t <= 0 ? 0 : (t >= Float(maxValue) ? maxValue : Int(t))
    }

    /// `ImageEnhance.Brightness`: the degenerate image is black, so this scales every colour sample by `factor`.
    public static func brightness(_ image: Image, factor: Double) -> Image {
        pointwise(image, toward: 0, factor: factor)
    }

    /// `ImageEnhance.Contrast`: the degenerate image is uniform gray at the mean luma, rounded to a whole level
    /// (PIL's `int(mean + 0.5)`). Luma is Copia's BT.601 gray (`ColorSpaceKernels.grayPlane`; the image itself when gray).
    public static func contrast(_ image: Image, factor: Double) -> Image {
        let gray = ColorSpaceKernels.grayPlane(image)
        guard !gray.isEmpty else { return image }
        let mean = Int(Double(gray.reduce(0, +)) / Double(gray.count) + 0.5)
        return pointwise(image, toward: mean, factor: factor)
    }

    /// Blends every colour sample toward one level: through a 256-entry table at 8-bit; directly at 16-bit, where a
    /// 65536-entry table costs more than most images have samples.
    static func pointwise(_ image: Image, toward degenerate: Int, factor: Double) -> Image {
        let f = Float(factor), m = image.depth.maxValue
        if image.depth == .uint8 {
            return ColorKernels.lookup(image, tables: [ColorKernels.table(depth: .uint8) { blend($0, toward: degenerate, factor: f, maxValue: m) }])
        }
        var out = image
        let cn = image.channels, colors = image.info.colorChannels
        out.words.withUnsafeMutableBufferPointer { d in
            for k in 0..<d.count where colors == cn || k % cn < colors {
                d[k] = UInt16(truncatingIfNeeded: blend(Int(d[k]), toward: degenerate, factor: f, maxValue: m))
            }
        }
        return out
    }

    /// `ImageEnhance.Color` (saturation): the degenerate image is each pixel's luma. Gray images have no colour to
    /// change and are returned as they are (PIL's degenerate of an `L` image is the image itself).
    public static func color(_ image: Image, factor: Double) -> Image {
        guard image.channels >= 3 else { return image }
        let gray = ColorSpaceKernels.grayPlane(image)
        let f = Float(factor), m = image.depth.maxValue, cn = image.channels
        var out = image
        func run<T: ImageSample>(_ samples: inout [T]) {
            samples.withUnsafeMutableBufferPointer { d in
                gray.withUnsafeBufferPointer { g in
                    for i in 0..<g.count {
                        for c in 0..<3 {
                            let k = i * cn + c
                            d[k] = T(truncatingIfNeeded: blend(Int(d[k]), toward: g[i], factor: f, maxValue: m))
                        }
                    }
                }
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    /// `ImageEnhance.Sharpness`: the degenerate image is PIL's `ImageFilter.SMOOTH` (the 3x3 kernel
    /// `[1 1 1; 1 5 1; 1 1 1] / 13`, rounded to the nearest level) inside a one-pixel frame that keeps the original
    /// samples, as PIL's 3x3 filter and torchvision's `adjust_sharpness` leave the border. Images narrower or shorter
    /// than 3 pixels are returned as they are (their degenerate image is the image).
    public static func sharpness(_ image: Image, factor: Double) -> Image {
        let w = image.width, h = image.height, cn = image.channels, colors = image.info.colorChannels
        guard w >= 3, h >= 3 else { return image }
        let f = Float(factor), m = image.depth.maxValue
        var out = image
        func run<T: ImageSample>(_ source: [T], _ samples: inout [T]) {
            source.withUnsafeBufferPointer { s in
                samples.withUnsafeMutableBufferPointer { d in
                    for y in 1..<(h - 1) {
                        for x in 1..<(w - 1) {
                            for c in 0..<colors {
                                let k = (y * w + x) * cn + c, up = k - w * cn, down = k + w * cn
                                var sum = 5 * Int(s[k]) + Int(s[k - cn]) + Int(s[k + cn])
                                sum += Int(s[up - cn]) + Int(s[up]) + Int(s[up + cn])
                                sum += Int(s[down - cn]) + Int(s[down]) + Int(s[down + cn])
                                // round(sum / 13) exactly: a multiple of 1/13 is never a half.
                                let smooth = (2 * sum + 13) / 26
                                d[k] = T(truncatingIfNeeded: blend(Int(s[k]), toward: smooth, factor: f, maxValue: m))
                            }
                        }
                    }
                }
            }
        }
        if image.depth == .uint8 { run(image.bytes, &out.bytes) } else { run(image.words, &out.words) }
        return out
    }
}
