import Foundation

/// Linear and rank filters: separable and 2-D convolution (OpenCV `sepFilter2D` / `filter2D` with `ddepth = -1`),
/// box and median blur. Sums are single precision and rounded half to even, as OpenCV's float-kernel paths do;
/// results are within 1 of OpenCV at 8-bit (its Gaussian blur uses a bit-exact fixed-point kernel).
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
    public static func separable(_ image: Image, kx: [Float], ky: [Float], border: BorderMode = .reflect101) -> Image {
        guard image.info.pixelCount > 0 else { return image }
        var out = image
        switch image.depth {
        case .uint8: separable(image.bytes, &out.bytes, info: image.info, kx: kx, ky: ky, border: border)
        case .uint16: separable(image.words, &out.words, info: image.info, kx: kx, ky: ky, border: border)
        }
        return out
    }

    static func separable<T: ImageSample>(_ src: [T], _ dst: inout [T], info: ImageInfo, kx: [Float], ky: [Float], border: BorderMode) {
        let w = info.width, h = info.height, cn = info.channels, colors = info.colorChannels
        let rx = kx.count / 2, ry = ky.count / 2
        let xs = (-rx..<(w + rx)).map { max(border.index($0, length: w), 0) }
        let ys = (-ry..<(h + ry)).map { max(border.index($0, length: h), 0) }
        var rows = [Float](repeating: 0, count: w * h * cn)
        let maxValue = Float(info.depth.maxValue)
        src.withUnsafeBufferPointer { s in
            rows.withUnsafeMutableBufferPointer { r in
                for y in 0..<h {
                    let row = y * w * cn
                    for x in 0..<w {
                        for c in 0..<colors {
                            var acc: Float = 0
                            for k in 0..<kx.count { acc += Float(s[row + xs[x + k] * cn + c]) * kx[k] }
                            r[row + x * cn + c] = acc
                        }
                    }
                }
            }
            rows.withUnsafeBufferPointer { r in
                dst.withUnsafeMutableBufferPointer { d in
                    for y in 0..<h {
                        for x in 0..<w {
                            for c in 0..<colors {
                                var acc: Float = 0
                                for k in 0..<ky.count { acc += r[(ys[y + k] * w + x) * cn + c] * ky[k] }
                                let v = acc.rounded(.toNearestOrEven)
                                d[(y * w + x) * cn + c] = v <= 0 ? 0 : (v >= maxValue ? T(truncatingIfNeeded: Int(maxValue)) : T(v))
                            }
                        }
                    }
                }
            }
        }
    }

    /// Correlates with a `size` x `size` kernel (row-major, odd size, anchored at the centre), as `cv2.filter2D`.
    public static func convolve(_ image: Image, kernel: [Float], size: Int, border: BorderMode = .reflect101) -> Image {
        precondition(kernel.count == size * size && size % 2 == 1, "kernel must be size x size with odd size")
        guard image.info.pixelCount > 0 else { return image }
        var out = image
        func run<T: ImageSample>(_ src: [T], _ dst: inout [T]) {
            let w = image.width, h = image.height, cn = image.channels, colors = image.info.colorChannels, r = size / 2
            let xs = (-r..<(w + r)).map { max(border.index($0, length: w), 0) }
            let ys = (-r..<(h + r)).map { max(border.index($0, length: h), 0) }
            let taps = kernel.enumerated().filter { $0.element != 0 }.map { ($0.offset / size, $0.offset % size, $0.element) }
            let maxValue = Float(image.depth.maxValue)
            src.withUnsafeBufferPointer { s in
                dst.withUnsafeMutableBufferPointer { d in
                    for y in 0..<h {
                        for x in 0..<w {
                            for c in 0..<colors {
                                var acc: Float = 0
                                for (ky, kx, kv) in taps { acc += Float(s[(ys[y + ky] * w + xs[x + kx]) * cn + c]) * kv }
                                let v = acc.rounded(.toNearestOrEven)
                                d[(y * w + x) * cn + c] = v <= 0 ? 0 : (v >= maxValue ? T(truncatingIfNeeded: Int(maxValue)) : T(v))
                            }
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
                                        let yy = min(max(y + dy, 0), h - 1)
                                        for dx in -r...r {
                                            let xx = min(max(x + dx, 0), w - 1)
                                            // Insertion sort as we go: windows are at most a few dozen samples.
                                            let v = s[(yy * w + xx) * cn + c]
                                            var i = n
                                            while i > 0 && win[i - 1] > v { win[i] = win[i - 1]; i -= 1 }
                                            win[i] = v
                                            n += 1
                                        }
                                    }
                                    d[(y * w + x) * cn + c] = win[n / 2]
                                }
                            }
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
}
