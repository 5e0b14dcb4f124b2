import CopiaCore
import Foundation
import Testing
@testable import CopiaImage

/// The Gaussian noise generator: its accuracy, its distribution, and bytes that do not depend on the machine.
@Suite struct NoiseTests {
    @Test func boxMullerIsWithinTwoMillionthsOfDoublePrecision() {
        var rng = CounterRandom(key: 11, stream: 5)
        var a: [UInt32] = [], b: [UInt32] = []
        for _ in 0..<(1 << 20) {
            let bits = rng.next()
            a.append(UInt32(truncatingIfNeeded: bits))
            b.append(UInt32(truncatingIfNeeded: bits >> 32))
        }
        // Extremes of both uniforms: u1 = 2^-24 (the largest radius) and 1, u2 on and beside the quarter turns.
        for hi: UInt32 in [0, 1, 0x3F_FFFF, 0x40_0000, 0x7F_FFFF, 0x80_0000, 0xBF_FFFF, 0xC0_0000, 0xFF_FFFF] {
            for lo: UInt32 in [0, 0xFF_FFFF, 0x80_0000] { a.append(lo << 8); b.append(hi << 8) }
        }
        let (c, s) = NoiseKernels.boxMuller(a, b)
        var worst = 0.0
        for i in a.indices {
            let u1 = (Double(a[i] >> 8) + 1) * 0x1p-24, u2 = Double(b[i] >> 8) * 0x1p-24
            let r = (-2 * Foundation.log(u1)).squareRoot(), t = 2 * Double.pi * u2
            worst = max(worst, abs(Double(c[i]) - r * Foundation.cos(t)), abs(Double(s[i]) - r * Foundation.sin(t)))
        }
        #expect(worst <= 2e-6, "largest absolute error \(worst)")
    }

    @Test func normalsHaveTheMomentsAndQuantilesOfAStandardNormal() {
        let n = 1 << 21
        let z = NoiseKernels.standardNormals(count: n, seed: 2026).map(Double.init)
        let mean = z.reduce(0, +) / Double(n)
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for v in z { let d = v - mean; m2 += d * d; m3 += d * d * d; m4 += d * d * d * d }
        m2 /= Double(n); m3 /= Double(n); m4 /= Double(n)
        // Standard errors at n = 2^21: mean 7e-4, variance 1e-3, skewness 1.7e-3, kurtosis 3.4e-3; allow about 5 of them.
        #expect(abs(mean) < 0.004 && abs(m2 - 1) < 0.005, "mean \(mean), variance \(m2)")
        #expect(abs(m3 / pow(m2, 1.5)) < 0.01 && abs(m4 / (m2 * m2) - 3) < 0.02, "skewness \(m3), kurtosis \(m4 / (m2 * m2))")
        let sorted = z.sorted()
        // Normal quantiles at 0.1%, 2.5%, 16%, 50%, 84%, 97.5%, 99.9%.
        for (p, q) in [(0.001, -3.0902), (0.025, -1.9600), (0.16, -0.9945), (0.5, 0.0), (0.84, 0.9945), (0.975, 1.9600), (0.999, 3.0902)] {
            let got = sorted[Int(p * Double(n))]
            #expect(abs(got - q) < 0.02, "quantile \(p): \(got), normal \(q)")
        }
        // Lanes and draws are not correlated with their neighbours.
        var lag1 = 0.0, lag8 = 0.0, lag16 = 0.0
        for i in 0..<(n - 16) { lag1 += z[i] * z[i + 1]; lag8 += z[i] * z[i + 8]; lag16 += z[i] * z[i + 16] }
        for (lag, sum) in [(1, lag1), (8, lag8), (16, lag16)] { #expect(abs(sum / Double(n)) < 0.004, "lag \(lag): \(sum / Double(n))") }
    }

    @Test func gaussNoiseOnAFlatImageHasTheRequestedMeanAndDeviation() throws {
        let flat = Image(width: 512, height: 512, channels: 3, bytes: [UInt8](repeating: 128, count: 512 * 512 * 3))
        let std = 0.1, mean = 0.05
        let out = try OpHarness.apply(GaussNoise(), .init(std: std, mean: mean, seed: 9), to: flat)
        let d = out.bytes.map { Double($0) - 128 }
        let m = d.reduce(0, +) / Double(d.count)
        let sd = (d.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(d.count)).squareRoot()
        // Rounding to whole samples adds 1/12 to the variance.
        #expect(abs(m - 255 * mean) < 0.15 && abs(sd - (255 * std * 255 * std + 1.0 / 12).squareRoot()) < 0.15, "mean \(m), std \(sd)")
        let within1 = Double(d.filter { abs($0 - m) <= 255 * std }.count) / Double(d.count)
        #expect(abs(within1 - 0.6827) < 0.01, "within one deviation: \(within1)")
    }

    /// Pinned bytes: the noise must be the same on every machine and build (no libm, no FMA), so a change here is a
    /// change of the generator, to be made on purpose and said in the commit.
    @Test func gaussNoiseBytesArePinned() throws {
        let flat = Image(width: 8, height: 2, channels: 3, bytes: [UInt8](repeating: 100, count: 48))
        let out = try OpHarness.apply(GaussNoise(), .init(std: 0.2, mean: 0, seed: 42), to: flat)
        #expect(Array(out.bytes.prefix(24)) == NoiseTests.pinned)
    }
    static let pinned: [UInt8] = [130, 196, 175, 35, 180, 97, 38, 151, 166, 94, 175, 112, 94, 121, 129, 208, 23, 160, 95, 146, 117, 104, 173, 95]
}
