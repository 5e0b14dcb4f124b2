/// Exact rearrangements of pixels: transpose, quarter turns and padding (no interpolation).
public enum GeometryKernels {
    /// Swaps rows and columns (`numpy.transpose(img, (1, 0, 2))`, albumentations `Transpose`).
    public static func transpose(_ image: Image) -> Image {
        remapIndices(image, width: image.height, height: image.width) { x, y in (y, x) }
    }

    /// Rotates by `k` quarter turns counter-clockwise (`numpy.rot90(img, k)`); k is taken modulo 4.
    public static func rotate90(_ image: Image, times k: Int) -> Image {
        let w = image.width, h = image.height
        switch ((k % 4) + 4) % 4 {
        case 1: return remapIndices(image, width: h, height: w) { x, y in (w - 1 - y, x) }
        case 2: return remapIndices(image, width: w, height: h) { x, y in (w - 1 - x, h - 1 - y) }
        case 3: return remapIndices(image, width: h, height: w) { x, y in (y, h - 1 - x) }
        default: return image
        }
    }

    /// Adds `top`, `bottom`, `left`, `right` pixels (each >= 0) filled by `border` (OpenCV `copyMakeBorder`).
    public static func pad(_ image: Image, top: Int, bottom: Int, left: Int, right: Int,
                           border: BorderMode = .constant, fill: [Double] = [0]) -> Image {
        precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "padding must be non-negative")
        if top == 0 && bottom == 0 && left == 0 && right == 0 { return image }
        let w = image.width + left + right, h = image.height + top + bottom
        guard image.info.pixelCount > 0 || border == .constant else {
            return Image(info: ImageInfo(width: w, height: h, channels: image.channels, depth: image.depth))
        }
        let cval = fillSamples(fill, channels: image.channels, depth: image.depth)
        var out = Image(info: ImageInfo(width: w, height: h, channels: image.channels, depth: image.depth))
        // Row by row: the interior is one block copy, only the side columns go through the border rule.
        func run<T: ImageSample>(_ src: [T], _ dst: inout [T]) {
            let cn = image.channels, sw = image.width, sh = image.height, rowOut = w * cn
            let sideX = (0..<left).map { border.index($0 - left, length: max(sw, 1)) } + (0..<right).map { border.index(sw + $0, length: max(sw, 1)) }
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    for y in 0..<h {
                        let o = d.baseAddress! + y * rowOut
                        let sy = sh == 0 ? -1 : border.index(y - top, length: sh)
                        guard sy >= 0, sw > 0 else {
                            for x in 0..<w { for c in 0..<cn { o[x * cn + c] = T(truncatingIfNeeded: cval[c]) } }
                            continue
                        }
                        let row = s.baseAddress! + sy * sw * cn
                        (o + left * cn).update(from: row, count: sw * cn)
                        for (k, sx) in sideX.enumerated() {
                            let x = k < left ? k : sw + left + (k - left)
                            for c in 0..<cn { o[x * cn + c] = sx < 0 ? T(truncatingIfNeeded: cval[c]) : row[sx * cn + c] }
                        }
                    }
                }
            }
        }
        switch image.depth {
        case .uint8: run(image.bytes, &out.bytes)
        case .uint16: run(image.words, &out.words)
        }
        return out
    }

    /// Builds a `width` x `height` image whose pixel (x, y) copies source pixel `source(x, y)`, or `fill` at (-1, -1).
    static func remapIndices(_ image: Image, width: Int, height: Int, fill: [Int] = [],
                             _ source: (Int, Int) -> (Int, Int)) -> Image {
        var out = Image(info: ImageInfo(width: width, height: height, channels: image.channels, depth: image.depth))
        func run<T: ImageSample>(_ src: [T], _ dst: inout [T]) {
            let cn = image.channels, sw = image.width
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    var o = 0
                    for y in 0..<height {
                        for x in 0..<width {
                            let (sx, sy) = source(x, y)
                            if sx < 0 {
                                for c in 0..<cn { d[o + c] = T(truncatingIfNeeded: fill[c]) }
                            } else {
                                let p = (sy * sw + sx) * cn
                                for c in 0..<cn { d[o + c] = s[p + c] }
                            }
                            o += cn
                        }
                    }
                }
            }
        }
        switch image.depth {
        case .uint8: run(image.bytes, &out.bytes)
        case .uint16: run(image.words, &out.words)
        }
        return out
    }

    /// Fills each rectangle `(x, y, width, height)` (clipped to the image) with `fill` in every channel
    /// (one value for all, or one per channel).
    public static func fillRectangles(_ image: Image, _ rects: [[Int]], fill: [Double]) -> Image {
        var out = image
        let cval = fillSamples(fill, channels: image.channels, depth: image.depth)
        func run<T: ImageSample>(_ d: inout [T]) {
            let cn = image.channels, w = image.width, h = image.height
            d.withUnsafeMutableBufferPointer { d in
                for r in rects where r.count == 4 {
                    let x0 = max(0, r[0]), y0 = max(0, r[1]), x1 = min(w, r[0] + r[2]), y1 = min(h, r[1] + r[3])
                    guard x0 < x1 && y0 < y1 else { continue }
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            for c in 0..<cn { d[(y * w + x) * cn + c] = T(truncatingIfNeeded: cval[c]) }
                        }
                    }
                }
            }
        }
        switch image.depth {
        case .uint8: run(&out.bytes)
        case .uint16: run(&out.words)
        }
        return out
    }
}
