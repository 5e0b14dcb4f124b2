/// A value that can appear in a pipeline spec: decodes itself from JSON with a path for errors, and describes itself
/// as JSON Schema. Decoding, validation, the resolved spec and the schema all come from the same definitions.
public protocol SpecValue: Sendable {
    /// Decodes `json` or reports why not (at `path`) and returns nil. The second element is the resolved JSON:
    /// the value as it should be written back with every default filled in.
    static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Self, resolved: JSONValue)?
    /// The JSON Schema of this value.
    static func schema(in context: SpecContext) -> JSONValue
    /// A value to return when decoding failed or when describing (its content is never used).
    static func placeholder(in context: SpecContext) -> Self
}

/// A spec value that can be written back as JSON on its own, so it can have a default.
public protocol SpecScalar: SpecValue {
    var specJSON: JSONValue { get }
}

extension SpecScalar {
    public static func placeholderValue(_ v: Self) -> Self { v }
}

// MARK: - Scalars

extension Bool: SpecScalar {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Bool, resolved: JSONValue)? {
        guard case .bool(let b) = json else { context.report(path, "expected a boolean, got \(json)"); return nil }
        return (b, json)
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "boolean"] }
    public static func placeholder(in context: SpecContext) -> Bool { false }
    public var specJSON: JSONValue { .bool(self) }
}

extension Double: SpecScalar {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Double, resolved: JSONValue)? {
        guard case .number(let x) = json else { context.report(path, "expected a number, got \(json)"); return nil }
        return (x, json)
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "number"] }
    public static func placeholder(in context: SpecContext) -> Double { 0 }
    public var specJSON: JSONValue { .number(self) }
}

extension Int: SpecScalar {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Int, resolved: JSONValue)? {
        guard case .number(let x) = json, x == x.rounded(), abs(x) < 9_007_199_254_740_992 else {
            context.report(path, "expected an integer, got \(json)")
            return nil
        }
        return (Int(x), json)
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "integer"] }
    public static func placeholder(in context: SpecContext) -> Int { 0 }
    public var specJSON: JSONValue { .number(Double(self)) }
}

extension String: SpecScalar {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: String, resolved: JSONValue)? {
        guard case .string(let s) = json else { context.report(path, "expected a string, got \(json)"); return nil }
        return (s, json)
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "string"] }
    public static func placeholder(in context: SpecContext) -> String { "" }
    public var specJSON: JSONValue { .string(self) }
}

extension Optional: SpecValue where Wrapped: SpecValue {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Wrapped?, resolved: JSONValue)? {
        if json == .null { return (nil, .null) }
        guard let (v, r) = Wrapped.decode(json, at: path, in: context) else { return nil }
        return (v, r)
    }
    public static func schema(in context: SpecContext) -> JSONValue {
        ["anyOf": [Wrapped.schema(in: context), ["type": "null"]]]
    }
    public static func placeholder(in context: SpecContext) -> Wrapped? { nil }
}

extension Optional: SpecScalar where Wrapped: SpecScalar {
    public var specJSON: JSONValue { self?.specJSON ?? .null }
}

extension Array: SpecValue where Element: SpecValue {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: [Element], resolved: JSONValue)? {
        guard case .array(let items) = json else { context.report(path, "expected an array, got \(json)"); return nil }
        var values: [Element] = []
        var resolved: [JSONValue] = []
        var ok = true
        for (n, item) in items.enumerated() {
            if let (v, r) = Element.decode(item, at: "\(path)[\(n)]", in: context) {
                values.append(v)
                resolved.append(r)
            } else {
                ok = false
            }
        }
        return ok ? (values, .array(resolved)) : nil
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "array", "items": Element.schema(in: context)] }
    public static func placeholder(in context: SpecContext) -> [Element] { [] }
}

extension Array: SpecScalar where Element: SpecScalar {
    public var specJSON: JSONValue { .array(map(\.specJSON)) }
}

/// A string-valued enumeration in a spec: `"interpolation": "bilinear"`. Unknown values get a did-you-mean.
public protocol SpecEnum: SpecScalar, RawRepresentable, CaseIterable where RawValue == String {}

extension SpecEnum {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Self, resolved: JSONValue)? {
        guard case .string(let s) = json else {
            context.report(path, "expected one of \(allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), got \(json)")
            return nil
        }
        guard let v = Self(rawValue: s) else {
            let hint = didYouMean(s, among: allCases.map(\.rawValue)).map { " (did you mean \"\($0)\"?)" } ?? ""
            context.report(path, "unknown value \"\(s)\"\(hint); expected one of \(allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            return nil
        }
        return (v, json)
    }
    public static func schema(in context: SpecContext) -> JSONValue {
        ["type": "string", "enum": .array(allCases.map { .string($0.rawValue) })]
    }
    public static func placeholder(in context: SpecContext) -> Self { allCases.first! }
    public var specJSON: JSONValue { .string(rawValue) }
}

/// A closed range written as `[low, high]`, or as a single number `x` meaning `[-x, x]` when `symmetric` readers allow
/// it (albumentations' convention for limits such as `Rotate(limit=15)`). Resolved specs always write the pair.
public struct SpecRange: SpecScalar, Equatable, Codable {
    public var lower: Double
    public var upper: Double

    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    public init(_ range: ClosedRange<Double>) { self.init(range.lowerBound, range.upperBound) }

    public var range: ClosedRange<Double> { lower...upper }

    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: SpecRange, resolved: JSONValue)? {
        switch json {
        case .number(let x):
            let r = SpecRange(-abs(x), abs(x))
            return (r, r.specJSON)
        case .array(let a) where a.count == 2:
            guard let lo = a[0].numberValue, let hi = a[1].numberValue else {
                context.report(path, "expected [low, high] numbers, got \(json)")
                return nil
            }
            guard lo <= hi else { context.report(path, "low must not exceed high, got \(json)"); return nil }
            return (SpecRange(lo, hi), json)
        default:
            context.report(path, "expected a number x (meaning [-x, x]) or [low, high], got \(json)")
            return nil
        }
    }

    public static func schema(in context: SpecContext) -> JSONValue {
        ["anyOf": [["type": "number"], ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]]]
    }
    public static func placeholder(in context: SpecContext) -> SpecRange { SpecRange(0, 0) }
    public var specJSON: JSONValue { [.number(lower), .number(upper)] }
}
