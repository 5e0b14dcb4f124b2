import CopiaCore
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
}
