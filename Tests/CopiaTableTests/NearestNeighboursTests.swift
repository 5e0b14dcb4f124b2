import CopiaCore
import Testing
@testable import CopiaTable

/// Reproducible test data: Gaussian blobs (with some duplicate rows) from a counter-based generator.
func blobs(rows: Int, columns: Int, classes: [Int], seed: UInt64 = 1, duplicates: Int = 0) throws -> (FeatureMatrix, ClassLabels) {
    var rng = CounterRandom(seed: seed, stage: "test", sample: "blobs")
    var values: [Double] = []
    var labels: [String] = []
    let total = classes.reduce(0, +)
    precondition(total == rows)
    for (c, n) in classes.enumerated() {
        for _ in 0..<n {
            for j in 0..<columns { values.append(rng.normal() + (j == 0 ? Double(c) * 1.5 : 0)) }
            labels.append("\(c)")
        }
    }
    for i in 0..<duplicates {  // copy some rows onto others of the same class
        let a = i * 7 % rows, b = (i * 13 + 1) % rows
        if labels[a] == labels[b] { for j in 0..<columns { values[b * columns + j] = values[a * columns + j] } }
    }
    return (try FeatureMatrix(rows: rows, columns: columns, values: values), ClassLabels(labels))
}

/// The k nearest by a plain Double scan, ties by index.
func referenceNeighbours(_ x: FeatureMatrix, candidates: [Int], query: Int, k: Int) -> [Int] {
    let d = candidates.map { c -> (Double, Int) in
        var s = 0.0
        for j in 0..<x.columns { s += (x[query, j] - x[c, j]) * (x[query, j] - x[c, j]) }
        return (s, c)
    }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    return d.prefix(k).map(\.1)
}

@Suite struct NearestNeighboursTests {
    @Test(arguments: [(1, 3), (5, 20), (7, 9), (11, 64)])
    func searchEqualsAPlainDoubleScan(k: Int, columns: Int) throws {
        let (x, _) = try blobs(rows: 300, columns: columns, classes: [300], duplicates: 20)
        let candidates = Array(stride(from: 0, to: 300, by: 2)) + [1, 3]
        let queries = Array(0..<300)
        let g = try NearestNeighbours.search(x, candidates: candidates, queries: queries, k: k)
        for (qi, q) in queries.enumerated() {
            #expect(Array(g.neighbours(of: qi)) == referenceNeighbours(x, candidates: candidates, query: q, k: k))
        }
    }

    @Test func largeCandidateSetsPackedInTwoHalvesGiveExactNeighbours() throws {
        let (x, _) = try blobs(rows: 9000, columns: 5, classes: [9000], duplicates: 40)
        let all = Array(0..<9000)
        let queries = Array(stride(from: 3, to: 9000, by: 1100))
        for kernel in ScreeningKernel.supported {
            let g = try NearestNeighbours.search(x, candidates: all, queries: queries, k: 6, kernel: kernel)
            for (qi, q) in queries.enumerated() {
                #expect(Array(g.neighbours(of: qi)) == referenceNeighbours(x, candidates: all, query: q, k: 6))
            }
        }
    }

    /// A class's neighbours among all rows, merged from its own class's and the other classes' searches, are those
    /// of one search over all rows (distances too), duplicates and ties included; its own list is sameClassNeighbours'.
    @Test(arguments: [(11, 5), (6, 5), (3, 8)])
    func mergedClassSearchesEqualOneSearchOverAllRows(wholeK: Int, ownK: Int) throws {
        var (x, labels) = try blobs(rows: 900, columns: 6, classes: [600, 240, 60], duplicates: 60)
        for (a, b) in [(5, 650), (610, 870), (880, 3), (881, 4)] {  // identical rows across classes
            for j in 0..<6 { x.values[b * 6 + j] = x.values[a * 6 + j] }
        }
        for rows in labels.rowsByClass {
            let (whole, own) = try wholeAndOwnNeighbours(x, rows: rows, wholeK: wholeK, ownK: ownK)
            #expect(whole == (try NearestNeighbours.search(x, candidates: Array(0..<900), queries: rows, k: wholeK)))
            #expect(own.droppingFirst() == (try sameClassNeighbours(x, rows: rows, k: ownK, sampler: "t", className: "c")))
        }
    }

    @Test func largeOffsetsStillGiveExactNeighbours() throws {
        // Features far from the origin with tiny differences: the float screen must not lose the true neighbours.
        var (x, _) = try blobs(rows: 200, columns: 6, classes: [200])
        x.values = x.values.enumerated().map { $0.offset % 6 == 0 ? 1e6 + $0.element * 1e-3 : $0.element }
        let g = try NearestNeighbours.search(x, candidates: Array(0..<200), queries: Array(0..<200), k: 4)
        for q in 0..<200 { #expect(Array(g.neighbours(of: q)) == referenceNeighbours(x, candidates: Array(0..<200), query: q, k: 4)) }
    }

    @Test func tooManyNeighboursIsAnError() throws {
        let (x, _) = try blobs(rows: 10, columns: 2, classes: [10])
        #expect(throws: TableError.self) { try NearestNeighbours.search(x, candidates: [0, 1], queries: [0], k: 3) }
    }

    @Test func rowKeysMatchTheDocumentedCounterRandomKey() {
        let keys = RowKeys(seed: 42, stage: "balance", className: "setosa")
        for i in [0, 1, 9, 10, 12345, 999_999_999] {
            var a = keys.random(i)
            var b = CounterRandom(seed: 42, stage: "balance", sample: "setosa#\(i)")
            #expect(a.next() == b.next())
        }
    }
}

@Suite struct NeighbourScreeningPathTests {
    /// Many query groups and candidate chunks, coordinates on a coarse grid so that many distances tie exactly:
    /// the screen (norms written before the product, 64 values per test) keeps every true neighbour, ties by index.
    @Test func searchOverManyChunksWithTiesEqualsAPlainDoubleScan() throws {
        var rng = CounterRandom(seed: 5, stage: "test", sample: "grid")
        let rows = 2200, columns = 8
        let values = (0..<(rows * columns)).map { _ in Double(rng.int(below: 9)) - 4 }
        let x = try FeatureMatrix(rows: rows, columns: columns, values: values)
        let all = Array(0..<rows)
        let queries = Array(stride(from: 0, to: rows, by: 8))  // 275: two query groups
        // The plain Double scan of `referenceNeighbours`, over the raw values (quick enough in a debug build).
        let reference = values.withUnsafeBufferPointer { v in
            queries.map { q -> [Int] in
                var d = [(Double, Int)]()
                for c in 0..<rows {
                    var s = 0.0
                    for j in 0..<columns { s += (v[q * columns + j] - v[c * columns + j]) * (v[q * columns + j] - v[c * columns + j]) }
                    d.append((s, c))
                }
                return d.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.prefix(30).map(\.1)
            }
        }
        for k in [1, 11, 30] {
            let g = try NearestNeighbours.search(x, candidates: all, queries: queries, k: k)
            for (qi, q) in queries.enumerated() {
                #expect(Array(g.neighbours(of: qi)) == Array(reference[qi].prefix(k)), "k \(k), query \(q)")
            }
            for kernel in ScreeningKernel.supported {
                #expect(try NearestNeighbours.search(x, candidates: all, queries: queries, k: k, kernel: kernel) == g, "\(kernel)")
            }
        }
    }

    @Test func everyScreeningKernelGivesTheSameExactNeighbours() throws {
        let (x, _) = try blobs(rows: 700, columns: 12, classes: [700], duplicates: 30)
        let all = Array(0..<700)
        let queries = Array(stride(from: 0, to: 700, by: 3))
        let portable = try NearestNeighbours.search(x, candidates: all, queries: queries, k: 7, kernel: .portable)
        for (qi, q) in queries.enumerated() {
            #expect(Array(portable.neighbours(of: qi)) == referenceNeighbours(x, candidates: all, query: q, k: 7))
        }
        for kernel in ScreeningKernel.supported {
            #expect(try NearestNeighbours.search(x, candidates: all, queries: queries, k: 7, kernel: kernel) == portable, "\(kernel)")
        }
    }
}

/// The exact graph by a plain Double scan over the raw values: ties by index, distances the square roots of the
/// feature-order sums (the search's exact distance, bit for bit).
func referenceGraph(_ x: FeatureMatrix, candidates: [Int], queries: [Int], k: Int) -> NeighbourGraph {
    var indices: [Int] = [], distances: [Double] = []
    x.values.withUnsafeBufferPointer { v in
        let dims = x.columns
        for q in queries {
            let d = candidates.map { c -> (Double, Int) in
                var s = 0.0
                for j in 0..<dims {
                    let t = v[q * dims + j] - v[c * dims + j]
                    s += t * t
                }
                return (s, c)
            }.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (s, c) in d.prefix(k) {
                indices.append(c)
                distances.append(s.squareRoot())
            }
        }
    }
    return NeighbourGraph(k: k, indices: indices, distances: distances)
}

@Suite struct FusedScreeningTests {
    /// Rows that are Gaussian in some features and on a coarse grid in others (so distances tie exactly), with
    /// some rows copied onto others.
    func tiedRows(rows: Int, dims: Int, seed: UInt64) throws -> FeatureMatrix {
        var rng = CounterRandom(seed: seed, stage: "test", sample: "fused \(rows)x\(dims)")
        var values = (0..<(rows * dims)).map { i in i % 3 == 0 ? rng.normal() : Double(rng.int(below: 5)) - 2 }
        for _ in 0..<(rows / 5) {
            let a = rng.int(below: rows), b = rng.int(below: rows)
            for j in 0..<dims { values[b * dims + j] = values[a * dims + j] }
        }
        return try FeatureMatrix(rows: rows, columns: dims, values: values)
    }

    /// Sizes that are not multiples of the tiles (12 and 6 queries) or panels (32 and 16 candidates), down to one
    /// row, with k from 1 up to every candidate: each kernel gives the plain Double scan's graph, distances included.
    @Test(arguments: Array(1...40))
    func everyKernelEqualsAPlainDoubleScanOnOddSizes(dims: Int) throws {
        let sizes = [(1, 1), (2, 3), (5, 7), (13, 11), (31, 25), (33, 12), (47, 6), (97, 37)]
        for (n, (candidateCount, queryCount)) in sizes.enumerated() {
            let rows = max(candidateCount, queryCount) + 3
            let x = try tiedRows(rows: rows, dims: dims, seed: UInt64(n))
            let candidates = Array((0..<rows).reversed().prefix(candidateCount))  // not in row order
            let queries = (0..<queryCount).map { ($0 * 7) % rows }
            for k in Set([1, min(3, candidateCount), candidateCount]).sorted() {
                let reference = referenceGraph(x, candidates: candidates, queries: queries, k: k)
                for kernel in ScreeningKernel.supported {
                    let g = try NearestNeighbours.search(x, candidates: candidates, queries: queries, k: k, kernel: kernel)
                    #expect(g == reference, "\(kernel), \(candidateCount) candidates, \(queryCount) queries, k \(k)")
                }
            }
        }
    }

    /// Several query groups searched in parallel, many candidate panels, duplicates: every kernel gives the plain
    /// scan's graph (so none depends on how the groups were scheduled).
    @Test(arguments: [3, 17, 29])
    func parallelGroupsGiveThePlainScansGraph(dims: Int) throws {
        let x = try tiedRows(rows: 1100, dims: dims, seed: 9)
        let candidates = Array(stride(from: 1, to: 1100, by: 2)) + [0, 2, 4]
        let queries = Array(0..<600)
        let reference = referenceGraph(x, candidates: candidates, queries: queries, k: 9)
        for kernel in ScreeningKernel.supported {
            #expect(try NearestNeighbours.search(x, candidates: candidates, queries: queries, k: 9, kernel: kernel) == reference, "\(kernel)")
        }
    }

    /// More exact ties than a screened list holds (every row identical but a few): the overflowing queries are
    /// scanned exactly, ties going to the lower row index.
    @Test func overflowingListsFallBackToAnExactScan() throws {
        var values = [Double](repeating: 0.5, count: 300 * 4)
        for j in 0..<4 { values[17 * 4 + j] = 1; values[250 * 4 + j] = -1 }
        let x = try FeatureMatrix(rows: 300, columns: 4, values: values)
        let all = Array(0..<300)
        let reference = referenceGraph(x, candidates: all, queries: [0, 17, 250, 299], k: 5)
        for kernel in ScreeningKernel.supported {
            #expect(try NearestNeighbours.search(x, candidates: all, queries: [0, 17, 250, 299], k: 5, kernel: kernel) == reference, "\(kernel)")
        }
    }

    /// Features whose squares overflow Float: nothing can be screened, and every query is scanned exactly.
    @Test func normsBeyondFloatFallBackToAnExactScan() throws {
        var rng = CounterRandom(seed: 3, stage: "test", sample: "huge")
        let values = (0..<(120 * 3)).map { _ in rng.normal() * 1e25 }
        let x = try FeatureMatrix(rows: 120, columns: 3, values: values)
        let all = Array(0..<120)
        let reference = referenceGraph(x, candidates: all, queries: all, k: 4)
        for kernel in ScreeningKernel.supported {
            #expect(try NearestNeighbours.search(x, candidates: all, queries: all, k: 4, kernel: kernel) == reference, "\(kernel)")
        }
    }
}
