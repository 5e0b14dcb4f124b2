import Foundation
import Testing
@testable import CopiaTable

@Suite struct CSVReaderTests {
    @Test func quotedFieldsKeepDelimitersQuotesAndLineBreaks() throws {
        let csv = "name,note,x\r\n\"a,b\",\"say \"\"hi\"\"\",1\r\n\"multi\nline\",plain,2\r\n"
        let t = try CSVReader.read(string: csv, file: "q.csv")
        #expect(t.rowCount == 2)
        #expect(t.column(named: "name")?.text(at: 0) == "a,b")
        #expect(t.column(named: "note")?.text(at: 0) == "say \"hi\"")
        #expect(t.column(named: "name")?.text(at: 1) == "multi\nline")
        #expect(t.column(named: "x")?.doubles == [1, 2])
        #expect(t.lineNumbers == [2, 3])
    }

    @Test func byteOrderMarkIsSkippedAndLastLineNeedsNoNewline() throws {
        let t = try CSVReader.read(bytes: [0xEF, 0xBB, 0xBF] + Array("a,b\n1,2".utf8))
        #expect(t.columnNames == ["a", "b"])
        #expect(t.column(named: "b")?.doubles == [2])
    }

    @Test func emptyFieldsAreMissing() throws {
        let t = try CSVReader.read(string: "a,b,c\n1,,x\n,2,\n")
        let a = try #require(t.column(named: "a"))
        #expect(a.type == .numeric && a.isMissing(1) && !a.isMissing(0))
        #expect(t.column(named: "c")?.isMissing(1) == true)
        #expect(t.column(named: "c")?.type == .categorical)
    }

    @Test func typesAreInferredAndSchemaOverridesThem() throws {
        let csv = "n,c,b,z\n1.5,red,true,007\n-2e3,blue,False,12\n"
        let t = try CSVReader.read(string: csv)
        #expect(t.columns.map(\.type) == [.numeric, .categorical, .boolean, .numeric])
        let s = try CSVReader.read(string: csv, options: CSVReadOptions(schema: ["z": .categorical]))
        #expect(s.column(named: "z")?.text(at: 0) == "007")
        #expect(s.column(named: "b")?.text(at: 1) == "False")
    }

    @Test func aColumnThatTurnsOutToBeTextKeepsItsExactSpelling() throws {
        var csv = "id,x\n"
        for i in 0..<50 { csv += "00\(i),\(i)\n" }
        csv += "A7,1\n"
        for chunk in [8, 64, 1 << 20] {
            let t = try CSVReader.read(string: csv, options: CSVReadOptions(chunkSize: chunk))
            let id = try #require(t.column(named: "id"))
            #expect(id.type == .categorical)
            #expect(id.text(at: 0) == "000" && id.text(at: 12) == "0012" && id.text(at: 50) == "A7")
        }
    }

    @Test func tinyChunksGiveTheSameTable() throws {
        var csv = "a,b,c\r\n"
        for i in 0..<200 { csv += "\(Double(i) * 0.37),\"q\"\"\(i % 7)\nz\",\(i % 3 == 0 ? "" : "x\(i % 5)")\r\n" }
        let whole = try CSVReader.read(string: csv)
        for chunk in [1, 2, 3, 5, 17, 100] {
            let t = try CSVReader.read(string: csv, options: CSVReadOptions(chunkSize: chunk))
            #expect(differences(t, whole) == [])
            #expect(try CSVWriter.encode(t, options: CSVWriteOptions(crlf: true)) == Array(csv.utf8))
        }
        #expect(whole.lineNumbers[1] == 4)
    }

    /// Text columns repeat values: short ones (at most eight bytes) are recognised by length and first word, more
    /// distinct values than the few remembered, longer ones by their bytes, and each keeps its exact text.
    @Test func repeatedShortAndLongTextValuesKeepTheirText() throws {
        let labels = ["a", "bb", "b", "ccc", "dddddddd", "ddddddde", "eeeeeeeee9", "eeeeeeeee8", "x", "\"q,\"\"\""]
        var rng = SplitMix(state: 3)
        var csv = "v,label\n"
        var expected: [String] = []
        for i in 0..<3000 {
            let l = labels[Int(rng.next() % 3 == 0 ? rng.next() % UInt64(labels.count) : UInt64(i / 50 % labels.count))]
            csv += "\(i),\(l)\n"
            expected.append(l == "\"q,\"\"\"" ? "q,\"" : l)
        }
        for chunk in [100, 1 << 20] {
            var options = CSVReadOptions(labelColumn: "label", chunkSize: chunk)
            options.parallelThreshold = 64
            let t = try CSVReader.read(string: csv, options: options)
            let column = try #require(t.column(named: "label"))
            #expect((0..<3000).map { column.text(at: $0) } == expected, "chunk \(chunk)")
        }
    }

    @Test func otherDelimitersWork() throws {
        let t = try CSVReader.read(string: "a;b\n1,5;x\n", options: CSVReadOptions(delimiter: ";"))
        #expect(t.column(named: "a")?.text(at: 0) == "1,5")
        #expect(t.column(named: "b")?.text(at: 0) == "x")
        let tab = try CSVReader.read(string: "a\tb\n1\t2\n", options: CSVReadOptions(delimiter: "\t"))
        #expect(tab.column(named: "b")?.doubles == [2])
    }

    // MARK: - Errors

    @Test func raggedRowNamesFileRowAndCounts() throws {
        let csv = "a,b,c\n1,2,3\n1,2\n"
        #expect(throws: TableError(.raggedRow(fields: 2, expected: 3), file: "wine.csv", row: 3)) {
            try CSVReader.read(string: csv, file: "wine.csv")
        }
        let e = TableError(.raggedRow(fields: 12, expected: 14), file: "wine.csv", row: 5)
        #expect(e.description == "wine.csv: row 5 has 12 fields, the header has 14")
    }

    @Test func textInANumericSchemaColumnNamesTheValue() throws {
        let csv = "alcohol,label\n1.0,a\nabc,b\n"
        let expected = TableError(.expectedNumber, file: "wine.csv", row: 3, column: "alcohol", value: "abc")
        #expect(throws: expected) {
            try CSVReader.read(string: csv, file: "wine.csv", options: CSVReadOptions(schema: ["alcohol": .numeric]))
        }
        #expect(expected.description == "wine.csv: row 3, column \"alcohol\": expected a number, got \"abc\"")
    }

    @Test func invalidUTF8IsAnError() throws {
        let bytes = Array("a,b\n1,ok\n2,".utf8) + [0xFF, 0xFE] + Array("\n".utf8)
        #expect(throws: TableError(.invalidUTF8, file: "x.csv", row: 3, column: "b", value: "\u{FFFD}\u{FFFD}")) {
            try CSVReader.read(bytes: bytes, file: "x.csv")
        }
    }

    @Test func unclosedQuoteAndTextAfterQuoteAreErrors() throws {
        #expect(throws: TableError(.unterminatedQuote, file: "q.csv", row: 2)) {
            try CSVReader.read(string: "a,b\n\"open,1\n", file: "q.csv")
        }
        #expect(throws: TableError(.textAfterClosingQuote, file: "q.csv", row: 2, column: "a", value: "\"x\"y")) {
            try CSVReader.read(string: "a,b\n\"x\"y,1\n", file: "q.csv")
        }
    }

    @Test func unknownLabelOrSchemaColumnIsAnError() throws {
        #expect(throws: TableError(.unknownColumn, file: "f.csv", column: "class", value: "a, b")) {
            try CSVReader.read(string: "a,b\n1,2\n", file: "f.csv", options: CSVReadOptions(labelColumn: "class"))
        }
    }

    @Test func emptyFileIsAnError() {
        #expect(throws: TableError(.emptyFile, file: "e.csv")) { try CSVReader.read(string: "", file: "e.csv") }
    }

    @Test func nonFiniteValuesFollowThePolicy() throws {
        let csv = "x,y\n1,2\nnan,3\n4,inf\n5,6\n"
        #expect(throws: TableError(.nonFinite, file: "n.csv", row: 3, column: "x", value: "nan")) {
            try CSVReader.read(string: csv, file: "n.csv")
        }
        let dropped = try CSVReader.read(string: csv, file: "n.csv", options: CSVReadOptions(nonFinite: .dropRow))
        #expect(dropped.column(named: "x")?.doubles == [1, 5])
        #expect(dropped.lineNumbers == [2, 5])
        #expect(dropped.droppedRows == [CellNote(line: 3, column: "x", value: "nan"), CellNote(line: 4, column: "y", value: "inf")])
        let imputed = try CSVReader.read(string: csv, options: CSVReadOptions(nonFinite: .imputeMedian))
        #expect(imputed.rowCount == 4)
        #expect(imputed.column(named: "x")?.isMissing(1) == true)
        #expect(imputed.nonFiniteCells.count == 2)
    }

    // MARK: - Labels and rows

    @Test func labelsAreOrderedNumericallyWhenNumbers() throws {
        let t = try CSVReader.read(string: "x,y\n1,10\n2,2\n3,10\n", options: CSVReadOptions(labelColumn: "y"))
        let (codes, classes) = try t.labelCodes()
        #expect(classes == ["2", "10"])
        #expect(codes == [1, 0, 1])
        #expect(t.column(named: "y")?.type == .categorical)
    }

    @Test func rowsGatherAndAppendKeepValuesAndLevels() throws {
        let t = try CSVReader.read(string: "x,c\n1,a\n2,b\n3,a\n")
        let g = t.rows([2, 0, 2])
        #expect(g.column(named: "x")?.doubles == [3, 1, 3])
        #expect(g.lineNumbers == [4, 2, 4])
        let other = try Table(columns: [.numeric("x", [9]), .categorical("c", ["z"])])
        let both = try g.appending(other)
        #expect(both.rowCount == 4)
        #expect(both.column(named: "c")?.text(at: 3) == "z")
        #expect(both.originalText(ofRow: 3) == nil)
        #expect(both.originalText(ofRow: 0).map { Array($0) } == Array("3,a".utf8))
    }
}

@Suite struct CSVReaderSplitTests {
    /// A CSV whose quoted fields hold line breaks, so a split at a line break can fall inside a field.
    static func awkwardCSV(rows: Int) -> String {
        var csv = "x,note,y,flag\n"
        for i in 0..<rows {
            let note = i % 3 == 0 ? "\"multi\nline \(i)\nmore\"" : (i % 3 == 1 ? "\"a,\"\"b\"\"\"" : "plain\(i % 11)")
            let y = i % 17 == 0 ? "" : "\(Double(i) * 0.125 - 3)"
            csv += "\(i),\(note),\(y),\(i % 2 == 0 ? "true" : "false")\n"
        }
        return csv
    }

    @Test func parallelHalvesGiveTheSameTableAsOneSequentialPass() throws {
        let csv = Self.awkwardCSV(rows: 800)
        var sequential = CSVReadOptions()
        sequential.parallelThreshold = Int.max
        let reference = try CSVReader.read(string: csv, options: sequential)
        for threshold in [16, 1000] {
            for chunk in [64, 4096, 1 << 20] {
                var options = CSVReadOptions(chunkSize: chunk)
                options.parallelThreshold = threshold
                let t = try CSVReader.read(string: csv, options: options)
                #expect(differences(t, reference) == [], "threshold \(threshold), chunk \(chunk)")
                #expect(try CSVWriter.encode(t) == Array(csv.utf8), "threshold \(threshold), chunk \(chunk)")
            }
        }
        #expect(reference.rowCount == 800)
        #expect(reference.columns.map(\.type) == [.numeric, .categorical, .numeric, .boolean])
        #expect(reference.lineNumbers[1] == 5)
    }

    /// With original text kept, the input is read whole and parsed in windows; without, it streams in chunks. Both
    /// give the same table at any chunk size, from memory or from a file, and the kept text is the file's bytes.
    @Test(arguments: [true, false])
    func wholeInputAndStreamingReadsGiveTheSameTable(fromFile: Bool) throws {
        let csv = "\u{FEFF}" + Self.awkwardCSV(rows: 400) + "1.50,\"last\",+2.0e0,true"  // no final line break
        var sequential = CSVReadOptions(keepOriginalText: false)
        sequential.parallelThreshold = Int.max
        let reference = try CSVReader.read(string: csv, options: sequential)
        let path = "/tmp/copia-table-whole-\(UInt32.random(in: 0...UInt32.max)).csv"
        if fromFile { try Data(csv.utf8).write(to: URL(fileURLWithPath: path)) }
        defer { if fromFile { try? FileManager.default.removeItem(atPath: path) } }
        for keep in [true, false] {
            for chunk in [1, 7, 64, 4096, 1 << 20] {
                var options = CSVReadOptions(keepOriginalText: keep, chunkSize: chunk)
                options.parallelThreshold = 100
                let t = fromFile ? try CSVReader.read(path: path, options: options) : try CSVReader.read(string: csv, options: options)
                #expect(differences(t, reference) == [], "keep \(keep), chunk \(chunk)")
                if keep {
                    #expect(try CSVWriter.encode(t) == Array(csv.utf8.dropFirst(3)) + [0x0A], "chunk \(chunk)")
                    #expect(t.originalText(ofRow: 0).map { Array($0) } == Array("0,\"multi\nline 0\nmore\",,true".utf8))
                    #expect(t.originalText(ofRow: 400).map { Array($0) } == Array("1.50,\"last\",+2.0e0,true".utf8))
                } else {
                    #expect(t.originalText(ofRow: 0) == nil)
                }
            }
        }
        #expect(reference.rowCount == 401)
    }

    /// A file of a megabyte or more is read as two halves at once; the table and its kept text are the same.
    @Test func aLargeFileReadInTwoHalvesGivesTheSameTable() throws {
        let csv = Self.awkwardCSV(rows: 40_000)
        #expect(csv.utf8.count >= 1 << 20)
        let path = "/tmp/copia-table-large-\(UInt32.random(in: 0...UInt32.max)).csv"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try CSVReader.read(path: path)
        #expect(differences(fromFile, try CSVReader.read(string: csv)) == [])
        #expect(try CSVWriter.encode(fromFile) == Array(csv.utf8))
    }

    @Test func errorsInEitherHalfComeOutInFileOrder() throws {
        var csv = Self.awkwardCSV(rows: 600)
        csv += "1,2\n"  // ragged, at the very end
        var options = CSVReadOptions(schema: ["y": .numeric])
        options.parallelThreshold = 16
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(throws: TableError(.raggedRow(fields: 2, expected: 4), file: "big.csv", row: lines)) {
            try CSVReader.read(string: csv, file: "big.csv", options: options)
        }
        let bad = csv.replacingOccurrences(of: "\n101,plain2,", with: "\n101,plain2,oops")
        #expect(throws: TableError.self) { try CSVReader.read(string: bad, file: "big.csv", options: options) }
        do {
            _ = try CSVReader.read(string: bad, file: "big.csv", options: options)
        } catch let e as TableError {
            #expect(e.kind == .expectedNumber && e.column == "y" && e.value?.hasPrefix("oops") == true, "\(e)")
        }
    }
}

/// Where two tables differ, briefly (so a failing test does not print whole tables).
func differences(_ a: Table, _ b: Table) -> [String] {
    var out: [String] = []
    if a.rowCount != b.rowCount { out.append("rows \(a.rowCount) vs \(b.rowCount)") }
    if a.columnNames != b.columnNames { out.append("columns \(a.columnNames) vs \(b.columnNames)") }
    if a.lineNumbers != b.lineNumbers {
        let i = zip(a.lineNumbers, b.lineNumbers).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
        out.append("line numbers differ at row \(i)")
    }
    for (x, y) in zip(a.columns, b.columns) where x != y {
        if x.type != y.type { out.append("\(x.name): \(x.type) vs \(y.type)"); continue }
        let n = min(x.count, y.count)
        let i = (0..<n).first { x.text(at: $0) != y.text(at: $0) } ?? n
        out.append("\(x.name) differs at row \(i): \(i < x.count ? x.text(at: i) ?? "nil" : "-") vs \(i < y.count ? y.text(at: i) ?? "nil" : "-")")
    }
    return out
}
