import Foundation

/// Contrast-limited adaptive histogram equalisation and the CIE L*a*b* conversion it works in.
public enum HistogramKernels {
    /// CLAHE (Zuiderveld, "Contrast Limited Adaptive Histogram Equalization", Graphics Gems IV, 1994) on one
    /// plane of samples in `0...maxValue`, exactly as OpenCV's `createCLAHE(clipLimit, (tilesX, tilesY)).apply`:
    /// the plane is extended by reflect101 to a multiple of the grid, each tile's histogram is clipped at
    /// `max(int(clipLimit * tileArea / bins), 1)` with the excess spread evenly (remainder stepped across the bins),
    /// and each pixel blends the four nearest tiles' lookup tables bilinearly.
    public static func clahe(_ plane: [Int], width w: Int, height h: Int, maxValue: Int, clipLimit: Double,
                             tilesX: Int, tilesY: Int) -> [Int] {
        guard w > 0, h > 0, tilesX > 0, tilesY > 0 else { return plane }
        let bins = maxValue + 1
        let ew = w % tilesX == 0 ? w : w + tilesX - w % tilesX
        let eh = h % tilesY == 0 ? h : h + tilesY - h % tilesY
        let tw = ew / tilesX, th = eh / tilesY, area = tw * th
        let limit = clipLimit > 0 ? max(Int(clipLimit * Double(area) / Double(bins)), 1) : 0
        let lutScale = Float(bins - 1) / Float(area)
        var luts = [Int32](repeating: 0, count: tilesX * tilesY * bins)
        var hist = [Int](repeating: 0, count: bins)
        for ty in 0..<tilesY {
            for tx in 0..<tilesX {
                for i in 0..<bins { hist[i] = 0 }
                for y in (ty * th)..<((ty + 1) * th) {
                    let sy = BorderMode.reflect101.index(y, length: h)
                    for x in (tx * tw)..<((tx + 1) * tw) {
                        hist[plane[sy * w + BorderMode.reflect101.index(x, length: w)]] += 1
                    }
                }
                if limit > 0 {
                    var clipped = 0
                    for i in 0..<bins where hist[i] > limit {
                        clipped += hist[i] - limit
                        hist[i] = limit
                    }
                    let batch = clipped / bins
                    var residual = clipped - batch * bins
                    for i in 0..<bins { hist[i] += batch }
                    if residual > 0 {
                        let step = max(bins / residual, 1)
                        var i = 0
                        while i < bins && residual > 0 {
                            hist[i] += 1
                            i += step
                            residual -= 1
                        }
                    }
                }
                var sum = 0
                let base = (ty * tilesX + tx) * bins
                for i in 0..<bins {
                    sum += hist[i]
                    luts[base + i] = Int32(min(max((Float(sum) * lutScale).rounded(.toNearestOrEven), 0), Float(maxValue)))
                }
            }
        }
        var out = [Int](repeating: 0, count: w * h)
        let invW = 1 / Float(tw), invH = 1 / Float(th)
        for y in 0..<h {
            let tyf = Float(y) * invH - 0.5
            var ty1 = Int(tyf.rounded(.down)), ty2 = ty1 + 1
            let ya = tyf - Float(ty1), ya1 = 1 - ya
            ty1 = max(ty1, 0)
            ty2 = min(ty2, tilesY - 1)
            for x in 0..<w {
                let txf = Float(x) * invW - 0.5
                var tx1 = Int(txf.rounded(.down)), tx2 = tx1 + 1
                let xa = txf - Float(tx1), xa1 = 1 - xa
                tx1 = max(tx1, 0)
                tx2 = min(tx2, tilesX - 1)
                let v = plane[y * w + x]
                let l11 = Float(luts[(ty1 * tilesX + tx1) * bins + v]), l12 = Float(luts[(ty1 * tilesX + tx2) * bins + v])
                let l21 = Float(luts[(ty2 * tilesX + tx1) * bins + v]), l22 = Float(luts[(ty2 * tilesX + tx2) * bins + v])
                let r = (l11 * xa1 + l12 * xa) * ya1 + (l21 * xa1 + l22 * xa) * ya
                out[y * w + x] = min(max(Int(r.rounded(.toNearestOrEven)), 0), maxValue)
            }
        }
        return out
    }

    // MARK: - CIE L*a*b* (sRGB, D65), as OpenCV's COLOR_RGB2Lab / Lab2RGB scale it for integer images

    static func srgbToLinear(_ c: Double) -> Double { c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4) }
    static func linearToSRGB(_ c: Double) -> Double { c <= 0.0031308 ? c * 12.92 : 1.055 * pow(c, 1 / 2.4) - 0.055 }

    /// RGB in 0...1 to (L 0...100, a, b).
    static func lab(_ r: Double, _ g: Double, _ b: Double) -> (Double, Double, Double) {
        labLinear(srgbToLinear(r), srgbToLinear(g), srgbToLinear(b))
    }

    /// Linear RGB to (L 0...100, a, b).
    static func labLinear(_ R: Double, _ G: Double, _ B: Double) -> (Double, Double, Double) {
        let x = (0.412453 * R + 0.357580 * G + 0.180423 * B) / 0.950456
        let y = 0.212671 * R + 0.715160 * G + 0.072169 * B
        let z = (0.019334 * R + 0.119193 * G + 0.950227 * B) / 1.088754
        func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
        let L = y > 0.008856 ? 116 * cbrt(y) - 16 : 903.3 * y
        return (L, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// (L 0...100, a, b) to RGB in 0...1 (clamped).
    static func rgb(_ L: Double, _ a: Double, _ b: Double) -> (Double, Double, Double) {
        let fy = (L + 16) / 116
        let y = L > 8 ? fy * fy * fy : L / 903.3
        let fyv = L > 8 ? fy : 7.787 * y + 16.0 / 116
        let fx = fyv + a / 500, fz = fyv - b / 200
        func inv(_ t: Double) -> Double { t > 0.206893 ? t * t * t : (t - 16.0 / 116) / 7.787 }
        let x = inv(fx) * 0.950456, z = inv(fz) * 1.088754
        let R = 3.240479 * x - 1.53715 * y - 0.498535 * z
        let G = -0.969256 * x + 1.875991 * y + 0.041556 * z
        let B = 0.055648 * x - 0.204043 * y + 1.057311 * z
        func c(_ v: Double) -> Double { min(max(linearToSRGB(min(max(v, 0), 1)), 0), 1) }
        return (c(R), c(G), c(B))
    }

    /// Applies CLAHE to the lightness of an RGB(A) image (L* of CIE Lab, as albumentations does through OpenCV's
    /// `COLOR_RGB2LAB`), or to the single channel of a gray image. Alpha is kept.
    public static func clahe(_ image: Image, clipLimit: Double, tilesX: Int, tilesY: Int) -> Image {
        let n = image.info.pixelCount, cn = image.channels, m = image.depth.maxValue, md = Double(m)
        guard n > 0 else { return image }
        func sample(_ i: Int) -> Int { image.depth == .uint8 ? Int(image.bytes[i]) : Int(image.words[i]) }
        var out = image
        func put(_ i: Int, _ v: Int) { if image.depth == .uint8 { out.bytes[i] = UInt8(v) } else { out.words[i] = UInt16(v) } }
        if cn < 3 {
            let plane = (0..<n).map { sample($0 * cn) }
            let eq = clahe(plane, width: image.width, height: image.height, maxValue: m, clipLimit: clipLimit, tilesX: tilesX, tilesY: tilesY)
            for i in 0..<n { put(i * cn, eq[i]) }
            return out
        }
        var labs = [(Double, Double, Double)]()
        labs.reserveCapacity(n)
        var plane = [Int](repeating: 0, count: n)
        let linear = (0...m).map { srgbToLinear(Double($0) / md) }  // one pow per level, not per sample
        for i in 0..<n {
            let l = labLinear(linear[sample(i * cn)], linear[sample(i * cn + 1)], linear[sample(i * cn + 2)])
            labs.append(l)
            plane[i] = min(max(Int((l.0 * md / 100).rounded(.toNearestOrEven)), 0), m)
        }
        let eq = clahe(plane, width: image.width, height: image.height, maxValue: m, clipLimit: clipLimit, tilesX: tilesX, tilesY: tilesY)
        for i in 0..<n {
            // OpenCV stores a and b as integers (offset by 128 at 8-bit) between the conversions.
            let (a, b) = m == 255 ? (labs[i].1.rounded(), labs[i].2.rounded()) : (labs[i].1, labs[i].2)
            let (r, g, bl) = rgb(Double(eq[i]) * 100 / md, a, b)
            put(i * cn, Int((r * md).rounded(.toNearestOrEven)))
            put(i * cn + 1, Int((g * md).rounded(.toNearestOrEven)))
            put(i * cn + 2, Int((bl * md).rounded(.toNearestOrEven)))
        }
        return out
    }
}
