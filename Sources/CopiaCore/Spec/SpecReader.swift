/// A spec object type: reads its fields through a `SpecReader`, which validates, resolves defaults and, in describe
/// mode, records the JSON Schema. One initialiser serves decoding, `copia schema` and `copia ops`.
///
/// ```swift
/// struct SplitStage: SpecObject {
///     var test: Double
///     init(reading r: SpecReader) {
///         test = r.read("test", default: 0.2, in: 0...0.9, doc: "Fraction of each class held out for testing.")
///     }
/// }
/// ```
public protocol SpecObject: SpecValue {
    init(reading reader: SpecReader)
    /// A sentence describing the object, used as the schema's description.
    static var specDescription: String { get }
}

extension SpecObject {
    public static var specDescription: String { "" }

    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Self, resolved: JSONValue)? {
        guard case .object(let o) = json else { context.report(path, "expected an object, got \(json)"); return nil }
        let before = context.problems.count
        let reader = SpecReader(object: o, path: path, context: context)
        let value = Self(reading: reader)
        reader.finish()
        return context.problems.count == before ? (value, .object(reader.resolved)) : nil
    }

    public static func schema(in context: SpecContext) -> JSONValue {
        let reader = SpecReader(describingAt: "$", context: context)
        _ = Self(reading: reader)
        return reader.schema(description: specDescription)
    }

    public static func placeholder(in context: SpecContext) -> Self {
        Self(reading: SpecReader(describingAt: "$", context: SpecContext(describing: true)))
    }

    /// The value with every field at its default (required fields at placeholders): what `copia ops` lists.
    public static var defaults: (value: Self, resolved: JSONObject) {
        let reader = SpecReader(describingAt: "$", context: SpecContext(describing: true))
        let value = Self(reading: reader)
        return (value, reader.resolved)
    }
}

extension SpecValue {
    /// Decodes a whole document, throwing every problem at once.
    public static func decodeDocument(_ json: JSONValue, file: String? = nil) throws(SpecError) -> (value: Self, resolved: JSONValue) {
        let context = SpecContext()
        let result = decode(json, at: "$", in: context)
        if let result, context.problems.isEmpty { return result }
        throw SpecError(file: file, problems: context.problems.isEmpty ? [SpecProblem(path: "$", message: "invalid")] : context.problems)
    }
}

/// Reads the fields of one JSON object, collecting problems instead of stopping at the first.
///
/// Every `read` both consumes a key and declares it: after the initialiser has run, `finish()` reports any key that no
/// `read` asked for as unknown, with a did-you-mean drawn from the declared keys.
public final class SpecReader {
    public let path: String
    public let context: SpecContext
    private let object: JSONObject
    /// The object as resolved so far: every declared field with its given or default value.
    public private(set) var resolved = JSONObject()
    private var properties = JSONObject()
    private var requiredKeys: [String] = []
    private var declared: [String] = []
    private var allowsExtraKeys = false

    init(object: JSONObject, path: String, context: SpecContext) {
        self.object = object
        self.path = path
        self.context = context
    }

    init(describingAt path: String, context: SpecContext) {
        self.object = JSONObject()
        self.path = path
        self.context = context
    }

    public var isDescribing: Bool { context.isDescribing }

    /// A reader in describe mode: every field returns its default.
    public static func describing() -> SpecReader {
        SpecReader(describingAt: "$", context: SpecContext(describing: true))
    }

    /// The path of a key of this object, for messages.
    public func path(of key: String) -> String { "\(path).\(key)" }

    /// Reports a problem with one of this object's fields (or the object itself when `key` is nil).
    public func report(_ key: String?, _ message: String) {
        context.report(key.map(path(of:)) ?? path, message)
    }

    /// Whether the document gave this key (always false when describing).
    public func has(_ key: String) -> Bool { object[key] != nil }

    /// Declares a key. The schema is only built in describe mode (building it while decoding would be wasted work).
    private func declare(_ key: String, schema: () -> JSONValue, doc: String, default def: JSONValue?, required: Bool) {
        // Describing an inline union declares the shared fields of its variants more than once; keep the first.
        if isDescribing, declared.contains(key) { return }
        precondition(!declared.contains(key), "spec key \(key) declared twice at \(path)")
        declared.append(key)
        if required { requiredKeys.append(key) }
        guard isDescribing else { return }
        var s = schema().objectValue ?? JSONObject()
        if !doc.isEmpty { s["description"] = .string(doc) }
        if let def { s["default"] = def }
        properties[key] = .object(s)
    }

    private static func merge(_ schema: JSONValue, _ extra: JSONObject) -> JSONValue {
        var s = schema.objectValue ?? JSONObject()
        for (k, v) in extra { s[k] = v }
        return .object(s)
    }

    // MARK: - Fields

    /// An optional field with a default, written out in the resolved spec when absent.
    public func read<T: SpecScalar>(_ key: String, default def: T, doc: String, schema extra: JSONObject = [:],
                                    validate: (T) -> String? = { _ in nil }) -> T {
        declare(key, schema: { Self.merge(T.schema(in: self.context), extra) }, doc: doc, default: def.specJSON, required: false)
        guard !isDescribing, let raw = object[key] else {
            resolved[key] = def.specJSON
            return def
        }
        guard let (v, r) = T.decode(raw, at: path(of: key), in: context) else {
            resolved[key] = raw
            return def
        }
        resolved[key] = r
        // An invalid value is reported and replaced by the default, so no code downstream ever sees it.
        if let message = validate(v) {
            report(key, message)
            return def
        }
        return v
    }

    /// A required field.
    public func read<T: SpecValue>(_ key: String, doc: String, schema extra: JSONObject = [:],
                                   validate: (T) -> String? = { _ in nil }) -> T {
        declare(key, schema: { Self.merge(T.schema(in: self.context), extra) }, doc: doc, default: nil, required: true)
        if isDescribing {
            return T.placeholder(in: context)
        }
        guard let raw = object[key] else {
            report(nil, "missing required key \"\(key)\"")
            return T.placeholder(in: context)
        }
        guard let (v, r) = T.decode(raw, at: path(of: key), in: context) else {
            resolved[key] = raw
            return T.placeholder(in: context)
        }
        resolved[key] = r
        if let message = validate(v) {
            report(key, message)
            return T.placeholder(in: context)
        }
        return v
    }

    /// An optional field with no default (`null` in the resolved spec when absent).
    public func readOptional<T: SpecValue>(_ key: String, doc: String, schema extra: JSONObject = [:],
                                           validate: (T) -> String? = { _ in nil }) -> T? {
        declare(key, schema: { Self.merge(T?.schema(in: self.context), extra) }, doc: doc, default: .null, required: false)
        guard !isDescribing, let raw = object[key], raw != .null else {
            resolved[key] = .null
            return nil
        }
        guard let (v, r) = T.decode(raw, at: path(of: key), in: context) else {
            resolved[key] = raw
            return nil
        }
        resolved[key] = r
        if let message = validate(v) {
            report(key, message)
            return nil
        }
        return v
    }

    /// A nested object whose fields all have defaults; `{}` when absent.
    public func readObject<T: SpecObject>(_ key: String, doc: String) -> T {
        declare(key, schema: { T.schema(in: self.context) }, doc: doc, default: nil, required: false)
        if isDescribing { return T.placeholder(in: context) }
        let raw = object[key] ?? .object(JSONObject())
        guard let (v, r) = T.decode(raw, at: path(of: key), in: context) else { return T.placeholder(in: context) }
        resolved[key] = r
        return v
    }

    /// A number constrained to a closed range: `must be in 0...1, got 1.5`.
    public func read(_ key: String, default def: Double, in range: ClosedRange<Double>, doc: String) -> Double {
        read(key, default: def, doc: doc, schema: ["minimum": .number(range.lowerBound), "maximum": .number(range.upperBound)]) {
            range.contains($0) ? nil : "must be in \(JSONValue.format(range.lowerBound))...\(JSONValue.format(range.upperBound)), got \(JSONValue.format($0))"
        }
    }

    /// An integer constrained to a closed range.
    public func read(_ key: String, default def: Int, in range: ClosedRange<Int>, doc: String) -> Int {
        read(key, default: def, doc: doc, schema: ["minimum": .number(Double(range.lowerBound)), "maximum": .number(Double(range.upperBound))]) {
            range.contains($0) ? nil : "must be in \(range.lowerBound)...\(range.upperBound), got \($0)"
        }
    }

    /// A `[low, high]` range (or symmetric `x`) whose ends must lie within `bounds`.
    public func read(_ key: String, default def: SpecRange, within bounds: ClosedRange<Double>, doc: String) -> SpecRange {
        read(key, default: def, doc: doc) {
            bounds.contains($0.lower) && bounds.contains($0.upper)
                ? nil
                : "must lie within \(JSONValue.format(bounds.lowerBound))...\(JSONValue.format(bounds.upperBound)), got \($0.specJSON)"
        }
    }

    /// A member of a tagged union whose fields sit in this same object, e.g. a stage
    /// `{"stage": "oversample", "sampler": "SMOTE", "kNeighbors": 5}`. Only the `allowed` variants are accepted. The
    /// schema lists the union of the allowed variants' fields (the reader itself stays strict per variant).
    public func readInline<U: SpecUnion>(_ type: U.Type, allowed: [String], doc: String) -> U {
        declare(U.tagKey, schema: { ["type": "string", "enum": .array(allowed.map { .string($0) })] }, doc: doc, default: nil, required: true)
        if isDescribing {
            for name in allowed { if let v = U.variant(named: name) { _ = v.make(self) } }
            return U.placeholder(in: context)
        }
        guard let raw = object[U.tagKey] else {
            report(nil, "missing required key \"\(U.tagKey)\"; expected one of \(allowed.joined(separator: ", "))")
            return U.placeholder(in: context)
        }
        guard case .string(let name) = raw else {
            report(U.tagKey, "expected a string, got \(raw)")
            return U.placeholder(in: context)
        }
        guard allowed.contains(name), let variant = U.variant(named: name) else {
            let hint = didYouMean(name, among: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            report(U.tagKey, "unknown or unsuitable \(U.tagKey) \"\(name)\"\(hint); expected one of \(allowed.joined(separator: ", "))")
            return U.placeholder(in: context)
        }
        resolved[U.tagKey] = raw
        return variant.make(self)
    }

    /// Records the discriminator (such as `"op": "Rotate"`) as a constant of this variant, consuming the key.
    public func readTag(_ key: String, value: String) {
        declare(key, schema: { ["const": .string(value)] }, doc: "", default: nil, required: true)
        resolved[key] = .string(value)
    }

    /// Accepts a string-valued key that is not part of the resolved spec (such as `"$schema"`, which editors read).
    public func allow(_ key: String, doc: String) {
        declare(key, schema: { ["type": "string"] }, doc: doc, default: nil, required: false)
        if !isDescribing, let v = object[key], v.stringValue == nil { report(key, "expected a string, got \(v)") }
    }

    /// Lets this object carry keys it does not declare (used by free-form metadata).
    public func allowExtraKeys() { allowsExtraKeys = true }

    /// Reports every key in the document that no `read` declared.
    public func finish() {
        guard !isDescribing, !allowsExtraKeys else { return }
        for (key, _) in object where !declared.contains(key) {
            let hint = didYouMean(key, among: declared).map { " (did you mean \"\($0)\"?)" } ?? ""
            let known = declared.isEmpty ? "" : "; known keys: " + declared.joined(separator: ", ")
            report(key, "unknown key \"\(key)\"\(hint)\(known)")
        }
    }

    /// The JSON Schema of the object read so far (call after the initialiser in describe mode).
    public func schema(description: String) -> JSONValue {
        var s: JSONObject = ["type": "object"]
        if !description.isEmpty { s["description"] = .string(description) }
        s["properties"] = .object(properties)
        if !requiredKeys.isEmpty { s["required"] = .array(requiredKeys.map { .string($0) }) }
        s["additionalProperties"] = .bool(allowsExtraKeys)
        return .object(s)
    }
}

// MARK: - Tagged unions

/// One variant of a tagged union: its tag value, a description and how to read it.
public struct SpecVariant<Base>: Sendable {
    public let name: String
    public let summary: String
    public let make: @Sendable (SpecReader) -> Base

    public init(_ name: String, summary: String, make: @escaping @Sendable (SpecReader) -> Base) {
        self.name = name
        self.summary = summary
        self.make = make
    }
}

/// A family of spec objects told apart by a tag key, such as stages (`"stage": "split"`) or ops (`"op": "Rotate"`).
/// The variants are an explicit list, so the registry is visible in one place.
public protocol SpecUnion: SpecValue {
    /// The discriminator key, e.g. `"op"`.
    static var tagKey: String { get }
    /// The name of the shared schema definition, e.g. `"op"`.
    static var definitionName: String { get }
    static var variants: [SpecVariant<Self>] { get }
}

extension SpecUnion {
    public static func variant(named name: String) -> SpecVariant<Self>? { variants.first { $0.name == name } }

    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: Self, resolved: JSONValue)? {
        guard case .object(let o) = json else { context.report(path, "expected an object with \"\(tagKey)\", got \(json)"); return nil }
        guard let tagJSON = o[tagKey] else {
            context.report(path, "missing \"\(tagKey)\"; expected one of \(variants.map(\.name).joined(separator: ", "))")
            return nil
        }
        guard case .string(let tag) = tagJSON else { context.report("\(path).\(tagKey)", "expected a string, got \(tagJSON)"); return nil }
        guard let variant = variant(named: tag) else {
            let hint = didYouMean(tag, among: variants.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
            let list = tagKey == "op" ? "run `copia ops` for the list" : "expected one of " + variants.map(\.name).joined(separator: ", ")
            context.report("\(path).\(tagKey)", "unknown \(tagKey) \"\(tag)\"\(hint); \(list)")
            return nil
        }
        let before = context.problems.count
        let reader = SpecReader(object: o, path: path, context: context)
        reader.readTag(tagKey, value: tag)
        let value = variant.make(reader)
        reader.finish()
        return context.problems.count == before ? (value, .object(reader.resolved)) : nil
    }

    public static func schema(in context: SpecContext) -> JSONValue {
        let ref: JSONValue = ["$ref": .string("#/$defs/\(definitionName)")]
        if context.definitions[definitionName] != nil || context.definitionsInProgress.contains(definitionName) { return ref }
        context.definitionsInProgress.insert(definitionName)
        let alternatives = variants.map { variantSchema($0, in: context) }
        context.definitions[definitionName] = ["oneOf": .array(alternatives)]
        context.definitionsInProgress.remove(definitionName)
        return ref
    }

    /// The schema of one variant.
    public static func variantSchema(_ variant: SpecVariant<Self>, in context: SpecContext) -> JSONValue {
        let reader = SpecReader(describingAt: "$", context: context)
        reader.readTag(tagKey, value: variant.name)
        _ = variant.make(reader)
        return reader.schema(description: variant.summary)
    }

    /// The variant with all fields at their defaults, and its resolved JSON (for `copia ops`).
    public static func defaults(of variant: SpecVariant<Self>) -> (value: Self, resolved: JSONObject) {
        let reader = SpecReader(describingAt: "$", context: SpecContext(describing: true))
        reader.readTag(tagKey, value: variant.name)
        let value = variant.make(reader)
        return (value, reader.resolved)
    }

    public static func placeholder(in context: SpecContext) -> Self {
        defaults(of: variants[0]).value
    }
}

/// The JSON Schema document for a root spec type, with shared definitions.
public func jsonSchemaDocument<T: SpecObject>(for root: T.Type, id: String, title: String) -> JSONValue {
    let context = SpecContext(describing: true)
    var doc = (T.schema(in: context).objectValue ?? JSONObject())
    var out: JSONObject = ["$schema": "https://json-schema.org/draft/2020-12/schema", "$id": .string(id), "title": .string(title)]
    for (k, v) in doc { out[k] = v }
    doc = out
    if !context.definitions.isEmpty { doc["$defs"] = .object(context.definitions) }
    return .object(doc)
}
