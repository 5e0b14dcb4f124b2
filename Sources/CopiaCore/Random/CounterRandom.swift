/// A counter-based random number generator: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
/// as easy as 1, 2, 3", SC 2011).
///
/// Copia never draws from a shared stream consumed in thread order. Every random choice is made by a generator keyed by
/// `(seed, stage, sample id)`; the `n`-th value it yields is a pure function of that key and `n`. So a sample's
/// augmentation parameters do not depend on `--jobs`, on sharding, or on which samples were processed before it.
///
/// ```swift
/// var rng = CounterRandom(seed: 42, stage: "balance", sample: "train/3/img_0007.png#2")
/// let angle = rng.uniform(-15...15)
/// ```
///
/// The key is derived from the stage and sample strings with FNV-1a (stable across runs and platforms; Swift's
/// `Hasher` is randomly seeded per process and must never be used here).
public struct CounterRandom: RandomNumberGenerator, Sendable {
    /// The 64-bit Philox key.
    public let key: UInt64
    /// The index of the next 128-bit block.
    public private(set) var counter: UInt64
    /// The stream, occupying the high half of the Philox counter; independent streams share a key.
    public let stream: UInt64
    private var buffered: (UInt64, UInt64) = (0, 0)
    private var bufferedCount = 0

    /// Creates the generator for one (seed, stage, sample) triple.
    public init(seed: UInt64, stage: String, sample: String, stream: UInt64 = 0) {
        self.init(key: CounterRandom.derivedKey(seed: seed, stage: stage, sample: sample), stream: stream)
    }

    /// Creates a generator from an explicit key, starting at block `counter`.
    public init(key: UInt64, stream: UInt64 = 0, counter: UInt64 = 0) {
        self.key = key
        self.stream = stream
        self.counter = counter
    }

    /// The Philox key for a (seed, stage, sample) triple.
    public static func derivedKey(seed: UInt64, stage: String, sample: String) -> UInt64 {
        var h = StableHash()
        h.combine(seed)
        h.combine(stage)
        h.combine(sample)
        return h.value
    }

    public mutating func next() -> UInt64 {
        if bufferedCount == 0 {
            buffered = CounterRandom.philox(counter: counter, stream: stream, key: key)
            counter &+= 1
            bufferedCount = 2
        }
        bufferedCount -= 1
        return bufferedCount == 1 ? buffered.0 : buffered.1
    }

    /// One Philox4x32-10 block: 128 bits for a 128-bit counter (block index, stream) under a 64-bit key.
    @inlinable
    public static func philox(counter: UInt64, stream: UInt64, key: UInt64) -> (UInt64, UInt64) {
        var c0 = UInt32(truncatingIfNeeded: counter), c1 = UInt32(truncatingIfNeeded: counter >> 32)
        var c2 = UInt32(truncatingIfNeeded: stream), c3 = UInt32(truncatingIfNeeded: stream >> 32)
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        let m0: UInt64 = 0xD251_1F53, m1: UInt64 = 0xCD9E_8D57
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = m0 &* UInt64(c0), p1 = m1 &* UInt64(c2)
            let hi0 = UInt32(truncatingIfNeeded: p0 >> 32), lo0 = UInt32(truncatingIfNeeded: p0)
            let hi1 = UInt32(truncatingIfNeeded: p1 >> 32), lo1 = UInt32(truncatingIfNeeded: p1)
            (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
        }
        return (UInt64(c0) | UInt64(c1) << 32, UInt64(c2) | UInt64(c3) << 32)
    }
}

// MARK: - Draws with fixed, documented algorithms

/// Draws whose algorithms Copia fixes itself, so that outputs are stable across Swift versions and platforms
/// (the standard library does not promise how `Double.random(in:using:)` consumes its generator).
extension RandomNumberGenerator {
    /// A double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A double uniformly in `range` (both ends allowed; a single-point range returns that point).
    @inlinable
    public mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// An integer uniformly in `0..<bound` by Lemire's multiply-and-reject method (Lemire, 2019). `bound` must be > 0.
    @inlinable
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "int(below:) needs a positive bound, got \(bound)")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// An integer uniformly in `range`.
    @inlinable
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + int(below: range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `p` (p <= 0 never, p >= 1 always, and neither consumes a draw).
    @inlinable
    public mutating func chance(_ p: Double) -> Bool {
        if p >= 1 { return true }
        if p <= 0 { return false }
        return unit() < p
    }

    /// A standard normal draw (Box-Muller; consumes two values).
    @inlinable
    public mutating func normal() -> Double {
        let u1 = 1.0 - unit() // (0, 1]
        let u2 = unit()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }

    /// A Gamma(shape, 1) draw by Marsaglia & Tsang's method ("A simple method for generating gamma variables", 2000),
    /// with the usual boost `Gamma(a) = Gamma(a + 1) * U^(1/a)` for shapes below 1. `shape` must be > 0.
    @inlinable
    public mutating func gamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be > 0, got \(shape)")
        if shape < 1 {
            let g = gamma(shape: shape + 1)
            return g * _pow(max(unit(), 0x1p-53), 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = unit()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if _log(max(u, 0x1p-53)) < 0.5 * x * x + d * (1 - v + _log(v)) { return d * v }
        }
    }

    /// A Beta(a, b) draw, as the ratio of two gamma draws. Both parameters must be > 0.
    @inlinable
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// Shuffles `array` in place (Fisher-Yates, drawing `int(below:)` from the back).
    @inlinable
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
@usableFromInline func _pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
