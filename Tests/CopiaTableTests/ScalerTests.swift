import Foundation
import Testing
@testable import CopiaTable

@Suite struct ScalerTests {
    // x = 1, 2, 3, 4, 10: mean 4, population sd sqrt(10), min 1, max 10, median 3, q25 2, q75 4.
    let train = try! CSVReader.read(string: "x,c,y\n1,a,0\n2,b,0\n3,a,1\n4,b,1\n10,a,1\n", options: CSVReadOptions(labelColumn: "y"))

    @Test(arguments: [(Scaler.Kind.standardise, 4.0, 10.0.squareRoot()), (.minMax, 1, 9), (.meanNormalise, 4, 9), (.robust, 3, 2)])
    func statisticsAreTheTextbookOnes(kind: Scaler.Kind, offset: Double, scale: Double) throws {
        let s = try Scaler.fit(kind, on: train)
        #expect(s.columns.map(\.column) == ["x"])
        #expect(abs(s.columns[0].offset - offset) < 1e-12 && abs(s.columns[0].scale - scale) < 1e-12)
        let scaled = try s.transform(train)
        #expect(abs(scaled.column(named: "x")!.doubles![4] - (10 - offset) / scale) < 1e-12)
        let back = try s.inverse(scaled)
        #expect(zip(back.column(named: "x")!.doubles!, [1.0, 2, 3, 4, 10]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func heldOutRowsAreScaledWithTrainingStatisticsOnly() throws {
        let s = try Scaler.fit(.minMax, on: train)
        let test = try CSVReader.read(string: "x,c,y\n100,a,0\n", options: CSVReadOptions(labelColumn: "y"))
        #expect(try s.transform(test).column(named: "x")?.doubles == [11])
    }

    @Test func constantColumnsGetScaleOne() throws {
        let t = try CSVReader.read(string: "x\n5\n5\n")
        #expect(try Scaler.fit(.standardise, on: t).columns[0].scale == 1)
    }

    @Test func statisticsRoundTripThroughJSON() throws {
        let s = try Scaler.fit(.robust, on: train)
        let data = try JSONEncoder().encode(s)
        #expect(try JSONDecoder().decode(Scaler.self, from: data) == s)
    }

    @Test func syntheticRowsGoBackToOriginalUnits() throws {
        let x = try FeatureMatrix(train)
        let s = try Scaler.fit(.standardise, on: x)
        var rows = SyntheticRows()
        rows.append(SyntheticRow(label: 0, values: [1, 0], base: 0))
        let back = try s.inverse(rows, names: x.names)
        #expect(abs(back[0].values[0] - (4 + 10.0.squareRoot())) < 1e-12 && back[0].values[1] == 0)
    }

    @Test func medianImputerFillsMissingCellsWithTheTrainingMedian() throws {
        let t = try CSVReader.read(string: "x,y\n1,a\nnan,b\n3,a\n8,b\n", options: CSVReadOptions(labelColumn: "y", nonFinite: .imputeMedian))
        let imputer = try MedianImputer.fit(on: t)
        #expect(imputer.medians == ["x": 3])
        #expect(try imputer.transform(t).column(named: "x")?.doubles == [1, 3, 3, 8])
    }
}

@Suite struct OneHotEncoderTests {
    @Test func encodesLevelsAsColumnsAndDecodesToTheNearestLevel() throws {
        let t = try CSVReader.read(string: "n,c,y\n1.5,red,0\n2,blue,1\n3,green,0\n", options: CSVReadOptions(labelColumn: "y"))
        let x = try FeatureMatrix(t)
        let e = OneHotEncoder(for: x)
        let enc = try e.encode(x)
        #expect(enc.names == ["n", "c=red", "c=blue", "c=green"])
        #expect(Array(enc.row(1)) == [2, 0, 1, 0])
        #expect(e.decode(row: [2.5, 0.2, 0.5, 0.3][...]) == [2.5, 1])
        #expect((0..<3).allSatisfy { e.decode(row: enc.row($0)) == Array(x.row($0)) })
    }
}
