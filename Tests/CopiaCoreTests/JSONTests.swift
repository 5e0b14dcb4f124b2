import CopiaCore
import Foundation
import Testing

@Suite struct JSONTests {
    @Test func parsesAndWritesBackKeepingKeyOrder() throws {
        let text = #"{"b":1,"a":[true,null,"x\n\u00e9"],"c":{"z":-2.5,"y":1e3}}"#
        let value = try JSONParser.parse(text)
        #expect(JSONWriter.compact(value) == #"{"b":1,"a":[true,null,"x\né"],"c":{"z":-2.5,"y":1000}}"#)
        #expect(try JSONParser.parse(JSONWriter.pretty(value)) == value)
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9),
        ("{\"a\" 1}", 1, 6),
        ("[1, 2", 1, 6),
        ("{\n  \"a\": tru\n}", 2, 8),
        ("{\"a\": 1, \"a\": 2}", 1, 10),
        ("[01]", 1, 3),
    ])
    func syntaxErrorsNameLineAndColumn(text: String, line: Int, column: Int) {
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let e = error as? JSONParser.SyntaxError else { return false }
            return e.line == line && e.column == column
        }
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func integralNumbersPrintWithoutFraction() {
        #expect(JSONWriter.compact([1.0, 0.5, -3, 1e20]) == "[1,0.5,-3,1e+20]")
    }

    @Test func stringsEscapeQuotesBackslashesAndControlCharactersOnly() {
        #expect(JSONWriter.compact(.string("a\"b\\c\n\r\t\u{1}\u{1f}\u{7f}/é😀")) == #""a\"b\\c\n\r\t\u0001\u001f\#u{7f}/é😀""#)
        #expect(JSONWriter.pretty(["k": [1, 2], "o": ["x": .null]]) == "{\n  \"k\": [1, 2],\n  \"o\": {\n    \"x\": null\n  }\n}\n")
    }
}

/// `JSONValueEncoder` against its definition: `JSONEncoder` with sorted keys, then `JSONParser`.
@Suite struct JSONValueEncoderTests {
    static func throughText<T: Encodable>(_ value: T) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try JSONParser.parse([UInt8](try encoder.encode(value)))
    }

    enum Mode: String, Codable { case fast, careful }

    struct Inner: Codable, Equatable {
        var b: Bool
        var f: Float
        var list: [Double]
    }

    struct Sample: Codable, Equatable {
        var zeta: Int
        var alpha: Double
        var Beta: String
        var mode: Mode
        var missing: Int?
        var present: Double?
        var inner: Inner
        var nested: [[Int8]]
        var byName: [String: UInt64]
        var byNumber: [Int: String]
        var small: Float
        var big: UInt64
        var negativeZero: Double
    }

    /// A type with a hand-written encode that uses nested and super containers.
    struct Custom: Encodable {
        enum Keys: String, CodingKey { case head, rows, tail }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var rows = c.nestedUnkeyedContainer(forKey: .rows)
            try rows.encode(1.5)
            var row = rows.nestedContainer(keyedBy: Keys.self)
            try row.encode("x", forKey: .head)
            try rows.encodeNil()
            var head = c.nestedContainer(keyedBy: Keys.self, forKey: .head)
            try head.encode(Float(0.1), forKey: .tail)
            try Inner(b: false, f: 3, list: []).encode(to: c.superEncoder())
            var single = c.superEncoder(forKey: .tail).singleValueContainer()
            try single.encode(Int16(-7))
        }
    }

    @Test func matchesJSONEncoderThroughText() throws {
        let samples = [
            Sample(zeta: -3, alpha: 0.1, Beta: "é\n\"q\"", mode: .careful, missing: nil, present: 1e-300,
                   inner: Inner(b: true, f: 0.1, list: [1, 2.5, -1e20, .leastNonzeroMagnitude]), nested: [[1, -2], [], [127]],
                   byName: ["b": 2, "a": 1, "B": 3, "é": 4], byNumber: [10: "ten", 2: "two"], small: .leastNormalMagnitude,
                   big: 9_007_199_254_740_993, negativeZero: -0.0),
            Sample(zeta: Int.max, alpha: -2.5, Beta: "", mode: .fast, missing: 4, present: nil,
                   inner: Inner(b: false, f: -16_777_216, list: []), nested: [], byName: [:], byNumber: [:], small: .ulpOfOne,
                   big: .max, negativeZero: 0.30000000000000004),
        ]
        for s in samples {
            #expect(try JSONValueEncoder.encode(s) == Self.throughText(s))
        }
        #expect(try JSONValueEncoder.encode(Custom()) == Self.throughText(Custom()))
        #expect(try JSONValueEncoder.encode([Mode.fast]) == Self.throughText([Mode.fast]))
        #expect(try JSONValueEncoder.encode(Float(2.2)) == Self.throughText(Float(2.2)))
    }

    @Test func nonFiniteNumbersAreRefusedWithTheirPath() {
        #expect {
            _ = try JSONValueEncoder.encode(Inner(b: true, f: 1, list: [1, .nan]))
        } throws: { error in
            guard case EncodingError.invalidValue(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["list", "Index 1"]
        }
        #expect(throws: EncodingError.self) { _ = try JSONValueEncoder.encode(Inner(b: true, f: .infinity, list: [])) }
    }
}
