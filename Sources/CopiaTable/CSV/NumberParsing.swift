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
    /// 10^e for 0 <= e <= 22, all exact in a double. A constant array is initialised statically (no lazy global);
    /// a switch of constants compiles to a jump table here, whose indirect branch mispredicts as exponents vary.
    static let exactPowers: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                        1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// 10^e for 0 <= e <= 22.
    @inline(__always)
    static func exactPower(_ e: Int) -> Double { exactPowers[e] }

    /// `v` with its sign set when `negative` (v >= 0), without a branch: signs in data are as good as random.
    @inline(__always)
    static func signed(_ v: Double, negative: Bool) -> Double {
        Double(bitPattern: v.bitPattern | (UInt64(negative ? 1 : 0) &<< 63))
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

    /// The number of leading ASCII digits in the eight bytes `x ^ 0x30...` (0...8), by the first byte whose value
    /// is above 9. (A carry out of a non-digit byte can only disturb the bytes after it, which are not looked at.)
    @inline(__always)
    static func leadingDigits(_ x: UInt64) -> Int {
        let above9 = (x | (x &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0
        return above9.trailingZeroBitCount &>> 3
    }

    /// The value of the first `n` (0...8) digits of `x` (`x ^ 0x30...`, little-endian: the first byte is the most
    /// significant digit): they are shifted to the top, so the bytes below become leading zeros.
    @inline(__always)
    static func digitsValue(_ x: UInt64, count n: Int) -> UInt64 {
        let shifted = n == 0 ? 0 : x &<< UInt64(64 &- 8 &* n)
        var v = (shifted &* 10) &+ (shifted &>> 8)
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }

    /// 10^n for 0 <= n <= 8, indexed by a digit count (a constant array, initialised statically: a switch here
    /// compiles to a jump table, whose indirect branch mispredicts as the counts vary).
    static let integerPowers: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// Parses the longest number at `p[start...]` (before `limit`) on the fast path only: returns the value and the
    /// index after it, or nil when there is no number there or it needs the slow path. The caller checks that the
    /// field ends where the number does. No spaces, no nan/inf: those go through `parse`.
    ///
    /// With 32 bytes to spare before `limit`, the digit runs of a plain decimal (`-12.3456789012`) are measured and
    /// converted eight bytes at a time, without a branch per digit (whose exits a branch predictor cannot learn when
    /// numbers vary in length); anything else (exponents, long integer parts, more than 19 digits) goes through the
    /// byte-at-a-time `prefixScalar`, which gives the same result for every input.
    @inline(__always)
    static func prefix(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ limit: Int) -> (Double, Int)? {
        guard start &+ 32 <= limit else { return prefixScalar(p, start, limit) }
        let base = UnsafeRawPointer(p.baseAddress!)
        let first = p[start]
        let negative = first == UInt8(ascii: "-")
        var i = start &+ (negative || first == UInt8(ascii: "+") ? 1 : 0)
        let zeros: UInt64 = 0x3030_3030_3030_3030
        let x1 = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self)) ^ zeros
        let n1 = leadingDigits(x1)
        guard n1 < 8 else { return prefixScalar(p, start, limit) }
        var mantissa = digitsValue(x1, count: n1)
        i &+= n1
        var digits = n1
        var exponent = 0
        if p[i] == UInt8(ascii: ".") {
            i &+= 1
            let x2 = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self)) ^ zeros
            let n2 = leadingDigits(x2)
            mantissa = mantissa &* integerPowers[n2] &+ digitsValue(x2, count: n2)
            i &+= n2
            digits &+= n2
            if n2 == 8 {
                let x3 = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self)) ^ zeros
                let n3 = leadingDigits(x3)
                guard n3 < 8 && digits &+ n3 <= 19 else { return prefixScalar(p, start, limit) }
                mantissa = mantissa &* integerPowers[n3] &+ digitsValue(x3, count: n3)
                i &+= n3
                digits &+= n3
                exponent = -(8 &+ n3)
            } else {
                exponent = -n2
            }
        }
        guard digits > 0, p[i] | 0x20 != UInt8(ascii: "e") else { return prefixScalar(p, start, limit) }
        if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
        guard mantissa <= (1 << 53) && exponent >= -22 else { return nil }
        let m = Double(Int64(bitPattern: mantissa))  // signed conversion is one instruction; exact below 2^53
        return (signed(m / exactPower(-exponent), negative: negative), i)
    }

    /// `prefix`, one byte at a time (any position, any length).
    @inline(__always)
    static func prefixScalar(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ limit: Int) -> (Double, Int)? {
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
