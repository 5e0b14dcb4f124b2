import CCopiaPixels
import Foundation

/// Linear and rank filters: separable and 2-D convolution (OpenCV `sepFilter2D` / `filter2D` with `ddepth = -1`),
/// box and median blur. Sums are single precision and rounded half to even, as OpenCV's float-kernel paths do.
/// The 8-bit separable filter is `sepFilter2D`'s own arithmetic (fused multiply-adds, symmetric column pairs), equal
/// to it in every byte; the others are within 1 of OpenCV at 8-bit (`cv2.GaussianBlur` uses a fixed-point kernel).
public enum FilterKernels {
    /// OpenCV's `getGaussianKernel(ksize, sigma)`: the fixed small kernels for `sigma <= 0` and odd `ksize <= 7`,
    /// otherwise `exp(-x^2 / (2 sigma^2))` normalised, with `sigma = 0.3 ((ksize - 1) / 2 - 1) + 0.8` when `sigma <= 0`.
    public static func openCVGaussian(size n: Int, sigma: Double) -> [Float] {
        let fixed: [Int: [Float]] = [1: [1], 3: [0.25, 0.5, 0.25], 5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
                                     7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125]]
        if sigma <= 0, n % 2 == 1, let k = fixed[n] { return k }
        let s = sigma > 0 ? sigma : ((Double(n) - 1) * 0.5 - 1) * 0.3 + 0.8
        let k = (0..<n).map { i -> Double in
            let x = Double(i) - Double(n - 1) / 2
            return exp(-x * x / (2 * s * s))
        }
        let total = k.reduce(0, +)
        return k.map { Float($0 / total) }
    }

    /// albumentations' `create_gaussian_kernel_1d` (PIL's convention): size `int(3.5 sigma) * 2 + 1` when `size` is 0.
    public static func gaussian(sigma: Double, size: Int = 0) -> [Float] {
        var n = size == 0 ? Int(sigma * 3.5) * 2 + 1 : size
        if n % 2 == 0 { n += 1 }
        let k = (0..<n).map { i -> Double in
            let x = Double(i - n / 2) / max(sigma, 1e-12)
            return exp(-0.5 * x * x)
        }
        let total = k.reduce(0, +)
        return k.map { Float($0 / total) }
    }

    /// Convolves (correlates, as OpenCV does) with `kx` along rows then `ky` along columns; both odd-length,
    /// anchored at their centre. Colour channels only; alpha is kept.
    ///
    /// At 8-bit the sums are those of OpenCV's `sepFilter2D` with a float kernel (`RowVec_8u32f`,
    /// `SymmColumnVec_32f8u` in `filter.simd.hpp`): each row sum is `fma(x, k, sum)` over the taps in order from 0;
    /// each column sum starts from the centre row's product and adds `fma(above + below, k, sum)` for each pair of
    /// rows when `ky` is symmetric (in order otherwise). 16-bit images sum plain products in order.
    ///
    /// - Complexity: O(width * height * channels * (kx.count + ky.count)); the inner loops run over contiguous rows
    ///   so the compiler vectorises them.
    public static func separable(_ image: Image, kx: [Float], ky: [Float], border: BorderMode = .reflect101) -> Image {
        guard image.info.pixelCount > 0 else { return image }
        if image.depth == .uint8 {
            // In C over contiguous rows; the Swift loops below do the same when its scratch memory runs out.
            let w = image.width, h = image.height, rx = kx.count / 2, ry = ky.count / 2
            let xs = (-rx..<(w + rx)).map { Int32(max(border.index($0, length: w), 0)) }
            let ys = (-ry..<(h + ry)).map { Int32(max(border.index($0, length: h), 0)) }
            let cn = image.channels, colors = image.info.colorChannels
            var status: Int32 = 0
            // Without alpha the kernel writes every sample, so the output starts uninitialised rather than as a copy.
            let bytes = [UInt8](unsafeUninitializedCapacity: image.bytes.count) { d, count in
                image.bytes.withUnsafeBufferPointer { s in
                    if colors < cn { d.baseAddress!.initialize(from: s.baseAddress!, count: s.count) }
                    status = ccopia_separable_u8(s.baseAddress!, d.baseAddress!, Int32(w), Int32(h), Int32(cn), Int32(colors),
                                                 kx, Int32(kx.count), xs, ky, Int32(ky.count), ys)
                }
                count = image.bytes.count
            }
            if status == 0 { return Image(width: w, height: h, channels: cn, bytes: bytes) }
        }
        let plane = floatPlane(image)
        let result = separable(plane, width: image.width, height: image.height, channels: image.channels, kx: kx, ky: ky,
                               border: border, openCV8Bit: image.depth == .uint8)
        return storeColorChannels(result, into: image)
    }

    /// The separable convolution of an interleaved `Float` plane (all channels), borders read through `border`:
    /// plain products summed in order, or with `openCV8Bit` the fused sums and symmetric pairs of the 8-bit filter.
    public static func separable(_ plane: [Float], width w: Int, height h: Int, channels cn: Int,
                                 kx: [Float], ky: [Float], border: BorderMode = .reflect101, openCV8Bit: Bool = false) -> [Float] {
        let rx = kx.count / 2, ry = ky.count / 2, rowLength = w * cn
        let xs = (-rx..<(w + rx)).map { max(border.index($0, length: w), 0) }
        var padded = [Float](repeating: 0, count: (w + 2 * rx) * cn)
        var rows = [Float](repeating: 0, count: h * rowLength)
        var out = [Float](repeating: 0, count: h * rowLength)
        plane.withUnsafeBufferPointer { src in
            padded.withUnsafeMutableBufferPointer { pad in
                rows.withUnsafeMutableBufferPointer { r in
                    for y in 0..<h {
                        let s = src.baseAddress! + y * rowLength
                        for (i, x) in xs.enumerated() { for c in 0..<cn { pad[i * cn + c] = s[x * cn + c] } }
                        let d = r.baseAddress! + y * rowLength
                        for (k, kv) in kx.enumerated() where kv != 0 {
                            let p = pad.baseAddress! + k * cn
                            if openCV8Bit {
                                for i in 0..<rowLength { d[i] = d[i].addingProduct(p[i], kv) }
                            } else {
                                for i in 0..<rowLength { d[i] += p[i] * kv }
                            }
                        }
                    }
                }
            }
        }
        let ys = (-ry..<(h + ry)).map { max(border.index($0, length: h), 0) }
        let pairs = openCV8Bit && ky.count % 2 == 1 && (0..<ry).allSatisfy { ky[$0] == ky[ky.count - 1 - $0] }
        rows.withUnsafeBufferPointer { r in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    let d = o.baseAddress! + y * rowLength
                    func row(_ k: Int) -> UnsafePointer<Float> { r.baseAddress! + ys[y + k] * rowLength }
                    if pairs {
                        let centre = row(ry), kc = ky[ry]
                        if kc != 0 { for i in 0..<rowLength { d[i] = centre[i] * kc } }
                        for j in stride(from: 1, through: ry, by: 1) where ky[ry + j] != 0 {
                            let below = row(ry + j), above = row(ry - j), kv = ky[ry + j]
                            for i in 0..<rowLength { d[i] = d[i].addingProduct(below[i] + above[i], kv) }
                        }
                    } else {
                        for (k, kv) in ky.enumerated() where kv != 0 {
                            let p = row(k)
                            if openCV8Bit {
                                for i in 0..<rowLength { d[i] = d[i].addingProduct(p[i], kv) }
                            } else {
                                for i in 0..<rowLength { d[i] += p[i] * kv }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The samples of `image` as `Float`, interleaved.
    static func floatPlane(_ image: Image) -> [Float] {
        func convert<T: ImageSample>(_ a: [T]) -> [Float] {
            [Float](unsafeUninitializedCapacity: a.count) { out, count in
                a.withUnsafeBufferPointer { s in for i in 0..<s.count { out[i] = Float(s[i]) } }
                count = a.count
            }
        }
        return image.depth == .uint8 ? convert(image.bytes) : convert(image.words)
    }

    /// Rounds (half to even) and clamps `plane` into the colour channels of a copy of `image`; alpha is kept.
    static func storeColorChannels(_ plane: [Float], into image: Image) -> Image {
        var out = image
        let cn = image.channels, colors = image.info.colorChannels, m = Float(image.depth.maxValue)
        let maxValue = Int(m)
        func run<T: ImageSample>(_ d: inout [T]) {
            plane.withUnsafeBufferPointer { p in
                d.withUnsafeMutableBufferPointer { d in
                    if colors == cn {
                        for i in 0..<p.count { d[i] = sampleFromFloat(p[i], maxValue: maxValue) }
                    } else {
                        var i = 0
                        while i < p.count {
                            for c in 0..<colors { d[i + c] = sampleFromFloat(p[i + c], maxValue: maxValue) }
                            i += cn
                        }
                    }
                }
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    /// Correlates with a `size` x `size` kernel (row-major, odd size, anchored at the centre), as `cv2.filter2D`.
    public static func convolve(_ image: Image, kernel: [Float], size: Int, border: BorderMode = .reflect101) -> Image {
        precondition(kernel.count == size * size && size % 2 == 1, "kernel must be size x size with odd size")
        guard image.info.pixelCount > 0 else { return image }
        let w = image.width, h = image.height, cn = image.channels, r = size / 2
        let pw = w + 2 * r, rowLength = w * cn
        let xs = (-r..<(w + r)).map { max(border.index($0, length: w), 0) }
        let ys = (-r..<(h + r)).map { max(border.index($0, length: h), 0) }
        let src = floatPlane(image)
        var padded = [Float](repeating: 0, count: pw * (h + 2 * r) * cn)
        for (j, y) in ys.enumerated() {
            for (i, x) in xs.enumerated() { for c in 0..<cn { padded[(j * pw + i) * cn + c] = src[(y * w + x) * cn + c] } }
        }
        var out = [Float](repeating: 0, count: h * rowLength)
        padded.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for y in 0..<h {
                    let d = o.baseAddress! + y * rowLength
                    for (k, kv) in kernel.enumerated() where kv != 0 {
                        let s = p.baseAddress! + ((y + k / size) * pw + k % size) * cn
                        for i in 0..<rowLength { d[i] += s[i] * kv }
                    }
                }
            }
        }
        return storeColorChannels(out, into: image)
    }

    /// The mean over a `size` x `size` box (`cv2.blur`, border reflect101).
    public static func box(_ image: Image, size: Int) -> Image {
        let k = [Float](repeating: 1 / Float(size), count: size)
        return separable(image, kx: k, ky: k)
    }

    /// The median over a `size` x `size` box, edges replicated (`cv2.medianBlur`). Size must be odd.
    public static func median(_ image: Image, size: Int) -> Image {
        precondition(size % 2 == 1 && size > 0, "median size must be odd, got \(size)")
        guard image.info.pixelCount > 0, size > 1 else { return image }
        var out = image
        func run<T: ImageSample>(_ src: [T], _ dst: inout [T]) {
            let w = image.width, h = image.height, cn = image.channels, colors = image.info.colorChannels, r = size / 2
            var window = [T](repeating: 0, count: size * size)
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    window.withUnsafeMutableBufferPointer { win in
                        for y in 0..<h {
                            for x in 0..<w {
                                for c in 0..<colors {
                                    var n = 0
                                    for dy in -r...r {
                                        let row = min(max(y + dy, 0), h - 1) * w
                                        for dx in -r...r {
                                            win[n] = s[(row + min(max(x + dx, 0), w - 1)) * cn + c]
                                            n += 1
                                        }
                                    }
                                    d[(y * w + x) * cn + c] = select(win.baseAddress!, count: n, rank: n / 2)
                                }
                            }
                        }
                    }
                }
            }
        }
        switch image.depth {
        case .uint8: medianHistogram(image, size: size, into: &out.bytes)
        case .uint16: run(image.words, &out.words)
        }
        return out
    }

    /// The 8-bit median by a sliding histogram (Huang, Yang & Tang, "A fast two-dimensional median filtering
    /// algorithm", 1979), with a 16-bin coarse level so finding the median scans 32 bins, not 256 (after Perreault &
    /// Hébert, "Median filtering in constant time", 2007). Same result as sorting; edges replicated.
    static func medianHistogram(_ image: Image, size: Int, into dst: inout [UInt8]) {
        let w = image.width, h = image.height, cn = image.channels, colors = image.info.colorChannels, r = size / 2
        let half = size * size / 2
        var fine = [Int32](repeating: 0, count: 256), coarse = [Int32](repeating: 0, count: 16)
        image.bytes.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                fine.withUnsafeMutableBufferPointer { fine in
                    coarse.withUnsafeMutableBufferPointer { coarse in
                        for c in 0..<colors {
                            for y in 0..<h {
                                for i in 0..<256 { fine[i] = 0 }
                                for i in 0..<16 { coarse[i] = 0 }
                                @inline(__always) func column(_ x: Int, _ delta: Int32) {
                                    let xx = min(max(x, 0), w - 1)
                                    for dy in -r...r {
                                        let v = Int(s[(min(max(y + dy, 0), h - 1) * w + xx) * cn + c])
                                        fine[v] += delta
                                        coarse[v >> 4] += delta
                                    }
                                }
                                for x in -r...r { column(x, 1) }
                                for x in 0..<w {
                                    if x > 0 {
                                        column(x - r - 1, -1)
                                        column(x + r, 1)
                                    }
                                    var seen: Int32 = 0, b = 0
                                    while seen + coarse[b] <= Int32(half) { seen += coarse[b]; b += 1 }
                                    var v = b << 4
                                    while seen + fine[v] <= Int32(half) { seen += fine[v]; v += 1 }
                                    d[(y * w + x) * cn + c] = UInt8(v)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The `rank`-th smallest of `count` values, reordering them (Hoare's selection, "Find", 1961).
    @inline(__always)
    @_specialize(where T == UInt8)
    @_specialize(where T == UInt16)
    static func select<T: Comparable>(_ a: UnsafeMutablePointer<T>, count: Int, rank: Int) -> T {
        var lo = 0, hi = count - 1
        while lo < hi {
            let pivot = a[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j { (a[i], a[j]) = (a[j], a[i]); i += 1; j -= 1 }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return a[rank] }
        }
        return a[rank]
    }
}
