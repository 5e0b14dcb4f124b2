import CopiaCore

/// Spec fields and sampling steps that several ops share, so they read and behave the same everywhere.
enum OpFields {
    static func interpolation(_ r: SpecReader, default def: Interpolation = .bilinear) -> Interpolation {
        r.read("interpolation", default: def, doc: "How to sample between pixels.")
    }

    static func borderMode(_ r: SpecReader, default def: BorderMode = .constant) -> BorderMode {
        r.read("borderMode", default: def, doc: "What fills pixels that come from outside the image.")
    }

    static func fill(_ r: SpecReader) -> [Double] {
        r.read("fill", default: [0.0], doc: "Fill value(s): one for all channels, or one per channel.") { (v: [Double]) in
            v.isEmpty ? "must list at least one value" : (v.allSatisfy { (0...65_535).contains($0) } ? nil : "values must be in 0...65535, got \(v)")
        }
    }

    /// A required positive size, reported at its key when out of range.
    static func size(_ r: SpecReader, _ key: String, doc: String) -> Int {
        let v: Int = r.read(key, doc: doc) { (v: Int) in (1...65_536).contains(v) ? nil : "must be in 1...65536, got \(v)" }
        return max(v, 1)
    }

    /// An integer range `[low, high]` written as a `SpecRange` (albumentations' `blur_limit`, `num_bits`, ...).
    static func intRange(_ r: SpecReader, _ key: String, default def: (Int, Int), within bounds: ClosedRange<Int>, doc: String) -> ClosedRange<Int> {
        let range = r.read(key, default: SpecRange(Double(def.0), Double(def.1)),
                           within: Double(bounds.lowerBound)...Double(bounds.upperBound), doc: doc)
        let lo = Int(range.lower.rounded()), hi = Int(range.upper.rounded())
        if (range.lower != range.lower.rounded() || range.upper != range.upper.rounded()) && !r.isDescribing {
            r.report(key, "must be whole numbers, got \(range.specJSON)")
        }
        return min(lo, hi)...max(lo, hi)
    }

    /// A seed for an op's own noise: 32 bits, so it survives JSON numbers exactly.
    static func seed(_ rng: inout some RandomNumberGenerator) -> Int { Int(rng.next() >> 32) }
}

/// albumentations' `sample_odd_from_range`: low and high rounded up to odd numbers of at least 3, then an odd draw.
func sampleOdd(_ range: ClosedRange<Int>, using rng: inout some RandomNumberGenerator) -> Int {
    let low = max(3, range.lowerBound + (range.lowerBound % 2 == 0 ? 1 : 0))
    var high = max(3, range.upperBound + (range.upperBound % 2 == 0 ? 1 : 0))
    high = max(high, low)
    if low == high { return low }
    return low + 2 * rng.int(in: 0...((high - low) / 2))
}

/// Padding that centres an image inside at least `minWidth` x `minHeight` (albumentations' `PadIfNeeded`, centre position).
struct CenterPadding: Codable, Sendable, Equatable {
    var top = 0, bottom = 0, left = 0, right = 0

    init(top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    init(width: Int, height: Int, minWidth: Int, minHeight: Int) {
        let dh = max(0, minHeight - height), dw = max(0, minWidth - width)
        top = dh / 2
        bottom = dh - top
        left = dw / 2
        right = dw - left
    }

    var isZero: Bool { top == 0 && bottom == 0 && left == 0 && right == 0 }
}
