/// Encodes an `Encodable` value straight to a `JSONValue`: the value `JSONEncoder` (with `.sortedKeys`) followed by
/// `JSONParser` gives, without the text in between.
///
/// Every augmented sample's manifest line records each op's parameters, so this runs a few times per output; going
/// through `JSONEncoder`'s text and parsing it back cost about as much as some of the pixel kernels. The result is
/// the same value: object keys sorted by their UTF-8 bytes (as `.sortedKeys` sorts them), integers and doubles as
/// `.number`, a `Float` as the double its shortest decimal form denotes (what parsing `JSONEncoder`'s text yields),
/// optionals left out when nil (`encodeIfPresent`), `super` for `superEncoder()`. Non-finite numbers are refused, as
/// `JSONEncoder`'s default `.throw` strategy refuses them.
public enum JSONValueEncoder {
    /// The `JSONValue` of `value`; see the type's description.
    /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number, naming its coding path.
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Node()
        try value.encode(to: NodeEncoder(node: root, codingPath: []))
        return root.value
    }

    /// One value under construction: a scalar, an object whose members are still being written, or an array.
    final class Node {
        enum Content {
            case unset
            case scalar(JSONValue)
            case object([String: Node])
            case array([Node])
        }
        var content: Content = .unset

        /// The finished value; a value that asked for no container is an empty object, as `JSONEncoder` writes it.
        var value: JSONValue {
            switch content {
            case .unset: return .object(JSONObject())
            case .scalar(let v): return v
            case .array(let items): return .array(items.map(\.value))
            case .object(let members):
                var o = JSONObject()
                for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { o[key] = members[key]!.value }
                return .object(o)
            }
        }

        /// The member `key` of this object (made one if it was not yet), replacing an earlier one of that name.
        func member(_ key: String) -> Node {
            let child = Node()
            if case .object(var members) = content {
                content = .unset  // keeps `members` uniquely referenced while it changes
                members[key] = child
                content = .object(members)
            } else {
                content = .object([key: child])
            }
            return child
        }

        func appended() -> Node {
            let child = Node()
            if case .array(var items) = content {
                content = .unset
                items.append(child)
                content = .array(items)
            } else {
                content = .array([child])
            }
            return child
        }

        var count: Int {
            if case .array(let items) = content { return items.count }
            return 0
        }

        func makeObject() { if case .object = content {} else { content = .object([:]) } }
        func makeArray() { if case .array = content {} else { content = .array([]) } }
    }

    struct NodeEncoder: Encoder {
        let node: Node
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            node.makeObject()
            return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            node.makeArray()
            return Unkeyed(node: node, codingPath: codingPath)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }
    }

    /// A number's value, refusing NaN and infinities.
    static func number(_ x: Double, _ path: [any CodingKey]) throws -> JSONValue {
        guard x.isFinite else {
            throw EncodingError.invalidValue(x, EncodingError.Context(codingPath: path, debugDescription: "\(x) is not a JSON number"))
        }
        return .number(x)
    }

    /// A `Float` as `JSONEncoder` writes it (its shortest decimal form), read back as a double.
    static func number(_ x: Float, _ path: [any CodingKey]) throws -> JSONValue {
        guard x.isFinite else {
            throw EncodingError.invalidValue(x, EncodingError.Context(codingPath: path, debugDescription: "\(x) is not a JSON number"))
        }
        return .number(Double(x.description)!)
    }

    /// Encodes `value` into `node`.
    static func put<T: Encodable>(_ value: T, into node: Node, at path: [any CodingKey]) throws {
        switch value {
        case let x as Double: node.content = .scalar(try number(x, path))
        case let x as Float: node.content = .scalar(try number(x, path))
        case let s as String: node.content = .scalar(.string(s))
        case let b as Bool: node.content = .scalar(.bool(b))
        default: try value.encode(to: NodeEncoder(node: node, codingPath: path))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        func set(_ value: JSONValue, _ key: Key) { node.member(key.stringValue).content = .scalar(value) }

        mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(try number(value, codingPath + [key]), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { set(try number(value, codingPath + [key]), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try put(value, into: node.member(key.stringValue), at: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.member("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key]) }
    }

    /// An array element's coding key, as `JSONEncoder` names it in errors.
    struct IndexKey: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.count }

        func add(_ value: JSONValue) { node.appended().content = .scalar(value) }
        var nextPath: [any CodingKey] { codingPath + [IndexKey(count)] }

        mutating func encodeNil() throws { add(.null) }
        mutating func encode(_ value: Bool) throws { add(.bool(value)) }
        mutating func encode(_ value: String) throws { add(.string(value)) }
        mutating func encode(_ value: Double) throws { add(try number(value, nextPath)) }
        mutating func encode(_ value: Float) throws { add(try number(value, nextPath)) }
        mutating func encode(_ value: Int) throws { add(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { add(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { add(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { add(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { add(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { add(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { add(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { add(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { add(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { add(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            let path = nextPath
            try put(value, into: node.appended(), at: path)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let path = nextPath
            return NodeEncoder(node: node.appended(), codingPath: path).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let path = nextPath
            return NodeEncoder(node: node.appended(), codingPath: path).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let path = nextPath
            return NodeEncoder(node: node.appended(), codingPath: path)
        }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.content = .scalar(.null) }
        mutating func encode(_ value: Bool) throws { node.content = .scalar(.bool(value)) }
        mutating func encode(_ value: String) throws { node.content = .scalar(.string(value)) }
        mutating func encode(_ value: Double) throws { node.content = .scalar(try number(value, codingPath)) }
        mutating func encode(_ value: Float) throws { node.content = .scalar(try number(value, codingPath)) }
        mutating func encode(_ value: Int) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { node.content = .scalar(.number(Double(value))) }
        mutating func encode<T: Encodable>(_ value: T) throws { try put(value, into: node, at: codingPath) }
    }
}
