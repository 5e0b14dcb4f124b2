/// Serialises `JSONValue`s deterministically: keys in the object's order, integral numbers without a fraction,
/// other numbers in Swift's shortest round-trip form, non-ASCII text as UTF-8, and `/` unescaped.
public enum JSONWriter {
    /// One line, no spaces: the form of manifest lines and of the bytes a spec hash is taken over.
    public static func compact(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented by two spaces, with a trailing newline: the form of files people read.
    public static func pretty(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out, indent: "  ", level: 0)
        out += "\n"
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String, indent: String?, level: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let x): out += JSONValue.format(x)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            // Short arrays of scalars stay on one line even when pretty, so ranges read as [-15, 15].
            let inline = indent == nil || (a.count <= 8 && a.allSatisfy { $0.objectValue == nil && $0.arrayValue == nil })
            out += "["
            for (n, v) in a.enumerated() {
                if n > 0 { out += inline && indent != nil ? ", " : "," }
                if !inline, let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                write(v, into: &out, indent: indent, level: level + 1)
            }
            if !inline, let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            var first = true
            for (k, v) in o {
                if !first { out += "," }
                first = false
                if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                writeString(k, into: &out)
                out += indent == nil ? ":" : ": "
                write(v, into: &out, indent: indent, level: level + 1)
            }
            if let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "}"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
