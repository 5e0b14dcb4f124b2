/// A histogram as TensorBoard's `HistogramProto` stores it: summary statistics plus buckets given by their right edges.
public struct Histogram: Sendable, Equatable {
    public var min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double
    /// Right edge of each bucket (the first bucket starts at `min`).
    public var bucketLimits: [Double]
    /// Values per bucket.
    public var bucketCounts: [Double]

    public init(min: Double, max: Double, count: Double, sum: Double, sumOfSquares: Double, bucketLimits: [Double],
                bucketCounts: [Double]) {
        self.min = min
        self.max = max
        self.count = count
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.bucketLimits = bucketLimits
        self.bucketCounts = bucketCounts
    }

    /// `bucketCount` equal-width buckets from the smallest to the largest finite value (as `numpy.histogram`, which
    /// PyTorch's `add_histogram` uses). NaN and infinite values are left out; `nil` when no finite value remains.
    public init?(_ values: [Float], bucketCount: Int = 30) {
        precondition(bucketCount > 0, "Histogram needs at least one bucket, got \(bucketCount)")
        var lo = Double.infinity, hi = -Double.infinity, n = 0.0, s = 0.0, s2 = 0.0
        for v in values where v.isFinite {
            let d = Double(v)
            lo = Swift.min(lo, d)
            hi = Swift.max(hi, d)
            n += 1
            s += d
            s2 += d * d
        }
        guard n > 0 else { return nil }
        let width = hi > lo ? (hi - lo) / Double(bucketCount) : 1
        var counts = [Double](repeating: 0, count: bucketCount)
        for v in values where v.isFinite {
            counts[Swift.min(bucketCount - 1, Int((Double(v) - lo) / width))] += 1
        }
        self.init(min: lo, max: hi, count: n, sum: s, sumOfSquares: s2,
                  bucketLimits: (1...bucketCount).map { i in i == bucketCount ? Swift.max(hi, lo + width) : lo + Double(i) * width },
                  bucketCounts: counts)
    }
}
