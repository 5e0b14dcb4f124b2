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
    /// 10^e for 0 <= e <= 22, all exact in a double (a switch of constants: no lazily initialised global).
    @inline(__always)
    static func exactPower(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// Eight ASCII digits at `q` (little-endian load) as their value, or nil if any is not a digit
    /// (the SWAR method of Lemire's fast_float / simdjson).
    @inline(__always)
    static func eightDigits(_ q: UnsafeRawPointer) -> UInt64? {
        let v = UInt64(littleEndian: q.loadUnaligned(as: UInt64.self))
        guard (v & 0xF0F0_F0F0_F0F0_F0F0) | (((v &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4) == 0x3333_3333_3333_3333
        else { return nil }
        var x = v & 0x0F0F_0F0F_0F0F_0F0F
        x = (x &* 2561) >> 8
        x = ((x & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((x & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// Parses the longest number at `p[start...]` (before `limit`) on the fast path only: returns the value and the
    /// index after it, or nil when there is no number there or it needs the slow path. The caller checks that the
    /// field ends where the number does. No spaces, no nan/inf: those go through `parse`.
    @inline(__always)
    static func prefix(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ limit: Int) -> (Double, Int)? {
        let base = UnsafeRawPointer(p.baseAddress!)
        var i = start
        guard i < limit else { return nil }
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i &+= 1 } else if p[i] == UInt8(ascii: "+") { i &+= 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        let intStart = i
        while i < limit {
            let d = p[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i &+= 1
        }
        digits = i &- intStart
        var exponent = 0
        var sawDigit = digits > 0
        if i < limit && p[i] == UInt8(ascii: ".") {
            i &+= 1
            let fracStart = i
            while i &+ 8 <= limit && digits &+ 8 <= 19, let eight = eightDigits(base + i) {
                mantissa = mantissa &* 100_000_000 &+ eight
                i &+= 8
                digits &+= 8
            }
            while i < limit {
                let d = p[i] &- 0x30
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i &+= 1
                digits &+= 1
            }
            exponent = fracStart &- i
            sawDigit = sawDigit || i > fracStart
        }
        guard sawDigit, digits <= 19 else { return nil }
        if i < limit && p[i] | 0x20 == UInt8(ascii: "e") {
            i &+= 1
            var expNegative = false
            if i < limit && p[i] == UInt8(ascii: "-") { expNegative = true; i &+= 1 } else if i < limit && p[i] == UInt8(ascii: "+") { i &+= 1 }
            var x = 0
            let expStart = i
            while i < limit {
                let d = p[i] &- 0x30
                if d > 9 { break }
                if x < 100_000 { x = x &* 10 &+ Int(d) }
                i &+= 1
            }
            guard i > expStart else { return nil }
            exponent = expNegative ? exponent &- x : exponent &+ x
        }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
        // Leading zeros counted as digits above can only make `digits` too big, never the value inexact.
        guard mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 else { return nil }
        let m = Double(Int64(bitPattern: mantissa))  // signed conversion is one instruction; exact below 2^53
        let v = exponent >= 0 ? m * exactPower(exponent) : m / exactPower(-exponent)
        return (negative ? -v : v, i)
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
            let v = exponent >= 0 ? m * exactPower(exponent) : m / exactPower(-exponent)
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
