// MARK: - Matrix multiply (BLAS)

extension Tensor {
    /// The matrix product `op(self) x op(other)` of two rank-2 tensors, through `cblas_sgemm`.
    ///
    /// - Parameters:
    ///   - transposeSelf: use `self` transposed.
    ///   - transposeOther: use `other` transposed.
    /// - Complexity: O(m n k), one BLAS call; no copies of the operands.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 tensors, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul: inner dimensions differ: \(shape)\(transposeSelf ? "ᵀ" : "") x \(other.shape)\(transposeOther ? "ᵀ" : "")")
        return Tensor(shape: [m, n]) { c in
            if m * n == 0 { return }
            if k == 0 { c.initialize(repeating: 0); return }
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    BLAS.sgemm(transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                               a: a.baseAddress!, b: b.baseAddress!, beta: 0, c: c.baseAddress!)
                }
            }
        }
    }

    /// `self += alpha * op(a) x op(b)` in place (gradient accumulation without a temporary).
    public mutating func addMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                                   alpha: Float = 1, beta: Float = 1) {
        precondition(a.rank == 2 && b.rank == 2, "addMatmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let k2 = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == k2 && count == m * n,
                     "addMatmul: \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "") into \(shape)")
        if m * n == 0 || k == 0 { return }
        scalars.withUnsafeMutableBufferPointer { c in
            a.scalars.withUnsafeBufferPointer { ap in
                b.scalars.withUnsafeBufferPointer { bp in
                    BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                               a: ap.baseAddress!, b: bp.baseAddress!, beta: beta, c: c.baseAddress!)
                }
            }
        }
    }
}

// MARK: - Elementwise

extension Tensor {
    /// A tensor of the same shape with `transform` applied to every scalar.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = transform(src[i]) }
            }
        }
    }

    /// Combines two tensors of equal shape scalar by scalar.
    @inlinable
    public func zipMap(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "elementwise operation on shapes \(shape) and \(other.shape)")
        return Tensor(shape: shape) { out in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { out[i] = combine(a[i], b[i]) }
                }
            }
        }
    }

    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, +) }
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, -) }
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, *) }
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { $0 * lhs } }

    /// `self += other * scale`, same shapes.
    @inlinable
    public mutating func add(_ other: Tensor, scaledBy scale: Float = 1) {
        precondition(shape == other.shape, "add: shapes \(shape) and \(other.shape)")
        scalars.withUnsafeMutableBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += scale * b[i] }
            }
        }
    }

    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.add(rhs) }

    /// Sets every scalar to zero, keeping the buffer.
    @inlinable
    public mutating func zero() {
        scalars.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// The sum of all scalars, accumulated in `Double`.
    public func sum() -> Double {
        scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for v in p { s += Double(v) }
            return s
        }
    }

    /// The mean of all scalars (NaN for an empty tensor).
    public func mean() -> Double { sum() / Double(count) }

    /// The sum of squares, accumulated in `Double`.
    public func squaredNorm() -> Double {
        scalars.withUnsafeBufferPointer { p in
            var s = 0.0
            for v in p { s += Double(v) * Double(v) }
            return s
        }
    }

    /// Sums a `[rows, columns]` tensor over its rows, giving `[columns]` (bias gradients).
    public func sumRows() -> Tensor {
        precondition(rank == 2, "sumRows needs rank 2, got \(shape)")
        let r = shape[0], c = shape[1]
        var out = [Float](repeating: 0, count: c)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<r {
                    let row = src.baseAddress! + i * c
                    for j in 0..<c { o[j] += row[j] }
                }
            }
        }
        return Tensor(shape: [c], scalars: out)
    }

    /// The largest absolute difference to `other` (same shape).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "maxAbsDifference: shapes \(shape) and \(other.shape)")
        var m: Float = 0
        for i in 0..<count { m = Swift.max(m, abs(scalars[i] - other.scalars[i])) }
        return m
    }
}
