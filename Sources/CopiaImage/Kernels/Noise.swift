import CCopiaPixels
import CopiaCore

/// Noise kernels. They are pure: the noise comes from a `CounterRandom` keyed by the `seed` in the op's parameters,
/// drawn in a fixed order (row-major, channel-minor), so a manifest line reproduces the same noise everywhere.
public enum NoiseKernels {
    static func generator(_ seed: Int) -> CounterRandom { CounterRandom(key: UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15, stream: 1) }

    /// Adds `mean + std * N(0, 1)` to each colour sample (one draw per pixel when not `perChannel`), clipped and rounded.
    /// `std` and `mean` are in sample units.
    ///
    /// The normals come from `ccopia_normals` (CCopiaPixels' `noise.c`): xoshiro128++ in eight lanes seeded by Philox
    /// blocks of the seed's key, then Box-Muller in `Float` with polynomial log, sine and cosine, each normal within
    /// 2e-6 of the exact transform of its uniforms. No libm call is involved, so the bytes are the same on every
    /// machine, with or without AVX2. The 8-bit case with noise on every channel runs as one fused pass.
    public static func addGaussian(_ image: Image, std: Double, mean: Double, perChannel: Bool, seed: Int) -> Image {
        let rng = generator(seed)
        var out = image
        let cn = image.channels, colors = image.info.colorChannels, m = Float(image.depth.maxValue), n = image.info.pixelCount
        let sd = Float(std), mu = Float(mean)
        if image.depth == .uint8 && perChannel && colors == cn {
            // Every sample is written from the input: the output is not a copy first.
            let bytes = [UInt8](unsafeUninitializedCapacity: image.bytes.count) { d, count in
                image.bytes.withUnsafeBufferPointer { s in
                    if let sp = s.baseAddress, let dp = d.baseAddress { ccopia_gauss_noise_u8(sp, dp, s.count, rng.key, rng.stream, rng.counter, mu, sd) }
                }
                count = image.bytes.count
            }
            return Image(width: image.width, height: image.height, channels: cn, bytes: bytes)
        }
        let count = perChannel ? n * colors : n
        var noise = [Float](repeating: 0, count: count)
        noise.withUnsafeMutableBufferPointer { z in
            if let zp = z.baseAddress { ccopia_normals(zp, count, rng.key, rng.stream, rng.counter) }
        }
        func run<T: ImageSample>(_ d: inout [T]) {
            noise.withUnsafeBufferPointer { z in
                d.withUnsafeMutableBufferPointer { d in
                    if perChannel && colors == cn {
                        // The common case as one flat loop the compiler can vectorise.
                        let maxValue = Int(m)
                        for i in 0..<d.count { d[i] = sampleFromFloat(Float(d[i]) + mu + sd * z[i], maxValue: maxValue) }
                        return
                    }
                    var k = 0
                    for p in 0..<n {
                        let shared = perChannel ? 0 : z[p]
                        for c in 0..<colors {
                            let e = perChannel ? z[k] : shared
                            k += 1
                            d[p * cn + c] = sampleFromFloat(Float(d[p * cn + c]) + mu + sd * e, maxValue: Int(m))
                        }
                    }
                }
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    /// The first `count` standard normals `addGaussian` draws for `seed` (its noise in sample order).
    static func standardNormals(count: Int, seed: Int) -> [Float] {
        let rng = generator(seed)
        var z = [Float](repeating: 0, count: count)
        z.withUnsafeMutableBufferPointer { zp in
            if let base = zp.baseAddress { ccopia_normals(base, count, rng.key, rng.stream, rng.counter) }
        }
        return z
    }

    /// The Box-Muller transform `addGaussian` applies to pairs of 32-bit draws: (cosine, sine) normals.
    static func boxMuller(_ a: [UInt32], _ b: [UInt32]) -> (cos: [Float], sin: [Float]) {
        precondition(a.count == b.count, "boxMuller needs as many draws in a as in b, got \(a.count) and \(b.count)")
        var c = [Float](repeating: 0, count: a.count), s = c
        c.withUnsafeMutableBufferPointer { cp in
            s.withUnsafeMutableBufferPointer { sp in
                if a.count > 0 { ccopia_box_muller(a, b, a.count, cp.baseAddress!, sp.baseAddress!) }
            }
        }
        return (c, s)
    }

    /// Sets a fraction `amount` of pixels to the maximum (with probability `saltRatio`) or to 0, in every colour channel.
    public static func saltAndPepper(_ image: Image, amount: Double, saltRatio: Double, seed: Int) -> Image {
        var rng = generator(seed)
        var out = image
        let cn = image.channels, colors = image.info.colorChannels, m = image.depth.maxValue
        func run<T: ImageSample>(_ d: inout [T]) {
            for i in 0..<image.info.pixelCount {
                let corrupt = rng.unit() < amount
                let salt = rng.unit() < saltRatio
                guard corrupt else { continue }
                for c in 0..<colors { d[i * cn + c] = salt ? T(truncatingIfNeeded: m) : 0 }
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }

    /// Camera sensor noise (after albumentations' `ISONoise`): hue jitter `N(0, 360 colorShift intensity)` degrees and
    /// luminance noise of mean and variance `255 intensity * std(image)` (a normal approximation of its Poisson draw),
    /// in HSV rather than HLS. RGB images only; others are returned unchanged.
    public static func iso(_ image: Image, colorShift: Double, intensity: Double, seed: Int) -> Image {
        guard image.channels >= 3, image.info.pixelCount > 0 else { return image }
        var rng = generator(seed)
        var out = image
        let cn = image.channels, m = Float(image.depth.maxValue), n = image.info.pixelCount
        let mean = ColorKernels.mean(image) / Double(m)
        var variance = 0.0
        for i in 0..<n {
            for c in 0..<3 {
                let v = Double(image.depth == .uint8 ? Int(image.bytes[i * cn + c]) : Int(image.words[i * cn + c])) / Double(m) - mean
                variance += v * v
            }
        }
        let std = (variance / Double(3 * n)).squareRoot()
        let lambda = std * intensity * 255
        let hueSigma = colorShift * 360 * intensity
        func run<T: ImageSample>(_ d: inout [T]) {
            for i in 0..<n {
                let p = i * cn
                let (h, s, v) = ColorSpaceKernels.hsvFloat(Float(d[p]) / m, Float(d[p + 1]) / m, Float(d[p + 2]) / m)
                let lum = max(0, lambda + lambda.squareRoot() * rng.normal())
                let hue = h + Float(hueSigma * rng.normal())
                let v2 = v + Float(lum / 255 * intensity) * (1 - v)
                let (r, g, b) = ColorSpaceKernels.rgbFloat(h: hue, s: s, v: min(max(v2, 0), 1), hueRange: 360)
                d[p] = sampleFromFloat(r * m, maxValue: Int(m))
                d[p + 1] = sampleFromFloat(g * m, maxValue: Int(m))
                d[p + 2] = sampleFromFloat(b * m, maxValue: Int(m))
            }
        }
        if image.depth == .uint8 { run(&out.bytes) } else { run(&out.words) }
        return out
    }
}
