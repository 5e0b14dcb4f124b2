import Foundation
import Testing
@testable import CopiaTable

@Suite struct CSVWriterTests {
    @Test func untouchedRowsAreWrittenByteForByte() throws {
        let csv = "a,b,c\n1.0,\"x,y\",TRUE\n2.50,\"q\"\"\",false\n,,\n"
        let t = try CSVReader.read(string: csv)
        #expect(try CSVWriter.encode(t) == Array(csv.utf8))
        #expect(try CSVWriter.encode(t.rows([2, 0])) == Array("a,b,c\n,,\n1.0,\"x,y\",TRUE\n".utf8))
    }

    @Test func formattedRowsReadBackAsTheSameValues() throws {
        let values: [Double] = [0.1, 1.0 / 3.0, 1e-300, 123456789.125, -0.0, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 42, -7.25e-5]
        let t = try Table(columns: [.numeric("v", values), .categorical("s", ["a,b", "q\"", "line\nbreak", nil, "x", "y", "z", "w", "v"])])
        let bytes = try CSVWriter.encode(t)
        let back = try CSVReader.read(bytes: bytes)
        #expect(back.column(named: "v")?.doubles?.map(\.bitPattern) == values.map(\.bitPattern))
        #expect(back.column(named: "s") == t.column(named: "s"))
    }

    @Test func replacedValuesAreNotWrittenWithStaleText() throws {
        var t = try CSVReader.read(string: "a,b\n1.0,x\n2.0,y\n")
        try t.setColumn(.numeric("a", [10, 0.5]))
        #expect(try CSVWriter.encode(t) == Array("a,b\n10,x\n0.5,y\n".utf8))
    }

    @Test func writesAFileAndReadsItBack() throws {
        let path = "/tmp/copia-table-test-\(UInt32.random(in: 0...UInt32.max)).csv"
        let t = try CSVReader.read(string: "a,b\n1,x\n2,y\n")
        try CSVWriter.write(t, to: path, options: CSVWriteOptions(useOriginalText: false, crlf: true))
        let back = try CSVReader.read(path: path)
        #expect(back == t)
        #expect(throws: TableError.self) { try CSVReader.read(path: path + ".missing") }
    }
}

@Suite struct NumberParsingTests {
    static func parse(_ s: String) -> Double? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { NumberParsing.parse($0, 0, $0.count) }
    }

    @Test(arguments: ["0", "-0", "1", "+1.5", ".5", "5.", "1e10", "1E-5", "-2.5e+3", "123456789012345678901234",
                      "0.1", "2.2250738585072014e-308", "4.9e-324", "1e400", "0.000000000000000000000000001",
                      "9007199254740993", "1.7976931348623157e308", " 7 ", "3.14159265358979323846264338"])
    func parsesLikeStrtod(_ s: String) throws {
        let v = try #require(Self.parse(s))
        let reference = try #require(Double(s.trimmingCharacters(in: .whitespaces)))
        #expect(v.bitPattern == reference.bitPattern)
    }

    @Test(arguments: ["", "abc", "1.2.3", "1e", "--1", "e5", ".", "0x10", "1,5", "nan1"])
    func rejectsNonNumbers(_ s: String) {
        #expect(Self.parse(s) == nil)
    }

    @Test func randomDecimalsRoundTripExactly() {
        var rng = SplitMix(state: 7)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.next() & 1 == 0 ? 1 : -1)
            #expect(Self.parse(v.description) == v)
            let g = String(format: "%.10g", v)
            #expect(Self.parse(g) == Double(g))
            let f = String(format: "%.*f", Int(rng.next() % 12), Double(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60)) * 1e-6)
            for text in [g, f] {
                let bytes = Array(text.utf8)
                if let (value, end) = bytes.withUnsafeBufferPointer({ NumberParsing.prefix($0, 0, $0.count) }) {
                    #expect(end == bytes.count && value == Double(text), "\(text)")
                }
            }
        }
    }

    /// The word-at-a-time fast path (taken with 32 bytes to spare) gives what the byte-at-a-time one gives, value
    /// bits and end position, for plain decimals of every digit count and for what it hands over (exponents, long
    /// integer parts, more than 19 digits, stray characters).
    @Test func wordAtATimePrefixAgreesWithByteAtATime() {
        var rng = SplitMix(state: 11)
        let tails = [",", "\n", "\r", "x", ".", "e", "E5", "e-3", "1", " ", "\"", "-"]
        var texts = ["0", "-0", "+0", ".5", "5.", "-.5", "-", "+", ".", "", "1234567", "12345678", "123456789",
                     "0.1234567890123456789", "9007199254740993", "9007199254740992.5", "0.00000000000000000001",
                     "99999999.99999999999", "1.7976931348623157", "00000001.5"]
        for _ in 0..<30_000 {
            var t = ["", "-", "+"][Int(rng.next() % 3)]
            for _ in 0..<Int(rng.next() % 10) { t += String(rng.next() % 10) }
            if rng.next() % 4 != 0 {
                t += "."
                for _ in 0..<Int(rng.next() % 21) { t += String(rng.next() % 10) }
            }
            texts.append(t)
        }
        for text in texts {
            for tail in tails {
                let bytes = Array((text + tail).utf8) + Array(repeating: UInt8(ascii: ","), count: 40)
                bytes.withUnsafeBufferPointer { p in
                    let fast = NumberParsing.prefix(p, 0, p.count)
                    let scalar = NumberParsing.prefixScalar(p, 0, p.count)
                    #expect(fast?.0.bitPattern == scalar?.0.bitPattern && fast?.1 == scalar?.1, "\(text + tail)")
                    if let fast, fast.1 == text.utf8.count, let reference = Double(text) {
                        #expect(fast.0.bitPattern == reference.bitPattern, "\(text)")
                    }
                }
            }
        }
    }

    @Test func specialValuesParseForThePolicyToJudge() {
        #expect(Self.parse("NaN")?.isNaN == true)
        #expect(Self.parse("-Infinity") == -.infinity)
        #expect(Self.parse("inf") == .infinity)
    }
}

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
