/// One-hot encoding of a feature matrix's categorical columns, for samplers that interpolate every feature (SMOTE,
/// ADASYN, ...): each categorical column becomes one 0/1 column per level (named `column=level`), numeric columns
/// pass through. `decode` maps rows back, taking for each categorical column the level with the largest value (ties
/// to the first level), so an interpolated row gets the level it is closest to.
public struct OneHotEncoder: Sendable, Equatable {
    public let source: FeatureMatrix.Layout
    /// Per source column: the encoded columns it became.
    public let spans: [Range<Int>]
    public let encodedNames: [String]

    /// The encoding for `x`'s layout.
    public init(for x: FeatureMatrix) {
        source = x.layout
        var spans: [Range<Int>] = [], names: [String] = []
        let levelsOf = Dictionary(uniqueKeysWithValues: zip(x.categorical, x.levels))
        for j in 0..<x.columns {
            if let levels = levelsOf[j] {
                spans.append(names.count..<(names.count + levels.count))
                names.append(contentsOf: levels.map { "\(x.names[j])=\($0)" })
            } else {
                spans.append(names.count..<(names.count + 1))
                names.append(x.names[j])
            }
        }
        self.spans = spans
        self.encodedNames = names
    }

    /// `x` with categorical columns expanded; all columns of the result are numeric.
    /// - Throws: when `x` does not have the layout this encoder was made for.
    public func encode(_ x: FeatureMatrix) throws -> FeatureMatrix {
        guard x.layout == source else { throw TableError.invalid("the matrix's columns differ from the encoder's") }
        let width = encodedNames.count
        var values = [Double](repeating: 0, count: x.rows * width)
        let categorical = Set(x.categorical)
        for r in 0..<x.rows {
            for j in 0..<x.columns {
                let v = x[r, j]
                if categorical.contains(j) { values[r * width + spans[j].lowerBound + Int(v)] = 1 } else { values[r * width + spans[j].lowerBound] = v }
            }
        }
        return try FeatureMatrix(rows: x.rows, columns: width, values: values, names: encodedNames)
    }

    /// Encoded values (one row) back to the source layout.
    public func decode(row encoded: ArraySlice<Double>) -> [Double] {
        let base = encoded.startIndex
        return (0..<source.names.count).map { j in
            let span = spans[j]
            guard source.categorical.contains(j) else { return encoded[base + span.lowerBound] }
            var best = span.lowerBound
            for c in span where encoded[base + c] > encoded[base + best] { best = c }
            return Double(best - span.lowerBound)
        }
    }

    /// Synthetic rows made in the encoded space, in the source layout.
    public func decode(_ rows: SyntheticRows) -> SyntheticRows {
        var out = SyntheticRows(columns: source.names.count)
        for s in rows {
            var t = s
            t.values = decode(row: s.values[...])
            out.append(t)
        }
        return out
    }
}

extension FeatureMatrix {
    /// Column names, categorical columns and their levels: what an encoder depends on.
    public struct Layout: Sendable, Equatable {
        public let names: [String]
        public let categorical: [Int]
        public let levels: [[String]]
    }

    public var layout: Layout { Layout(names: names, categorical: categorical, levels: levels) }
}
