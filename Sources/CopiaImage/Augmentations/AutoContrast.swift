import CopiaCore

/// Stretches each colour channel to the full range (albumentations 2.x `AutoContrast`). The channel's range is its
/// lowest and highest occupied levels, or, with `cutoff` percent, the levels where that share of samples is reached
/// from each end (albumentations' `get_histogram_bounds`). `method` `cdf` (the default) maps the range through the
/// normalised cumulative histogram, as equalisation does; `pil` maps it linearly (PIL's `autocontrast`, with
/// albumentations' half-to-even rounding). Levels below the range become 0, above it the maximum; a channel with
/// one level is unchanged. Alpha is kept.
public struct AutoContrast: Augmentation {
    public enum Method: String, SpecEnum, Codable, Sendable {
        case cdf, pil
    }
    public struct Parameters: Codable, Sendable, Equatable {
        public var cutoff: Double
        public var method: Method
        public init(cutoff: Double = 0, method: Method = .cdf) { (self.cutoff, self.method) = (cutoff, method) }
    }
    public static let name = "AutoContrast"
    public static let summary = "Stretches each channel to the full range, ignoring cutoff percent at each end."
    public var cutoff: Double, method: Method
    public init(cutoff: Double = 0, method: Method = .cdf) { (self.cutoff, self.method) = (cutoff, method) }
    public init(reading r: SpecReader) {
        cutoff = r.read("cutoff", default: 0.0, in: 0...49, doc: "Percent of samples ignored at each end of the histogram.")
        method = r.read("method", default: Method.cdf, doc: "cdf: through the cumulative histogram; pil: linear.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters {
        Parameters(cutoff: cutoff, method: method)
    }

    /// albumentations' `get_histogram_bounds`.
    static func bounds(_ hist: [Int], cutoff: Double) -> (Int, Int) {
        let n = hist.count
        if cutoff == 0 {
            guard let lo = hist.firstIndex(where: { $0 > 0 }), let hi = hist.lastIndex(where: { $0 > 0 }) else { return (0, 0) }
            return (lo, hi)
        }
        let total = Double(hist.reduce(0, +))
        guard total > 0 else { return (0, 0) }
        let cut = total * cutoff / 100
        if hist.allSatisfy({ $0 == hist[0] }) {
            let lo = Int(Double(n) * cutoff / 100)
            return (lo, n - lo - 1)
        }
        var sum = 0.0, lo = 0
        for i in 0..<n {
            sum += Double(hist[i])
            if sum >= cut { lo = i + 1; break }
        }
        lo = min(lo, n - 1)
        sum = 0
        var hi = n - 1
        for i in stride(from: n - 1, through: 0, by: -1) {
            sum += Double(hist[i])
            if sum >= cut { hi = i; break }
        }
        if lo > hi { return ((n - 1) / 2, (n - 1) / 2) }
        return (lo, hi)
    }

    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let m = image.depth.maxValue
        guard image.info.pixelCount > 0 else { return image }
        var tables: [[Int]] = []
        for c in 0..<image.info.colorChannels {
            let hist = ColorSpaceKernels.histogram(of: image, channel: c)
            let (lo, hi) = Self.bounds(hist, cutoff: p.cutoff)
            guard hi > lo else { tables.append(Array(0...m)); continue }
            var lut = [Int](repeating: 0, count: m + 1)
            for v in (hi + 1)..<(m + 1) { lut[v] = m }
            switch p.method {
            case .pil:
                let scale = Double(m) / Double(hi - lo)
                for v in lo...hi { lut[v] = min(max(Int((Double(v - lo) * scale).rounded(.toNearestOrEven)), 0), m) }
            case .cdf:
                var cdf = [Int](repeating: 0, count: hi - lo + 1)
                var sum = 0
                for v in lo...hi { sum += hist[v]; cdf[v - lo] = sum }
                let span = cdf[cdf.count - 1] - cdf[0]
                guard span > 0 else { tables.append(Array(0...m)); continue }
                for v in lo...hi {
                    lut[v] = min(max(Int((Double(cdf[v - lo] - cdf[0]) * Double(m) / Double(span)).rounded(.toNearestOrEven)), 0), m)
                }
            }
            tables.append(lut)
        }
        return ColorKernels.lookup(image, tables: tables)
    }
}
