import CCopiaNeighbours
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The k nearest neighbours of a set of query rows: row `q`'s neighbours are `indices[q*k ..< (q+1)*k]`, nearest
/// first, with their Euclidean distances.
public struct NeighbourGraph: Sendable, Equatable {
    public let k: Int
    /// Row indices into the searched matrix, `k` per query.
    public let indices: [Int]
    /// Euclidean distances, `k` per query.
    public let distances: [Double]

    public var queryCount: Int { k == 0 ? 0 : indices.count / k }

    /// The neighbours of query `q`, nearest first.
    public func neighbours(of q: Int) -> ArraySlice<Int> { indices[(q * k)..<((q + 1) * k)] }

    /// The first `n` (<= k) neighbours of every query.
    public func keepingFirst(_ n: Int) -> NeighbourGraph {
        guard n < k else { return self }
        var idx: [Int] = [], dist: [Double] = []
        idx.reserveCapacity(queryCount * n)
        dist.reserveCapacity(queryCount * n)
        for q in 0..<queryCount {
            idx.append(contentsOf: indices[(q * k)..<(q * k + n)])
            dist.append(contentsOf: distances[(q * k)..<(q * k + n)])
        }
        return NeighbourGraph(k: n, indices: idx, distances: dist)
    }

    /// Drops the first neighbour of every query: imbalanced-learn's convention when the queries are among the
    /// candidates, where the nearest "neighbour" is the row itself.
    public func droppingFirst() -> NeighbourGraph {
        guard k > 0 else { return self }
        var idx: [Int] = [], dist: [Double] = []
        idx.reserveCapacity(queryCount * (k - 1))
        dist.reserveCapacity(queryCount * (k - 1))
        for q in 0..<queryCount {
            idx.append(contentsOf: indices[(q * k + 1)..<((q + 1) * k)])
            dist.append(contentsOf: distances[(q * k + 1)..<((q + 1) * k)])
        }
        return NeighbourGraph(k: k - 1, indices: idx, distances: dist)
    }
}

/// Exact k-nearest-neighbour search by blocked brute force.
///
/// Distances are screened in `Float` with the `|x|^2 + |q|^2 - 2 q.x` form on centred data, keeping every candidate
/// whose screened distance could still be within the k nearest given a proven bound on the screening error. The
/// screen runs on a fused C kernel where the processor allows (`ccopia_nn_screen`, AVX-512 or AVX2 with FMA: a tile
/// of queries against a panel of candidates in registers, compared with each query's limit before anything is
/// stored), else on portable Swift SIMD. The survivors are then ranked by their exact `Double` distance
/// `sum((q - x)^2)`, ties broken by the lower row index. So the result is exactly the k nearest by `Double`
/// arithmetic, whatever the screening kernel or its rounding; when too many candidates tie inside the error bound,
/// or a norm overflows `Float`, the query falls back to an exact `Double` scan.
///
/// Queries are processed in parallel in fixed groups; each query's result depends only on the data, never on the
/// thread count.
///
/// - Complexity: O(queries x candidates x features) time; O(candidates x features) extra memory.
public enum NearestNeighbours {
    /// Which screening kernel the search uses (for benchmark logs).
    public static var screeningBackend: String { ScreeningKernel.best.description }

    /// The `k` nearest rows among `candidates` for each row in `queries` (row indices into `x`).
    /// A query that is also a candidate finds itself first (distance 0); see `NeighbourGraph.droppingFirst()`.
    /// - Throws: `TableError` when `k` exceeds the number of candidates or an index is out of range.
    public static func search(_ x: FeatureMatrix, candidates: [Int], queries: [Int], k: Int) throws -> NeighbourGraph {
        try search(x, candidates: candidates, queries: queries, k: k, kernel: .best)
    }

    /// The search with its screening products on `kernel`.
    static func search(_ x: FeatureMatrix, candidates: [Int], queries: [Int], k: Int, kernel: ScreeningKernel) throws -> NeighbourGraph {
        guard k >= 0 else { throw TableError.invalid("k must be >= 0, got \(k)") }
        guard k <= candidates.count else {
            throw TableError.invalid("asked for \(k) neighbours among only \(candidates.count) rows")
        }
        for i in candidates where i < 0 || i >= x.rows { throw TableError.invalid("candidate row \(i) out of range 0..<\(x.rows)") }
        for i in queries where i < 0 || i >= x.rows { throw TableError.invalid("query row \(i) out of range 0..<\(x.rows)") }
        if k == 0 || queries.isEmpty { return NeighbourGraph(k: k, indices: [], distances: []) }
        let searcher = BlockedSearch(x, candidates: candidates, kernel: kernel)
        var indices = [Int](repeating: 0, count: queries.count * k)
        var distances = [Double](repeating: 0, count: queries.count * k)
        let group = kernel == .portable ? 128 : 256
        let groups = (queries.count + group - 1) / group
        indices.withUnsafeMutableBufferPointer { ip in
            distances.withUnsafeMutableBufferPointer { dp in
                let out = SendableBox((ip, dp))
                let work = { @Sendable (g: Int) in
                    let lo = g * group, hi = min(queries.count, lo + group)
                    searcher.search(queries: Array(queries[lo..<hi]), k: k,
                                    indices: out.value.0.baseAddress! + lo * k, distances: out.value.1.baseAddress! + lo * k)
                }
                if groups > 1 && candidates.count * queries.count >= 1 << 16 {
                    DispatchQueue.concurrentPerform(iterations: groups, execute: work)
                } else {
                    for g in 0..<groups { work(g) }
                }
            }
        }
        return NeighbourGraph(k: k, indices: indices, distances: distances)
    }
}

/// The code that computes the screening products. All give the same neighbours (the screen only selects candidates
/// for the exact ranking); they differ in speed and in the processors they run on.
enum ScreeningKernel: String, Sendable, CustomStringConvertible {
    /// The fused C kernel (`ccopia_nn_screen`) with AVX-512F: products compared in registers, never stored.
    case avx512
    /// The fused C kernel with AVX2 and FMA.
    case avx2
    /// Swift SIMD, for any processor.
    case portable

    var description: String {
        switch self {
        case .avx512: "fused AVX-512"
        case .avx2: "fused AVX2"
        case .portable: "portable"
        }
    }

    /// The fused kernels this processor runs, fastest first, then the portable one.
    static let supported: [ScreeningKernel] = {
        let best = ccopia_nn_best_kernel()
        return (best >= Int32(CCOPIA_NN_AVX512) ? [.avx512] : []) + (best >= Int32(CCOPIA_NN_AVX2) ? [.avx2] : []) + [.portable]
    }()

    /// The fastest supported kernel, or the one `COPIA_TABLE_SCREEN` names (avx512, avx2, portable) when this
    /// processor runs it: for benchmarks and for checking a slower path on a fast machine.
    static let best: ScreeningKernel = {
        if let v = getenv("COPIA_TABLE_SCREEN"), let named = ScreeningKernel(rawValue: String(cString: v)),
           supported.contains(named) {
            return named
        }
        return supported[0]
    }()

    /// The C kernel's number, for the fused kernels.
    var fusedCode: Int32? {
        switch self {
        case .avx512: Int32(CCOPIA_NN_AVX512)
        case .avx2: Int32(CCOPIA_NN_AVX2)
        case .portable: nil
        }
    }
}

extension NearestNeighbours {
    /// The `k` nearest among two disjoint candidate sets together, from each set's own nearest (`first` and
    /// `second`, searched for the same `queries`, each holding at least min(k, its set's size) per query): the
    /// union's k nearest are among those lists, so they are ranked again by exact squared distance, ties by the
    /// lower row index, exactly as one search over the union ranks them. Samplers that need a class's own
    /// neighbours anyway search the other classes only.
    static func merging(_ first: NeighbourGraph, _ second: NeighbourGraph?, x: FeatureMatrix, queries: [Int], k: Int) -> NeighbourGraph {
        var indices = [Int](repeating: 0, count: queries.count * k)
        var distances = [Double](repeating: 0, count: queries.count * k)
        indices.withUnsafeMutableBufferPointer { ip in
            distances.withUnsafeMutableBufferPointer { dp in
                let out = SendableBox((ip, dp))
                // Each query's list is its own: blocks of queries in parallel give the same arrays.
                parallelBlocks(queries.count, block: 256) { range in
                    let (ip, dp) = out.value
                    var pool: [(Double, Int)] = []
                    for qi in range {
                        pool.removeAll(keepingCapacity: true)
                        for g in [first, second] {
                            guard let g else { continue }
                            for i in g.neighbours(of: qi).prefix(k) { pool.append((exactSquaredDistance(x, queries[qi], i), i)) }
                        }
                        pool.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                        for (j, (d, i)) in pool.prefix(k).enumerated() {
                            ip[qi * k + j] = i
                            dp[qi * k + j] = d.squareRoot()
                        }
                    }
                }
            }
        }
        return NeighbourGraph(k: k, indices: indices, distances: distances)
    }

    /// `sum((x[a] - x[b])^2)` in Double, in feature order: the search's exact distance, bit for bit.
    @inline(__always)
    static func exactSquaredDistance(_ x: FeatureMatrix, _ a: Int, _ b: Int) -> Double {
        x.values.withUnsafeBufferPointer { p in
            var s = 0.0
            let pa = p.baseAddress! + a * x.columns, pb = p.baseAddress! + b * x.columns
            for d in 0..<x.columns {
                let t = pa[d] - pb[d]
                s += t * t
            }
            return s
        }
    }
}

/// Candidates packed for the screening kernel, centred on their mean (so float norms stay small and the screening
/// bound tight): for the portable kernel in blocks of 8 rows, for the fused ones in blocks of `CCOPIA_NN_BLOCK`,
/// feature-major inside a block and padded to whole panels.
final class BlockedSearch: @unchecked Sendable {
    let dims: Int
    let kernel: ScreeningKernel
    /// Rows per block of `packed`: 8 (portable) or CCOPIA_NN_BLOCK (fused).
    let blockRows: Int
    /// Blocks of `packed`, a whole number of panels for the fused kernels.
    let blocks: Int
    let candidates: [Int]
    /// [block][feature][lane].
    let packed: UnsafeMutablePointer<Float>
    /// Squared norms of the centred, float-rounded candidates; +inf for padding lanes.
    let norms: UnsafeMutablePointer<Float>
    /// The largest candidate norm; not finite when a norm overflowed, which sends every query to the exact scan.
    let maxNorm: Float
    let centre: [Double]
    let data: [Double]
    let stride: Int

    init(_ x: FeatureMatrix, candidates: [Int], kernel: ScreeningKernel) {
        let dims = x.columns
        self.dims = dims
        self.kernel = kernel
        stride = dims
        data = x.values
        self.candidates = candidates
        switch kernel {
        case .portable: blockRows = 8
        case .avx512, .avx2: blockRows = Int(CCOPIA_NN_BLOCK)
        }
        let panelRows = kernel.fusedCode == nil ? blockRows : Int(CCOPIA_NN_PANEL)
        let paddedRows = (candidates.count + panelRows - 1) / panelRows * panelRows
        blocks = paddedRows / blockRows
        var c = [Double](repeating: 0, count: dims)
        let packedCount = max(1, paddedRows * dims)
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: packedCount)
        if paddedRows > candidates.count { packed.initialize(repeating: 0, count: packedCount) }
        let norms = UnsafeMutablePointer<Float>.allocate(capacity: max(1, paddedRows))
        norms.initialize(repeating: .infinity, count: max(1, paddedRows))
        x.values.withUnsafeBufferPointer { v in
            c.withUnsafeMutableBufferPointer { c in
                for i in candidates { for d in 0..<dims { c[d] += v[i * dims + d] } }
                for d in 0..<dims { c[d] /= Double(max(1, candidates.count)) }
            }
        }
        // Converting and packing rows is independent per row: large sets do it in two halves at once.
        let halves = candidates.count >= 8192 ? 2 : 1
        let halfMax = UnsafeMutablePointer<Float>.allocate(capacity: halves)
        defer { halfMax.deallocate() }
        let blockRows = self.blockRows
        let box = SendableBox((x.values, c, candidates, packed, norms, halfMax))
        let pack = { @Sendable (half: Int) in
            let (values, c, candidates, packed, norms, halfMax) = box.value
            var m: Float = 0
            values.withUnsafeBufferPointer { v in
                c.withUnsafeBufferPointer { c in
                    for slot in (half * candidates.count / halves)..<((half + 1) * candidates.count / halves) {
                        let i = candidates[slot]
                        let b = slot / blockRows, lane = slot % blockRows
                        let row = packed + b * dims * blockRows + lane
                        var n: Float = 0
                        for d in 0..<dims {
                            let f = Float(v[i * dims + d] - c[d])
                            row[d * blockRows] = f
                            n += f * f
                        }
                        norms[slot] = n
                        m = max(m, n)
                    }
                }
            }
            halfMax[half] = m
        }
        if halves > 1 { DispatchQueue.concurrentPerform(iterations: halves, execute: pack) } else { pack(0) }
        var m: Float = 0
        for h in 0..<halves { m = max(m, halfMax[h]) }
        self.packed = packed
        self.norms = norms
        centre = c
        maxNorm = m
    }

    deinit {
        packed.deallocate()
        norms.deallocate()
    }

    /// The screening pass on the fused C kernel (`ccopia_nn_screen`): products never leave the registers.
    func screenFused(queries a: [Float], qn: [Float], lists: ScreenLists) {
        guard let code = kernel.fusedCode else { return }
        var view = lists.cView
        a.withUnsafeBufferPointer { ap in
            qn.withUnsafeBufferPointer { qp in
                ccopia_nn_screen(code, ap.baseAddress, qp.baseAddress, qn.count, dims, packed, norms,
                                 blocks * Int(CCOPIA_NN_BLOCK) / Int(CCOPIA_NN_PANEL), &view)
            }
        }
    }

    /// The portable screening pass: eight candidates at a time against four queries in Swift SIMD (register-blocked,
    /// so each loaded value serves many products).
    func screenPortable(queries a: [Float], qn: [Float], lists: ScreenLists) {
        let dims = self.dims, count = qn.count
        let tile = 4
        // Query coordinates as broadcast vectors: [query][feature].
        let qv = a.map { SIMD8<Float>(repeating: $0) }
        var limits = [Float](repeating: .infinity, count: count)
        for qi in 0..<count where lists.overflowed[qi] { limits[qi] = -.infinity }
        // Candidates in chunks that stay in L2 while every query tile of the group passes over them.
        let chunkBlocks = 256
        qv.withUnsafeBufferPointer { qp in
            limits.withUnsafeMutableBufferPointer { limits in
                var chunk = 0
                while chunk < blocks {
                    let chunkEnd = min(blocks, chunk + chunkBlocks)
                    var t = 0
                    while t < count {
                        let rows = min(tile, count - t)
                        let q0 = qp.baseAddress! + t * dims
                        let q1 = rows > 1 ? q0 + dims : q0
                        let q2 = rows > 2 ? q0 + 2 * dims : q0
                        let q3 = rows > 3 ? q0 + 3 * dims : q0
                        for b in chunk..<chunkEnd {
                            let xb = UnsafeRawPointer(packed + b * dims * 8).assumingMemoryBound(to: SIMD8<Float>.self)
                            var a0 = SIMD8<Float>.zero, a1 = SIMD8<Float>.zero, a2 = SIMD8<Float>.zero, a3 = SIMD8<Float>.zero
                            for d in 0..<dims {
                                let xv = xb[d]
                                a0 += xv * q0[d]
                                a1 += xv * q1[d]
                                a2 += xv * q2[d]
                                a3 += xv * q3[d]
                            }
                            let xn = UnsafeRawPointer(norms + b * 8).loadUnaligned(as: SIMD8<Float>.self)
                            let accs = (a0, a1, a2, a3)
                            for j in 0..<rows {
                                let a = j == 0 ? accs.0 : (j == 1 ? accs.1 : (j == 2 ? accs.2 : accs.3))
                                let f = xn + SIMD8(repeating: qn[t + j]) - 2 * a
                                if anyBelow(f, limits[t + j]) {
                                    for lane in 0..<8 where f[lane] < lists.threshold(t + j) {
                                        lists.insert(t + j, f[lane], b * 8 + lane)
                                    }
                                    limits[t + j] = lists.threshold(t + j)
                                }
                            }
                        }
                        t += tile
                    }
                    chunk = chunkEnd
                }
            }
        }
    }

    /// Exact squared distance in Double between data rows.
    @inline(__always)
    func exactDistance(_ a: Int, _ b: Int) -> Double {
        data.withUnsafeBufferPointer { p in
            var s = 0.0
            let pa = p.baseAddress! + a * stride, pb = p.baseAddress! + b * stride
            for d in 0..<dims {
                let t = pa[d] - pb[d]
                s += t * t
            }
            return s
        }
    }

    /// Searches a group of queries (row indices), writing `k` results per query.
    func search(queries: [Int], k: Int, indices: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>) {
        let dims = self.dims
        // Query coordinates, centred, row-major, and their squared norms summed as the candidates' are.
        var a = [Float](repeating: 0, count: queries.count * dims)
        var qn = [Float](repeating: 0, count: queries.count)
        var bound = [Float](repeating: 0, count: queries.count)
        for (qi, q) in queries.enumerated() {
            var n: Float = 0
            for d in 0..<dims {
                let v = Float(data[q * stride + d] - centre[d])
                a[qi * dims + d] = v
                n += v * v
            }
            qn[qi] = n
            // Screening error bound: (dims + 4) * 2^-24 * (|q|^2 + |x|^2) per operand rounding, with a 4x margin.
            bound[qi] = Float(dims + 4) * 0x1p-22 * (n + maxNorm) + Float.leastNormalMagnitude
        }
        let lists = ScreenLists(queries: queries.count, k: k, capacity: k + 24, margins: bound.map { 2 * $0 })
        // A norm that overflowed Float leaves nothing to screen with: those queries are scanned exactly.
        let screened = maxNorm.isFinite
        for qi in 0..<queries.count where !qn[qi].isFinite || !screened { lists.overflowed[qi] = true }
        if screened {
            switch kernel {
            case .avx512, .avx2: screenFused(queries: a, qn: qn, lists: lists)
            case .portable: screenPortable(queries: a, qn: qn, lists: lists)
            }
        }
        // Exact ranking of the survivors (or an exact scan after an overflow).
        var exact: [(Double, Int)] = []
        exact.reserveCapacity(lists.capacity)
        for (qi, q) in queries.enumerated() {
            if lists.overflowed[qi] {
                exact = candidates.map { (exactDistance(q, $0), $0) }
                exact.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            } else {
                // The survivors come in screened order, nearly the exact one: insertion sort, one buffer for all.
                exact.removeAll(keepingCapacity: true)
                for slot in lists.slots(of: qi) {
                    let e = (exactDistance(q, candidates[slot]), candidates[slot])
                    exact.append(e)
                    var i = exact.count - 1
                    while i > 0 && (exact[i - 1].0 > e.0 || (exact[i - 1].0 == e.0 && exact[i - 1].1 > e.1)) {
                        exact[i] = exact[i - 1]
                        i -= 1
                    }
                    exact[i] = e
                }
            }
            for j in 0..<k {
                indices[qi * k + j] = exact[j].1
                distances[qi * k + j] = exact[j].0.squareRoot()
            }
        }
    }
}

/// The screened candidates of a group of queries: per query, ascending screened distance, holding everything within
/// (k-th smallest + margin), at most `capacity`. One flat allocation for the group, shifted by hand: the hot loops
/// touch no array (no uniqueness or bounds checks per candidate).
final class ScreenLists {
    let k: Int
    let capacity: Int
    let width: Int
    /// [query][position]: screened values, then candidate slots.
    let values: UnsafeMutablePointer<Float>
    let slots: UnsafeMutablePointer<Int>
    let counts: UnsafeMutablePointer<Int>
    let overflowed: UnsafeMutablePointer<Bool>
    let margins: UnsafeMutablePointer<Float>

    init(queries: Int, k: Int, capacity: Int, margins: [Float]) {
        self.k = k
        self.capacity = capacity
        width = capacity + 1
        values = .allocate(capacity: max(1, queries * width))
        slots = .allocate(capacity: max(1, queries * width))
        counts = .allocate(capacity: max(1, queries))
        counts.initialize(repeating: 0, count: max(1, queries))
        overflowed = .allocate(capacity: max(1, queries))
        overflowed.initialize(repeating: false, count: max(1, queries))
        self.margins = .allocate(capacity: max(1, queries))
        for (q, m) in margins.enumerated() { self.margins[q] = m }
    }

    deinit {
        values.deallocate()
        slots.deallocate()
        counts.deallocate()
        overflowed.deallocate()
        margins.deallocate()
    }

    /// The same memory as the C kernel's lists (`ccopia_nn_lists`), which insert exactly as `insert(_:_:_:)` does.
    var cView: ccopia_nn_lists {
        ccopia_nn_lists(k: k, capacity: capacity, width: width, values: values, slots: slots, counts: counts,
                        overflowed: overflowed, margins: margins)
    }

    /// Query `q`'s slots, nearest screened first.
    func slots(of q: Int) -> UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: slots + q * width, count: counts[q]) }

    @inline(__always)
    func threshold(_ q: Int) -> Float {
        counts[q] < k ? .infinity : values[q * width + k - 1] + margins[q]
    }

    /// Inserts candidate `slot` with screened value `v` (ties after the values already there), then drops what is
    /// beyond (k-th + margin); past `capacity`, marks the query for an exact scan.
    @inline(__always)
    func insert(_ q: Int, _ v: Float, _ slot: Int) {
        guard v < threshold(q) else { return }
        let vp = values + q * width, sp = slots + q * width
        var count = counts[q]
        var i = count
        while i > 0 && vp[i - 1] > v {
            vp[i] = vp[i - 1]
            sp[i] = sp[i - 1]
            i -= 1
        }
        vp[i] = v
        sp[i] = slot
        count += 1
        if count >= k {
            let limit = vp[k - 1] + margins[q]
            while count > k && vp[count - 1] > limit { count -= 1 }
        }
        if count > capacity {
            overflowed[q] = true
            count = capacity
        }
        counts[q] = count
    }
}

/// Whether any lane of `f` is below `limit`, by the sign bits of `f - limit` (SIMD comparisons compile to per-lane
/// scalar code without target flags; subtraction and bitwise OR do not). A NaN lane (inf - inf) may count as a hit;
/// the caller re-checks hits lane by lane.
@inline(__always)
func anyBelow(_ f: SIMD8<Float>, _ limit: Float) -> Bool {
    let bits = unsafeBitCast(f - SIMD8(repeating: limit), to: SIMD8<UInt32>.self)
    let o = bits.lowHalf | bits.highHalf
    let o2 = o.lowHalf | o.highHalf
    return (o2.x | o2.y) & 0x8000_0000 != 0
}
