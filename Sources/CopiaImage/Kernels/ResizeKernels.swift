import CCopiaPixels
import Foundation

/// Resizing and cropping, matching `cv2.resize` (and so albumentations' `Resize`, `RandomResizedCrop`, ...).
public enum ResizeKernels {
    /// Resizes `image` to `width` x `height` as `cv2.resize(src, (width, height), interpolation:)`.
    ///
    /// - `nearest`: source index `floor(x * src / dst)` (OpenCV's `INTER_NEAREST`, not the half-pixel `NEAREST_EXACT`). Exact.
    /// - `bilinear`: half-pixel centres, `sx = (x + 0.5) * src / dst - 0.5`, edge pixels replicated. At 8-bit the
    ///   weights are quantised to 1/2048 and the two passes rounded once at the end, as OpenCV's fixed-point path.
    /// - `bicubic`: Keys' cubic (a = -0.75) on the same grid, edges replicated, 8-bit weights quantised to 1/2048.
    /// - `area`: when shrinking in both directions, each output pixel averages the source area it covers (fractional
    ///   pixels weighted by coverage); otherwise OpenCV's area-flavoured bilinear weights.
    ///
    /// All four are separable, so the work is one horizontal and one vertical pass. Matches OpenCV within 1 at 8-bit
    /// (OpenCV's SIMD paths round some intermediate values differently).
    ///
    /// - Complexity: O((srcHeight + height) * width * channels * taps).
    public static func resize(_ image: Image, width: Int, height: Int, interpolation: Interpolation = .bilinear) -> Image {
        let info = ImageInfo(width: max(width, 0), height: max(height, 0), channels: image.channels, depth: image.depth)
        if info.width == image.width && info.height == image.height { return image }
        guard info.pixelCount > 0, image.info.pixelCount > 0 else { return Image(info: info) }
        if let out = fixedPointBilinear(image, x: 0, y: 0, width: image.width, height: image.height, to: info, interpolation: interpolation) {
            return out
        }
        return resampled(image, to: info, interpolation: interpolation)
    }

    /// `resize(crop(image, x:y:width:height:), ...)`: the same bytes, and for 8-bit bilinear without the copy of the
    /// rectangle (the taps index the whole image).
    public static func resize(_ image: Image, x: Int, y: Int, width cw: Int, height ch: Int,
                              toWidth width: Int, height: Int, interpolation: Interpolation = .bilinear) -> Image {
        precondition(x >= 0 && y >= 0 && cw >= 0 && ch >= 0 && x + cw <= image.width && y + ch <= image.height,
                     "crop \(cw)x\(ch)+\(x)+\(y) outside \(image.info)")
        let info = ImageInfo(width: max(width, 0), height: max(height, 0), channels: image.channels, depth: image.depth)
        if !(info.width == cw && info.height == ch), info.pixelCount > 0, cw * ch > 0,
           let out = fixedPointBilinear(image, x: x, y: y, width: cw, height: ch, to: info, interpolation: interpolation) {
            return out
        }
        let whole = x == 0 && y == 0 && cw == image.width && ch == image.height
        return resize(whole ? image : crop(image, x: x, y: y, width: cw, height: ch), width: width, height: height, interpolation: interpolation)
    }

    /// OpenCV's fixed-point bilinear in C, from the `width` x `height` rectangle at (`x`, `y`) (inside the image) to
    /// `info`'s size; nil where it does not apply (not 8-bit bilinear, or the C kernel declined).
    static func fixedPointBilinear(_ image: Image, x: Int, y: Int, width cw: Int, height ch: Int, to info: ImageInfo,
                                   interpolation: Interpolation) -> Image? {
        let width = info.width, height = info.height
        let shrinkingBoth = cw >= width && ch >= height
        guard image.depth == .uint8, interpolation == .bilinear || interpolation == .area && !shrinkingBoth else { return nil }
        let cn = image.channels
        let (xi, xw) = AxisTaps.twoTaps(source: cw, destination: width, area: interpolation == .area, offset: x, stride: cn)
        let (yi, yw) = AxisTaps.twoTaps(source: ch, destination: height, area: interpolation == .area, offset: y, stride: 1)
        // The kernel writes every sample, so the output is not zero-filled first.
        var status: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: info.sampleCount) { d, count in
            status = image.bytes.withUnsafeBufferPointer { s in
                ccopia_resize_linear_u8(s.baseAddress!, Int32(image.width), Int32(image.height), Int32(cn), d.baseAddress!,
                                        Int32(info.width), Int32(info.height), xi, xw, yi, yw)
            }
            if status != 0 { d.initialize(repeating: 0) }
            count = info.sampleCount
        }
        return status == 0 ? Image(width: info.width, height: info.height, channels: cn, bytes: bytes) : nil
    }

    /// The general path of `resize`: every interpolation and depth, in Swift.
    static func resampled(_ image: Image, to info: ImageInfo, interpolation: Interpolation) -> Image {
        let width = info.width, height = info.height
        if interpolation == .nearest {
            var out = Image(info: info)
            switch image.depth {
            case .uint8: resizeNearest(image.bytes, &out.bytes, from: image.info, to: info)
            case .uint16: resizeNearest(image.words, &out.words, from: image.info, to: info)
            }
            return out
        }
        let quantized = image.depth == .uint8 && interpolation != .area
            || image.depth == .uint8 && interpolation == .area && !(image.width >= width && image.height >= height)
        let xt = AxisTaps(source: image.width, destination: info.width, interpolation: interpolation,
                          shrinkingBoth: image.width >= width && image.height >= height, quantized: quantized)
        let yt = AxisTaps(source: image.height, destination: info.height, interpolation: interpolation,
                          shrinkingBoth: image.width >= width && image.height >= height, quantized: quantized)
        var out = Image(info: info)
        switch image.depth {
        case .uint8: separable(image.bytes, &out.bytes, from: image.info, to: info, xt, yt, halfUp: quantized)
        case .uint16: separable(image.words, &out.words, from: image.info, to: info, xt, yt, halfUp: quantized)
        }
        return out
    }

    /// Copies the `width` x `height` rectangle at (`x`, `y`). The rectangle must lie inside the image.
    public static func crop(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        precondition(x >= 0 && y >= 0 && width >= 0 && height >= 0 && x + width <= image.width && y + height <= image.height,
                     "crop \(width)x\(height)+\(x)+\(y) outside \(image.info)")
        var out = Image(info: ImageInfo(width: width, height: height, channels: image.channels, depth: image.depth))
        switch image.depth {
        case .uint8: copyRect(image.bytes, &out.bytes, sourceWidth: image.width, channels: image.channels, x: x, y: y, width: width, height: height)
        case .uint16: copyRect(image.words, &out.words, sourceWidth: image.width, channels: image.channels, x: x, y: y, width: width, height: height)
        }
        return out
    }

    static func copyRect<T: ImageSample>(_ src: [T], _ dst: inout [T], sourceWidth: Int, channels: Int, x: Int, y: Int, width: Int, height: Int) {
        let rowLength = width * channels
        guard rowLength > 0 else { return }
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                for r in 0..<height {
                    let from = s.baseAddress! + ((y + r) * sourceWidth + x) * channels
                    (d.baseAddress! + r * rowLength).update(from: from, count: rowLength)
                }
            }
        }
    }

    // MARK: - Nearest

    static func nearestIndices(source: Int, destination: Int) -> [Int] {
        let inverse = 1 / (Double(destination) / Double(source))
        return (0..<destination).map { min(Int((Double($0) * inverse).rounded(.down)), source - 1) }
    }

    static func resizeNearest<T: ImageSample>(_ src: [T], _ dst: inout [T], from: ImageInfo, to: ImageInfo) {
        let xs = nearestIndices(source: from.width, destination: to.width)
        let ys = nearestIndices(source: from.height, destination: to.height)
        let cn = from.channels
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                var o = 0
                for y in 0..<to.height {
                    let row = ys[y] * from.width * cn
                    for x in 0..<to.width {
                        let p = row + xs[x] * cn
                        for c in 0..<cn { d[o + c] = s[p + c] }
                        o += cn
                    }
                }
            }
        }
    }

    // MARK: - Separable resampling

    /// For each output index along one axis, `count` source indices (already clamped to the image) and weights.
    struct AxisTaps {
        var count: Int
        var index: [Int]
        var weight: [Double]

        /// The two-tap (bilinear, or area when not shrinking both ways) source pixel and fraction of each output
        /// position: OpenCV's half-pixel centres for bilinear, its area-flavoured weights otherwise, edges replicated.
        @inline(__always)
        static func forEachPair(source: Int, destination: Int, area: Bool, _ body: (Int, Float) -> Void) {
            let inverseScale = Double(destination) / Double(source)
            let scale = 1 / inverseScale
            for dx in 0..<destination {
                var sx: Int, fx: Float
                if area {
                    sx = Int((Double(dx) * scale).rounded(.down))
                    fx = Float(Double(dx + 1) - Double(sx + 1) * inverseScale)
                    fx = fx <= 0 ? 0 : fx - fx.rounded(.down)
                } else {
                    let f = Float((Double(dx) + 0.5) * scale - 0.5)
                    sx = Int(f.rounded(.down))
                    fx = f - Float(sx)
                }
                if sx < 0 { fx = 0; sx = 0 }
                if sx >= source - 1 { fx = 0; sx = source - 1 }
                body(sx, fx)
            }
        }

        /// The fixed-point kernel's taps: for each output position, the two source positions (plus `offset`, times
        /// `stride`) and weights in 1/2048 rounded half to even, the integers `AxisTaps(quantized: true)` holds as
        /// fractions.
        static func twoTaps(source: Int, destination: Int, area: Bool, offset: Int, stride: Int) -> (index: [Int32], weight: [Int32]) {
            var index = [Int32](), weight = [Int32]()
            index.reserveCapacity(2 * destination)
            weight.reserveCapacity(2 * destination)
            forEachPair(source: source, destination: destination, area: area) { sx, fx in
                index.append(Int32((sx + offset) * stride))
                index.append(Int32((min(sx + 1, source - 1) + offset) * stride))
                weight.append(Int32(((1 - fx) * 2048).rounded(.toNearestOrEven)))
                weight.append(Int32((fx * 2048).rounded(.toNearestOrEven)))
            }
            return (index, weight)
        }

        init(source: Int, destination: Int, interpolation: Interpolation, shrinkingBoth: Bool, quantized: Bool) {
            let inverseScale = Double(destination) / Double(source)
            let scale = 1 / inverseScale
            func q(_ w: Float) -> Double { quantized ? Double((w * 2048).rounded(.toNearestOrEven)) / 2048 : Double(w) }
            switch interpolation {
            case .area where shrinkingBoth:
                // OpenCV's computeResizeAreaTab: coverage of [x * scale, (x + 1) * scale) by each source pixel.
                var taps: [[(Int, Double)]] = []
                for dx in 0..<destination {
                    let fsx1 = Double(dx) * scale, fsx2 = fsx1 + scale
                    let cellWidth = min(scale, Double(source) - fsx1)
                    var sx1 = Int(fsx1.rounded(.up)), sx2 = Int(fsx2.rounded(.down))
                    sx2 = min(sx2, source - 1)
                    sx1 = min(sx1, sx2)
                    var t: [(Int, Double)] = []
                    if Double(sx1) - fsx1 > 1e-3 { t.append((sx1 - 1, Double(Float((Double(sx1) - fsx1) / cellWidth)))) }
                    for sx in sx1..<max(sx2, sx1) { t.append((sx, Double(Float(1 / cellWidth)))) }
                    if fsx2 - Double(sx2) > 1e-3 { t.append((sx2, Double(Float(min(min(fsx2 - Double(sx2), 1), cellWidth) / cellWidth)))) }
                    taps.append(t)
                }
                count = max(1, taps.map(\.count).max() ?? 1)
                index = []
                weight = []
                for t in taps {
                    for k in 0..<count {
                        index.append(k < t.count ? max(0, min(t[k].0, source - 1)) : 0)
                        weight.append(k < t.count ? t[k].1 : 0)
                    }
                }
            case .bilinear, .area:
                count = 2
                index = []
                weight = []
                index.reserveCapacity(2 * destination)
                weight.reserveCapacity(2 * destination)
                Self.forEachPair(source: source, destination: destination, area: interpolation == .area) { sx, fx in
                    index.append(sx)
                    index.append(min(sx + 1, source - 1))
                    weight.append(q(1 - fx))
                    weight.append(q(fx))
                }
            case .bicubic:
                count = 4
                index = []
                weight = []
                index.reserveCapacity(4 * destination)
                weight.reserveCapacity(4 * destination)
                for dx in 0..<destination {
                    let f = Float((Double(dx) + 0.5) * scale - 0.5)
                    let sx = Int(f.rounded(.down))
                    let c = WarpKernels.cubicCoefficients(f - Float(sx))
                    for (k, w) in [c.0, c.1, c.2, c.3].enumerated() {
                        index.append(max(0, min(sx - 1 + k, source - 1)))
                        weight.append(q(w))
                    }
                }
            case .nearest:
                count = 1
                index = ResizeKernels.nearestIndices(source: source, destination: destination)
                weight = Array(repeating: 1, count: destination)
            }
        }
    }

    static func separable<T: ImageSample>(_ src: [T], _ dst: inout [T], from: ImageInfo, to: ImageInfo,
                                          _ xt: AxisTaps, _ yt: AxisTaps, halfUp: Bool) {
        if halfUp {
            separableFixed(src, &dst, from: from, to: to, xt, yt)
            return
        }
        let cn = from.channels, rowOut = to.width * cn, kx = xt.count, ky = yt.count
        var tmp = [Double](repeating: 0, count: from.height * rowOut)
        var acc = [Double](repeating: 0, count: rowOut)
        let maxValue = Double(from.depth.maxValue)
        src.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { t in
                xt.index.withUnsafeBufferPointer { xi in
                    xt.weight.withUnsafeBufferPointer { xw in
                        for y in 0..<from.height {
                            let row = s.baseAddress! + y * from.width * cn, trow = t.baseAddress! + y * rowOut
                            for x in 0..<to.width {
                                for c in 0..<cn {
                                    var a = 0.0
                                    for k in 0..<kx { a += Double(row[xi[x * kx + k] * cn + c]) * xw[x * kx + k] }
                                    trow[x * cn + c] = a
                                }
                            }
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            acc.withUnsafeMutableBufferPointer { a in
                dst.withUnsafeMutableBufferPointer { d in
                    for y in 0..<to.height {
                        for i in 0..<rowOut { a[i] = 0 }
                        for k in 0..<ky {
                            let row = t.baseAddress! + yt.index[y * ky + k] * rowOut, w = yt.weight[y * ky + k]
                            for i in 0..<rowOut { a[i] += row[i] * w }
                        }
                        let out = d.baseAddress! + y * rowOut
                        for i in 0..<rowOut { out[i] = sampleFromFloat(Float(a[i]), maxValue: Int(maxValue)) }
                    }
                }
            }
        }
    }

    /// OpenCV's fixed-point path for 8-bit linear and cubic: weights in 1/2048, integer sums, one rounding at the end
    /// (`(sum + 2^21) >> 22`).
    static func separableFixed<T: ImageSample>(_ src: [T], _ dst: inout [T], from: ImageInfo, to: ImageInfo, _ xt: AxisTaps, _ yt: AxisTaps) {
        let cn = from.channels, rowOut = to.width * cn, kx = xt.count, ky = yt.count
        let xw = xt.weight.map { Int32(($0 * 2048).rounded()) }, yw = yt.weight.map { Int(($0 * 2048).rounded()) }
        let xi = xt.index.map { $0 * cn }
        // Only the source rows some output row reads.
        var needed = [Bool](repeating: false, count: from.height)
        for i in yt.index { needed[i] = true }
        var tmp = [Int32](repeating: 0, count: from.height * rowOut)
        var acc = [Int](repeating: 0, count: rowOut)
        let maxValue = from.depth.maxValue
        src.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { t in
                xi.withUnsafeBufferPointer { xi in
                    xw.withUnsafeBufferPointer { xw in
                        for y in 0..<from.height where needed[y] {
                            let row = s.baseAddress! + y * from.width * cn, trow = t.baseAddress! + y * rowOut
                            if kx == 2 {
                                for x in 0..<to.width {
                                    let i0 = xi[2 * x], i1 = xi[2 * x + 1], w0 = xw[2 * x], w1 = xw[2 * x + 1]
                                    for c in 0..<cn { trow[x * cn + c] = Int32(row[i0 + c]) &* w0 &+ Int32(row[i1 + c]) &* w1 }
                                }
                                continue
                            }
                            for x in 0..<to.width {
                                let o = x * kx
                                for c in 0..<cn {
                                    var a: Int32 = 0
                                    for k in 0..<kx { a &+= Int32(row[xi[o + k] + c]) &* xw[o + k] }
                                    trow[x * cn + c] = a
                                }
                            }
                        }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { t in
            acc.withUnsafeMutableBufferPointer { a in
                dst.withUnsafeMutableBufferPointer { d in
                    for y in 0..<to.height {
                        if ky == 2 {
                            // OpenCV's SIMD vertical pass (VResizeLinearVec_32s8u), which its 8-bit bilinear resize
                            // takes: rows pre-shifted by 4, 16x16 high multiplies, +2 >> 2. Matching it is what
                            // makes most outputs identical rather than off by one.
                            let r0 = t.baseAddress! + yt.index[2 * y] * rowOut, r1 = t.baseAddress! + yt.index[2 * y + 1] * rowOut
                            let b0 = Int32(yw[2 * y]), b1 = Int32(yw[2 * y + 1]), top = Int32(maxValue)
                            let out = d.baseAddress! + y * rowOut
                            // Wrapping Int32 arithmetic (no overflow checks, products stay below 2^27) so it vectorises.
                            for i in 0..<rowOut {
                                var v = ((b0 &* (r0[i] >> 4)) >> 16 &+ (b1 &* (r1[i] >> 4)) >> 16 &+ 2) >> 2
                                v = v < 0 ? 0 : v
                                v = v > top ? top : v
                                out[i] = T(truncatingIfNeeded: v)
                            }
                            continue
                        }
                        for i in 0..<rowOut { a[i] = 1 << 21 }
                        for k in 0..<ky {
                            let row = t.baseAddress! + yt.index[y * ky + k] * rowOut, w = yw[y * ky + k]
                            for i in 0..<rowOut { a[i] &+= Int(row[i]) &* w }
                        }
                        let out = d.baseAddress! + y * rowOut
                        for i in 0..<rowOut {
                            let r = a[i] >> 22
                            out[i] = T(truncatingIfNeeded: r < 0 ? 0 : (r > maxValue ? maxValue : r))
                        }
                    }
                }
            }
        }
    }
}
