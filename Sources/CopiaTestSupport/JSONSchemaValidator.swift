import CopiaCore

/// A validator for the subset of JSON Schema (2020-12) that Copia's generated schema uses: type, properties,
/// required, additionalProperties, items, minItems, maxItems, enum, const, minimum, maximum, anyOf, oneOf and local
/// `$ref`s. Enough to check that committed pipelines satisfy the committed schema without a Python dependency.
public struct JSONSchemaValidator {
    let root: JSONValue

    public init(schema: JSONValue) { root = schema }

    /// Every violation, each with its JSON path.
    public func validate(_ value: JSONValue) -> [String] {
        var errors: [String] = []
        check(value, against: root, at: "$", errors: &errors)
        return errors
    }

    private func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return node
    }

    private func check(_ value: JSONValue, against rawSchema: JSONValue, at path: String, errors: inout [String]) {
        let schema = resolve(rawSchema)
        guard let s = schema.objectValue else { return }
        if let type = s["type"]?.stringValue, !matches(value, type: type) {
            errors.append("\(path): expected \(type), got \(value.typeName)")
            return
        }
        if let c = s["const"], c != value { errors.append("\(path): must equal \(c), got \(value)") }
        if let e = s["enum"]?.arrayValue, !e.contains(value) { errors.append("\(path): \(value) is not one of \(e)") }
        if let x = value.numberValue {
            if let m = s["minimum"]?.numberValue, x < m { errors.append("\(path): \(x) < minimum \(m)") }
            if let m = s["maximum"]?.numberValue, x > m { errors.append("\(path): \(x) > maximum \(m)") }
        }
        if let a = value.arrayValue {
            if let m = s["minItems"]?.numberValue, a.count < Int(m) { errors.append("\(path): fewer than \(Int(m)) items") }
            if let m = s["maxItems"]?.numberValue, a.count > Int(m) { errors.append("\(path): more than \(Int(m)) items") }
            if let items = s["items"] { for (i, v) in a.enumerated() { check(v, against: items, at: "\(path)[\(i)]", errors: &errors) } }
        }
        if let o = value.objectValue {
            let properties = s["properties"]?.objectValue ?? [:]
            for key in s["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[key] == nil {
                errors.append("\(path): missing required \(key)")
            }
            for (k, v) in o {
                if let p = properties[k] {
                    check(v, against: p, at: "\(path).\(k)", errors: &errors)
                } else if let additional = s["additionalProperties"] {
                    if additional == .bool(false) { errors.append("\(path): unexpected key \(k)") } else if additional.objectValue != nil {
                        check(v, against: additional, at: "\(path).\(k)", errors: &errors)
                    }
                }
            }
        }
        if let any = s["anyOf"]?.arrayValue {
            let ok = any.contains { sub in var e: [String] = []; check(value, against: sub, at: path, errors: &e); return e.isEmpty }
            if !ok { errors.append("\(path): matches none of anyOf") }
        }
        if let one = s["oneOf"]?.arrayValue {
            let n = one.filter { sub in var e: [String] = []; check(value, against: sub, at: path, errors: &e); return e.isEmpty }.count
            if n != 1 { errors.append("\(path): matches \(n) of oneOf, expected exactly 1") }
        }
    }

    private func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null), ("number", .number): return true
        case ("integer", .number(let x)): return x == x.rounded()
        default: return false
        }
    }
}
