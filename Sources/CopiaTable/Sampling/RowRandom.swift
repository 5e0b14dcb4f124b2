import CopiaCore

/// Generators for drawn rows, keyed like `CounterRandom(seed:stage:sample: "<class>#<i>")` but without building the
/// sample string for each row: the hash of (seed, stage) is computed once and continued with the sample's bytes.
struct RowKeys: Sendable {
    let prefix: StableHash
    let className: [UInt8]

    init(seed: UInt64, stage: String, className: String) {
        var h = StableHash()
        h.combine(seed)
        h.combine(stage)
        prefix = h
        self.className = Array(className.utf8)
    }

    /// The generator for the class's `index`-th drawn row; equal to
    /// `CounterRandom(seed: seed, stage: stage, sample: "\(className)#\(index)")`.
    @inline(__always)
    func random(_ index: Int) -> CounterRandom {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var v = index.magnitude
        let negative = index < 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                n += 1
            } while v > 0
        }
        var h = prefix
        h.combine(UInt64(className.count + 1 + n + (negative ? 1 : 0)))
        for b in className { h.combine(b) }
        h.combine(UInt8(ascii: "#"))
        if negative { h.combine(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { d in
            for j in stride(from: n - 1, through: 0, by: -1) { h.combine(d[j]) }
        }
        return CounterRandom(key: h.value)
    }
}

/// Runs `body` over `0..<count` in blocks, in parallel when worth it. Each index's work must depend only on the
/// index, so results never depend on the thread count.
func parallelBlocks(_ count: Int, block: Int = 2048, _ body: @Sendable (Range<Int>) -> Void) {
    let blocks = (count + block - 1) / block
    if blocks <= 1 {
        if count > 0 { body(0..<count) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: blocks) { b in
        body((b * block)..<min(count, (b + 1) * block))
    }
}

import Dispatch
