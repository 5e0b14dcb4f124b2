/// Serialises `JSONValue`s deterministically: keys in the object's order, integral numbers without a fraction,
/// other numbers in Swift's shortest round-trip form, non-ASCII text as UTF-8, and `/` unescaped.
///
/// The text is built as UTF-8 bytes and made a `String` once: manifests write a line per output, and appending to a
/// `String` scalar by scalar cost more than the rest of the line's bookkeeping.
public enum JSONWriter {
    /// One line, no spaces: the form of manifest lines and of the bytes a spec hash is taken over.
    public static func compact(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, indent: nil, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented by two spaces, with a trailing newline: the form of files people read.
    public static func pretty(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, into: &out, indent: "  ", level: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8], indent: String?, level: Int) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let x): out.append(contentsOf: JSONValue.format(x).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out.append(contentsOf: "[]".utf8); return }
            // Short arrays of scalars stay on one line even when pretty, so ranges read as [-15, 15].
            let inline = indent == nil || (a.count <= 8 && a.allSatisfy { $0.objectValue == nil && $0.arrayValue == nil })
            out.append(UInt8(ascii: "["))
            for (n, v) in a.enumerated() {
                if n > 0 { out.append(contentsOf: (inline && indent != nil ? ", " : ",").utf8) }
                if !inline, let indent { newLine(indent, level + 1, into: &out) }
                write(v, into: &out, indent: indent, level: level + 1)
            }
            if !inline, let indent { newLine(indent, level, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if let indent { newLine(indent, level + 1, into: &out) }
                writeString(k, into: &out)
                out.append(contentsOf: (indent == nil ? ":" : ": ").utf8)
                write(v, into: &out, indent: indent, level: level + 1)
            }
            if let indent { newLine(indent, level, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newLine(_ indent: String, _ level: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<level { out.append(contentsOf: indent.utf8) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A quoted string: `"` and `\` escaped, line breaks and tabs as \n \r \t, other control characters as \u00XX;
    /// everything else, non-ASCII included, as its UTF-8 bytes.
    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
