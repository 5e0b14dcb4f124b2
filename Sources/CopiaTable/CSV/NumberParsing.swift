#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal text to `Double` without creating a `String` per field.
///
/// The fast path is Clinger's (1990): when the significand has at most 15 digits (or fits in 53 bits) and the decimal
/// exponent is within +-22, one multiplication or division of two exact doubles is correctly rounded. Everything else
/// that is well-formed (more digits, larger exponents, subnormals) goes to the C library's `strtod`, which is correctly
/// rounded on glibc and Darwin. So every result is the correctly rounded double.
///
/// Grammar: optional ASCII spaces, `[+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)?`, optional spaces;
/// also `nan`, `inf`, `infinity` in any case, with a sign (these return NaN or an infinity; the caller applies the
/// non-finite policy). Hexadecimal floats, thousands separators and `,` decimals are not numbers.
enum NumberParsing {
    @usableFromInline static let exactPowers: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// Parses `p[start..<end]`; nil when the text is not a number.
    @inline(__always)
    static func parse(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start, e = end
        while i < e, p[i] == 0x20 || p[i] == 0x09 { i += 1 }
        while e > i, p[e - 1] == 0x20 || p[e - 1] == 0x09 { e -= 1 }
        guard i < e else { return nil }
        let begin = i
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits consumed into mantissa
        var dropped = 0         // integer digits beyond 19 (scale up)
        var sawDigit = false
        var exponent = 0
        // integer part
        while i < e {
            let d = p[i] &- 0x30
            if d > 9 { break }
            sawDigit = true
            if mantissa == 0 && d == 0 { i += 1; continue }
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d); digits += 1 } else { dropped += 1 }
            i += 1
        }
        var truncated = dropped > 0
        exponent += dropped
        if i < e, p[i] == UInt8(ascii: ".") {
            i += 1
            while i < e {
                let d = p[i] &- 0x30
                if d > 9 { break }
                sawDigit = true
                if mantissa == 0 && d == 0 { exponent -= 1; i += 1; continue }
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d); digits += 1; exponent -= 1 } else if d != 0 { truncated = true }
                i += 1
            }
        }
        guard sawDigit else { return special(p, begin, e) }
        if i < e, p[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < e, p[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < e, p[i] == UInt8(ascii: "+") { i += 1 }
            var x = 0
            var expDigits = 0
            while i < e {
                let d = p[i] &- 0x30
                if d > 9 { break }
                if x < 100_000 { x = x * 10 + Int(d) }
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -x : x
        }
        guard i == e else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !truncated && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * exactPowers[exponent] : m / exactPowers[-exponent]
            return negative ? -v : v
        }
        return slow(p, begin, e)
    }

    /// `strtod` on a NUL-terminated copy, for the rare texts outside the fast path.
    static func slow(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var bytes = Array(p[start..<end])
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { b -> Double? in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { s in
                var endPtr: UnsafeMutablePointer<CChar>? = nil
                let v = strtod(s, &endPtr)
                guard let endPtr, endPtr - UnsafeMutablePointer(mutating: s) == end - start else { return nil }
                return v
            }
        }
    }

    /// nan / inf / infinity with an optional sign, any case.
    static func special(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        var i = start
        var negative = false
        if i < end, p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if i < end, p[i] == UInt8(ascii: "+") { i += 1 }
        let n = end - i
        guard n == 3 || n == 8 else { return nil }
        var lower: [UInt8] = []
        for j in i..<end { lower.append(p[j] | 0x20) }
        switch lower {
        case Array("nan".utf8): return .nan
        case Array("inf".utf8), Array("infinity".utf8): return negative ? -.infinity : .infinity
        default: return nil
        }
    }
}

/// Doubles to the shortest text that reads back as the same double.
public enum NumberFormatting {
    /// Integral values below 2^53 without a fraction ("3", not "3.0"); others as Swift's shortest round-trip
    /// `description` ("0.1", "1e-05"); NaN as "NaN", infinities as "inf" / "-inf" (all read back by pandas and Copia).
    public static func shortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(.towardZero) && abs(v) < 9_007_199_254_740_992 {
            if v == 0 { return v.sign == .minus ? "-0" : "0" }
            return String(Int64(v))
        }
        return v.description
    }
}
