import CCopiaPixels

/// Colour-space kernels: gray, HSV and histogram equalisation, matching OpenCV's `cvtColor` and `equalizeHist`.
///
/// Images are RGB(A) in channel order. Alpha passes through. 8-bit HSV follows OpenCV's `COLOR_RGB2HSV` exactly
/// (H in 0..<180, S and V in 0...255, integer arithmetic with 12-bit reciprocal tables) and `COLOR_HSV2RGB`'s float
/// path; 16-bit images, which OpenCV cannot convert, use the same formulas in `Float` with H in degrees.
public enum ColorSpaceKernels {
    // MARK: - Gray

    /// ITU-R BT.601 luma as OpenCV computes it: `(4899 R + 9617 G + 1868 B + 2^13) >> 14`.
    @inline(__always) static func luma(_ r: Int, _ g: Int, _ b: Int) -> Int { (r * 4899 + g * 9617 + b * 1868 + 8192) >> 14 }

    /// The luma of every pixel (the image itself for gray input): `cv2.cvtColor(img, COLOR_RGB2GRAY)`.
    public static func grayPlane(_ image: Image) -> [Int] {
        let cn = image.channels, n = image.info.pixelCount
        if image.depth == .uint8 && cn >= 3 && MemoryLayout<Int>.size == MemoryLayout<Int64>.size {
            return [Int](unsafeUninitializedCapacity: n) { out, count in
                image.bytes.withUnsafeBufferPointer { s in
                    if n > 0 { ccopia_gray_u8(s.baseAddress!, n, Int32(cn), UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Int64.self)) }
                }
                count = n
            }
        }
        func plane<T: ImageSample>(_ s: [T]) -> [Int] {
            s.withUnsafeBufferPointer { s in
                (0..<n).map { i in cn >= 3 ? luma(Int(s[i * cn]), Int(s[i * cn + 1]), Int(s[i * cn + 2])) : Int(s[i * cn]) }
            }
        }
        return image.depth == .uint8 ? plane(image.bytes) : plane(image.words)
    }

    /// Replaces the colour channels by luma, keeping the channel count (albumentations `ToGray` with 3 output channels).
    public static func toGray(_ image: Image) -> Image {
        guard image.channels >= 3 else { return image }
        let gray = grayPlane(image)
        var out = image
        func run<T: ImageSample>(_ d: inout [T]) {
            let cn = image.channels
            for (i, g) in gray.enumerated() { for c in 0..<3 { d[i * cn + c] = T(truncatingIfNeeded: g) } }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    // MARK: - HSV

    static let sdiv: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(255 << 12) / Double($0)).rounded(.toNearestOrEven)) }
    static let hdiv: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(180 << 12) / (6 * Double($0))).rounded(.toNearestOrEven)) }

    static let sdiv32: [Int32] = sdiv.map { Int32($0) }
    static let hdiv32: [Int32] = hdiv.map { Int32($0) }

    /// OpenCV's 8-bit `RGB2HSV`: (h 0..<180, s, v).
    @inline(__always)
    static func hsv8(_ r: Int, _ g: Int, _ b: Int) -> (Int, Int, Int) {
        sdiv.withUnsafeBufferPointer { sd in hdiv.withUnsafeBufferPointer { hd in hsv8(r, g, b, sd, hd) } }
    }

    /// `hsv8` with the reciprocal tables passed in, so hot loops look them up once.
    @inline(__always)
    static func hsv8(_ r: Int, _ g: Int, _ b: Int, _ sdiv: UnsafeBufferPointer<Int>, _ hdiv: UnsafeBufferPointer<Int>) -> (Int, Int, Int) {
        let v = max(r, g, b), vmin = min(r, g, b), diff = v - vmin
        let s = (diff * sdiv[v] + (1 << 11)) >> 12
        var h: Int
        if v == r { h = g - b } else if v == g { h = b - r + 2 * diff } else { h = r - g + 4 * diff }
        h = (h * hdiv[diff] + (1 << 11)) >> 12
        if h < 0 { h += 180 }
        return (h, s, v)
    }

    /// OpenCV's `HSV2RGB` in float: `h` in sectors of `hueRange / 6`, `s` and `v` in 0...1; returns (r, g, b) in 0...1.
    @inline(__always)
    static func rgbFloat(h hIn: Float, s: Float, v: Float, hueRange: Float) -> (Float, Float, Float) {
        if s == 0 { return (v, v, v) }
        var h = hIn * (6 / hueRange)
        while h < 0 { h += 6 }
        while h >= 6 { h -= 6 }
        var sector = h >= 0 ? Int(h) : -1  // h is in [0, 6) here (NaN falls to the guard below)
        h -= Float(sector)
        if sector < 0 || sector >= 6 { sector = 0; h = 0 }
        let t0 = v, t1 = v * (1 - s), t2 = v * (1 - s * h), t3 = v * (1 - s * (1 - h))
        switch sector {  // OpenCV's sector table, read as (r, g, b)
        case 0: return (t0, t3, t1)
        case 1: return (t2, t0, t1)
        case 2: return (t1, t0, t3)
        case 3: return (t1, t2, t0)
        case 4: return (t3, t1, t0)
        default: return (t0, t1, t2)
        }
    }

    /// Float RGB (0...1) to HSV with H in degrees (OpenCV's 32-bit float `RGB2HSV`).
    @inline(__always)
    static func hsvFloat(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let v = max(r, g, b), vmin = min(r, g, b), diff = v - vmin
        let s = v > 0 ? diff / v : 0
        guard diff > 0 else { return (0, s, v) }
        var h: Float
        if v == r { h = (g - b) * 60 / diff } else if v == g { h = (b - r) * 60 / diff + 120 } else { h = (r - g) * 60 / diff + 240 }
        if h < 0 { h += 360 }
        return (h, s, v)
    }

    /// Maps every RGB pixel through HSV: at 8-bit, OpenCV's integer HSV with lookup tables for h (0..<180 in, 0..<256
    /// out), s and v; at 16-bit, float HSV (h in degrees, s and v in 0...1) through the closures. Gray images map only
    /// their value through `v8` / `vf`.
    public static func mapHSV(_ image: Image, h8: [Int], s8: [Int], v8: [Int],
                              hf: (Float) -> Float, sf: (Float) -> Float, vf: (Float) -> Float) -> Image {
        var out = image
        let cn = image.channels, n = image.info.pixelCount
        if image.depth == .uint8 {
            // Tables as Float once, and the reciprocal tables hoisted: the loop makes no calls.
            let hf8 = h8.map { Float($0) }, sf8 = s8.map { Float($0) * (1 / 255) }, vf8 = v8.map { Float($0) * (1 / 255) }
            if cn >= 3 && n > 0 && hf8.count >= 256 && sf8.count >= 256 && vf8.count >= 256 {
                image.bytes.withUnsafeBufferPointer { s in
                    out.bytes.withUnsafeMutableBufferPointer { d in
                        ccopia_map_hsv_u8(s.baseAddress!, d.baseAddress!, n, Int32(cn), hf8, sf8, vf8, sdiv32, hdiv32)
                    }
                }
                return out
            }
            image.bytes.withUnsafeBufferPointer { s in
                out.bytes.withUnsafeMutableBufferPointer { d in
                    sdiv.withUnsafeBufferPointer { sd in
                        hdiv.withUnsafeBufferPointer { hd in
                            hf8.withUnsafeBufferPointer { ht in
                                sf8.withUnsafeBufferPointer { st in
                                    vf8.withUnsafeBufferPointer { vt in
                                        for i in 0..<n {
                                            let p = i * cn
                                            if cn < 3 { d[p] = UInt8(clamping: v8[Int(s[p])]); continue }
                                            let (h, sat, v) = hsv8(Int(s[p]), Int(s[p + 1]), Int(s[p + 2]), sd, hd)
                                            let (r, g, b) = rgbFloat(h: ht[h], s: st[sat], v: vt[v], hueRange: 180)
                                            d[p] = sampleFromFloat(r * 255, maxValue: 255)
                                            d[p + 1] = sampleFromFloat(g * 255, maxValue: 255)
                                            d[p + 2] = sampleFromFloat(b * 255, maxValue: 255)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } else {
            let m: Float = 65535
            image.words.withUnsafeBufferPointer { s in
                out.words.withUnsafeMutableBufferPointer { d in
                    func q(_ x: Float) -> UInt16 { UInt16(min(max((x * m).rounded(.toNearestOrEven), 0), m)) }
                    for i in 0..<n {
                        let p = i * cn
                        if cn < 3 { d[p] = q(vf(Float(s[p]) / m)); continue }
                        let (h, sat, v) = hsvFloat(Float(s[p]) / m, Float(s[p + 1]) / m, Float(s[p + 2]) / m)
                        let (r, g, b) = rgbFloat(h: hf(h), s: min(max(sf(sat), 0), 1), v: min(max(vf(v), 0), 1), hueRange: 360)
                        (d[p], d[p + 1], d[p + 2]) = (q(r), q(g), q(b))
                    }
                }
            }
        }
        return out
    }

    /// The identity tables for `mapHSV`.
    public static let identity256: [Int] = Array(0..<256)

    /// The 8-bit HSV planes, interleaved (h, s, v), for tests and inspection.
    public static func hsvPlanes(_ image: Image) -> [UInt8] {
        precondition(image.depth == .uint8 && image.channels >= 3, "hsvPlanes needs an 8-bit RGB image")
        var out: [UInt8] = []
        out.reserveCapacity(image.info.pixelCount * 3)
        for i in 0..<image.info.pixelCount {
            let p = i * image.channels
            let (h, s, v) = hsv8(Int(image.bytes[p]), Int(image.bytes[p + 1]), Int(image.bytes[p + 2]))
            out += [UInt8(h), UInt8(s), UInt8(v)]
        }
        return out
    }

    // MARK: - Histograms

    /// The histogram of one channel: `maxValue + 1` bins (256 at 8-bit, 65536 at 16-bit).
    public static func histogram(of image: Image, channel c: Int) -> [Int] {
        let cn = image.channels, n = image.info.pixelCount
        var hist = [Int](repeating: 0, count: image.depth.maxValue + 1)
        if image.depth == .uint8 {
            for i in 0..<n { hist[Int(image.bytes[i * cn + c])] += 1 }
        } else {
            for i in 0..<n { hist[Int(image.words[i * cn + c])] += 1 }
        }
        return hist
    }

    /// Equalises each colour channel's histogram (`cv2.equalizeHist` per channel; 65536 bins at 16-bit).
    public static func equalize(_ image: Image) -> Image {
        let m = image.depth.maxValue, n = image.info.pixelCount
        guard n > 0 else { return image }
        var tables: [[Int]] = []
        for c in 0..<image.info.colorChannels {
            let hist = histogram(of: image, channel: c)
            var lut = [Int](repeating: 0, count: m + 1)
            var i = 0
            while hist[i] == 0 { i += 1 }
            if hist[i] == n {
                lut = [Int](repeating: i, count: m + 1)
            } else {
                let scale = Float(m) / Float(n - hist[i])
                var sum = 0
                lut[i] = 0
                i += 1
                while i <= m {
                    sum += hist[i]
                    lut[i] = min(Int((Float(sum) * scale).rounded(.toNearestOrEven)), m)
                    i += 1
                }
            }
            tables.append(lut)
        }
        return ColorKernels.lookup(image, tables: tables)
    }
}
