/// The sample depth of an image: 8-bit or 16-bit unsigned integers per channel.
public enum PixelDepth: String, Codable, Sendable, CaseIterable {
    case uint8
    case uint16

    /// The largest sample value: 255 or 65535.
    public var maxValue: Int { self == .uint8 ? 255 : 65535 }
    public var bytesPerSample: Int { self == .uint8 ? 1 : 2 }
}

/// What an augmentation may know about an image before seeing its pixels: enough to sample parameters
/// (crop boxes need the size) without decoding.
public struct ImageInfo: Codable, Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public var channels: Int
    public var depth: PixelDepth

    public init(width: Int, height: Int, channels: Int, depth: PixelDepth = .uint8) {
        precondition((1...4).contains(channels), "channels must be 1...4, got \(channels)")
        precondition(width >= 0 && height >= 0, "image size must be non-negative, got \(width)x\(height)")
        self.width = width
        self.height = height
        self.channels = channels
        self.depth = depth
    }

    public var pixelCount: Int { width * height }
    public var sampleCount: Int { width * height * channels }
    /// Whether the last channel is alpha (gray+alpha or RGBA).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }
    /// The number of colour channels, not counting alpha.
    public var colorChannels: Int { hasAlpha ? channels - 1 : channels }

    public var description: String {
        let kind = ["gray", "gray+alpha", "RGB", "RGBA"][channels - 1]
        return "\(width)x\(height) \(kind) \(depth == .uint8 ? 8 : 16)-bit"
    }
}

/// An image in memory: interleaved samples, rows top to bottom, no padding between rows.
///
/// 8-bit images keep their samples in `bytes`; 16-bit images in `words` (native byte order). Exactly one of the two
/// holds `width * height * channels` samples, the other is empty. Kernels that support both depths switch on `depth`
/// and run one generic loop over the matching buffer, so no precision is lost silently.
public struct Image: Sendable, Equatable {
    public private(set) var info: ImageInfo
    /// The samples of an 8-bit image (empty for 16-bit).
    public var bytes: [UInt8]
    /// The samples of a 16-bit image (empty for 8-bit).
    public var words: [UInt16]

    /// A zero-filled image.
    public init(info: ImageInfo) {
        self.info = info
        switch info.depth {
        case .uint8:
            bytes = [UInt8](repeating: 0, count: info.sampleCount)
            words = []
        case .uint16:
            bytes = []
            words = [UInt16](repeating: 0, count: info.sampleCount)
        }
    }

    /// An 8-bit image over existing samples. `bytes.count` must equal `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        let info = ImageInfo(width: width, height: height, channels: channels, depth: .uint8)
        precondition(bytes.count == info.sampleCount, "expected \(info.sampleCount) samples for \(info), got \(bytes.count)")
        self.info = info
        self.bytes = bytes
        self.words = []
    }

    /// A 16-bit image over existing samples. `words.count` must equal `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, words: [UInt16]) {
        let info = ImageInfo(width: width, height: height, channels: channels, depth: .uint16)
        precondition(words.count == info.sampleCount, "expected \(info.sampleCount) samples for \(info), got \(words.count)")
        self.info = info
        self.bytes = []
        self.words = words
    }

    public var width: Int { info.width }
    public var height: Int { info.height }
    public var channels: Int { info.channels }
    public var depth: PixelDepth { info.depth }

    /// Reshapes this image in place, reusing its buffer's capacity where it can (decoders call this so that a
    /// worker decoding thousands of images allocates once). Sample values after a reshape are unspecified.
    public mutating func reshape(to newInfo: ImageInfo) {
        info = newInfo
        switch newInfo.depth {
        case .uint8:
            Image.resize(&bytes, to: newInfo.sampleCount)
            words.removeAll(keepingCapacity: true)
        case .uint16:
            Image.resize(&words, to: newInfo.sampleCount)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Static, so that `reshape` passes its own buffer in place: an instance method would copy `self` first in debug
    /// builds and reallocate the buffer on every size change.
    private static func resize<T: FixedWidthInteger>(_ buffer: inout [T], to count: Int) {
        if buffer.count > count {
            buffer.removeLast(buffer.count - count)
        } else if buffer.count < count {
            buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
        }
    }

    /// The sample at (x, y, channel), widened to Int. For tests and slow paths; kernels use the buffers directly.
    public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
        let i = (y * width + x) * channels + channel
        return depth == .uint8 ? Int(bytes[i]) : Int(words[i])
    }
}
