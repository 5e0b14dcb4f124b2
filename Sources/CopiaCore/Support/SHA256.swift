import CCopiaCrypto

/// SHA-256 (FIPS 180-4) over OpenSSL's libcrypto, which uses the processor's SHA extensions where present.
///
/// One instance per thread; `finish()` resets it for the next message.
public final class SHA256 {
    private let context: OpaquePointer

    public init() {
        guard let ctx = ccopia_sha256_new() else { fatalError("libcrypto could not allocate a SHA-256 context") }
        context = ctx
    }

    deinit { ccopia_sha256_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 { ccopia_sha256_update(context, base, bytes.count) }
    }

    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    public func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest as 64 lowercase hex digits; resets the hasher.
    public func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { ccopia_sha256_final(context, $0.baseAddress!) }
        return hexString(digest)
    }

    /// The hex digest of one buffer.
    public static func hex(_ bytes: [UInt8]) -> String {
        let h = SHA256()
        h.update(bytes)
        return h.finish()
    }

    public static func hex(_ string: String) -> String {
        let h = SHA256()
        h.update(string)
        return h.finish()
    }
}

func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](repeating: 0, count: bytes.count * 2)
    for (i, b) in bytes.enumerated() {
        out[2 * i] = digits[Int(b >> 4)]
        out[2 * i + 1] = digits[Int(b & 15)]
    }
    return String(decoding: out, as: UTF8.self)
}
