/// FNV-1a (Fowler, Noll & Vo), 64-bit, finished with the SplitMix64 mixer: a hash that is the same in every process
/// and on every platform, for deriving random keys and shard assignments. Not for security.
public struct StableHash: Sendable {
    public private(set) var state: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    public mutating func combine(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    public mutating func combine(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { combine(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// Strings are length-prefixed so that ("ab", "c") and ("a", "bc") differ.
    public mutating func combine(_ string: String) {
        combine(UInt64(string.utf8.count))
        for byte in string.utf8 { combine(byte) }
    }

    /// The mixed 64-bit value.
    public var value: UInt64 {
        var z = state &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
