import CCopiaPixels

/// Point-wise colour kernels: each output sample depends only on the input sample (and, for some, its channel).
///
/// Colour ops change colour channels only: the alpha channel of gray+alpha and RGBA images passes through unchanged
/// (albumentations, which does not know which channel is alpha, would change it too).
public enum ColorKernels {
    /// Applies a lookup table per colour channel: `tables[c][v]` (or `tables[0]` for every channel when there is one).
    /// Each table must hold `maxValue + 1` entries.
    public static func lookup(_ image: Image, tables: [[Int]]) -> Image {
        precondition(!tables.isEmpty && tables.allSatisfy { $0.count == image.depth.maxValue + 1 },
                     "lookup tables need \(image.depth.maxValue + 1) entries")
        var out = image
        switch image.depth {
        case .uint8:
            var flat = [UInt8](repeating: 0, count: 256 * tables.count)
            for (k, t) in tables.enumerated() { for v in 0..<256 { flat[k * 256 + v] = UInt8(clamping: t[v]) } }
            let info = image.info
            image.bytes.withUnsafeBufferPointer { s in
                out.bytes.withUnsafeMutableBufferPointer { d in
                    guard let sp = s.baseAddress, let dp = d.baseAddress else { return }
                    ccopia_lut_u8(sp, dp, info.pixelCount, Int32(info.channels), Int32(info.colorChannels), flat, Int32(tables.count))
                }
            }
        case .uint16:
            let t = tables.map { $0.map { UInt16(clamping: $0) } }
            lookup(image.words, &out.words, info: image.info, tables: t)
        }
        return out
    }

    static func lookup<T: ImageSample>(_ src: [T], _ dst: inout [T], info: ImageInfo, tables: [[T]]) {
        let cn = info.channels, colors = info.colorChannels
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for c in 0..<colors {
                    tables[tables.count == 1 ? 0 : min(c, tables.count - 1)].withUnsafeBufferPointer { t in
                        var i = c
                        while i < s.count {
                            d[i] = t[Int(s[i])]
                            i += cn
                        }
                    }
                }
            }
        }
    }

    /// A table of `f(v)` for every sample value `v`, clamped to the depth's range.
    public static func table(depth: PixelDepth, _ f: (Int) -> Int) -> [Int] {
        let m = depth.maxValue
        return (0...m).map { min(max(f($0), 0), m) }
    }

    /// `v * alpha + beta`, clipped, then truncated toward zero, as albucore's `multiply_add` (albumentations'
    /// `RandomBrightnessContrast`): a single-precision lookup table at 8-bit, double precision at 16-bit.
    public static func multiplyAdd(_ image: Image, alpha: Double, beta: Double) -> Image {
        let m = image.depth.maxValue
        let t: [Int]
        if image.depth == .uint8 {
            t = multiplyAddTable8(alpha: alpha, beta: beta).map(Int.init)
        } else {
            t = (0...m).map { v in
                let r = Double(v) * alpha + beta
                return r >= Double(m) ? m : (r > 0 ? Int(r) : 0)
            }
        }
        return lookup(image, tables: [t])
    }

    /// The 8-bit table of `multiplyAdd`: `v * alpha + beta` in `Float`, clipped to 0...255, truncated.
    static func multiplyAddTable8(alpha: Double, beta: Double) -> [UInt8] {
        let a = Float(alpha), b = Float(beta)
        return (0...255).map { v in
            let r = Float(v) * a + b
            return r >= 255 ? 255 : (r > 0 ? UInt8(r) : 0)
        }
    }

    /// The mean of the colour samples (alpha excluded), 0 for an empty image.
    public static func mean(_ image: Image) -> Double {
        let cn = image.channels, colors = image.info.colorChannels
        var total = 0.0
        func sum<T: ImageSample>(_ a: [T]) {
            a.withUnsafeBufferPointer { s in
                for i in 0..<s.count where cn == colors || i % cn < colors { total += Double(s[i]) }
            }
        }
        if image.depth == .uint8 { sum(image.bytes) } else { sum(image.words) }
        let n = image.info.pixelCount * colors
        return n > 0 ? total / Double(n) : 0
    }
}

extension ColorKernels {
    /// `v * factor + gray * (1 - factor)` per colour channel, rounded (`cv2.addWeighted` with the gray image, as
    /// torchvision's `adjust_saturation`).
    public static func blendWithGray(_ image: Image, factor: Double) -> Image {
        guard image.channels >= 3 else { return image }
        var out = image
        if image.depth == .uint8 {
            let n = image.info.pixelCount, cn = Int32(image.channels)
            out.bytes.withUnsafeMutableBufferPointer { d in
                guard let dp = d.baseAddress else { return }
                ccopia_blend_gray_u8(dp, n, cn, factor)
            }
            return out
        }
        let gray = ColorSpaceKernels.grayPlane(image)
        let cn = image.channels, m = image.depth.maxValue
        func run<T: ImageSample>(_ d: inout [T]) {
            d.withUnsafeMutableBufferPointer { d in
                for (i, g) in gray.enumerated() {
                    for c in 0..<3 {
                        d[i * cn + c] = T(truncatingIfNeeded: (Double(d[i * cn + c]) * factor + Double(g) * (1 - factor)).saturatedSample(m))
                    }
                }
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    /// Adds a per-channel constant (clipped, truncated as albucore's `add_constant`): `RGBShift`.
    public static func addPerChannel(_ image: Image, _ shifts: [Double]) -> Image {
        let m = image.depth.maxValue
        let tables = (0..<image.info.colorChannels).map { c -> [Int] in
            let s = c < shifts.count ? shifts[c] : 0
            return (0...m).map { v in
                let r = Double(v) + s
                return r >= Double(m) ? m : (r > 0 ? Int(r) : 0)
            }
        }
        return lookup(image, tables: tables)
    }

    /// Reorders the colour channels: output channel `c` takes input channel `order[c]` (alpha stays last).
    public static func permuteChannels(_ image: Image, order: [Int]) -> Image {
        var out = image
        let cn = image.channels, n = image.info.pixelCount
        func run<T: ImageSample>(_ s: [T], _ d: inout [T]) {
            for i in 0..<n { for (c, from) in order.enumerated() { d[i * cn + c] = s[i * cn + from] } }
        }
        if image.depth == .uint8 { run(image.bytes, &out.bytes) } else { run(image.words, &out.words) }
        return out
    }
}
