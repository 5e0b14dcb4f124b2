import CopiaCore

/// Stretches each colour channel so its darkest sample becomes 0 and its brightest the maximum, after ignoring
/// `cutoff` percent of samples at each end (PIL's `ImageOps.autocontrast`, albumentations `AutoContrast` with
/// `method="pil"`). A constant channel is left unchanged. Alpha is kept.
public struct AutoContrast: Augmentation {
    public struct Parameters: Codable, Sendable, Equatable {
        public var cutoff: Double
        public init(cutoff: Double = 0) { self.cutoff = cutoff }
    }
    public static let name = "AutoContrast"
    public static let summary = "Stretches each channel to the full range, ignoring cutoff percent at each end."
    public var cutoff: Double
    public init(cutoff: Double = 0) { self.cutoff = cutoff }
    public init(reading r: SpecReader) {
        cutoff = r.read("cutoff", default: 0.0, in: 0...49, doc: "Percent of samples ignored at each end of the histogram.")
    }
    public func sampleParameters(for image: ImageInfo, using rng: inout some RandomNumberGenerator) -> Parameters { Parameters(cutoff: cutoff) }
    public func apply(_ image: Image, with p: Parameters) throws -> Image {
        let m = image.depth.maxValue, cn = image.channels, n = image.info.pixelCount
        guard n > 0 else { return image }
        var tables: [[Int]] = []
        for c in 0..<image.info.colorChannels {
            var hist = [Int](repeating: 0, count: m + 1)
            for i in 0..<n { hist[image.depth == .uint8 ? Int(image.bytes[i * cn + c]) : Int(image.words[i * cn + c])] += 1 }
            let cut = Int(Double(n) * p.cutoff / 100)
            var lo = 0, seen = 0
            while lo < m && seen + hist[lo] <= cut { seen += hist[lo]; lo += 1 }
            while lo < m && hist[lo] == 0 { lo += 1 }
            var hi = m
            seen = 0
            while hi > 0 && seen + hist[hi] <= cut { seen += hist[hi]; hi -= 1 }
            while hi > 0 && hist[hi] == 0 { hi -= 1 }
            if hi <= lo {
                tables.append(Array(0...m))
            } else {
                // PIL: int(v * scale + offset), truncated, then clamped.
                let scale = Double(m) / Double(hi - lo), offset = -Double(lo) * scale
                tables.append((0...m).map { v in min(max(Int(Double(v) * scale + offset), 0), m) })
            }
        }
        return ColorKernels.lookup(image, tables: tables)
    }
}
