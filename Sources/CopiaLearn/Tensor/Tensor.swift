/// A contiguous, row-major tensor of `Float` with a shape.
///
/// A value type over one `[Float]` buffer (copy-on-write), so tensors are cheap to pass and safe to keep. Layouts follow
/// PyTorch: a batch of vectors is `[batch, features]`, a batch of images is `[batch, channels, height, width]` (NCHW).
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let y = x.matmul(Tensor(shape: [3, 1], repeating: 1))   // [[6], [15]]
/// ```
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The extent of each dimension; the product is `scalars.count`.
    public private(set) var shape: [Int]
    /// The values, row-major (last dimension fastest).
    public var scalars: [Float]

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape must be non-negative, got \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of `shape` over `scalars`; their count must equal the product of the shape (programmer error otherwise).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` over `scalars` supplied from outside the program.
    /// - Throws: `LearnError.shapeMismatch` when the count does not fill the shape.
    public init(validatingShape shape: [Int], scalars: [Float], context: String = "tensor") throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == scalars.count else {
            throw LearnError.shapeMismatch(context: context, expected: shape, got: [scalars.count])
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` whose scalars are written by `body` (which must initialise all of them).
    public init(shape: [Int], uninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        self.shape = shape
        self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            body(buffer)
            initialized = count
        }
    }

    /// The number of scalars.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }

    /// The same scalars viewed with another shape of equal count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var t = self
        t.reshape(newShape)
        return t
    }

    /// Changes the shape in place; `-1` in one position is inferred.
    public mutating func reshape(_ newShape: [Int]) {
        var resolved = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[i] = count / known
        }
        precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) (\(count) scalars) to \(newShape)")
        shape = resolved
    }

    /// The scalar at a multi-dimensional index (slow; for tests and small code).
    public subscript(_ index: Int...) -> Float {
        get { scalars[offset(index)] }
        set { scalars[offset(index)] = newValue }
    }

    private func offset(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) has rank \(index.count), tensor has shape \(shape)")
        var o = 0
        for (i, d) in zip(index, shape) {
            precondition(i >= 0 && i < d, "index \(index) out of range for shape \(shape)")
            o = o * d + i
        }
        return o
    }

    public var description: String { "Tensor(shape: \(shape), scalars: \(scalars.prefix(8))\(count > 8 ? "..." : ""))" }

    /// Rows `range` of the first dimension.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows \(range) out of range for shape \(shape)")
        let inner = shape.dropFirst().reduce(1, *)
        var s = shape
        s[0] = range.count
        return Tensor(shape: s, scalars: Array(scalars[(range.lowerBound * inner)..<(range.upperBound * inner)]))
    }

    /// The rows at `indices` of the first dimension, in that order (a batch gather).
    public func gatherRows(_ indices: some Collection<Int>) -> Tensor {
        let inner = shape.dropFirst().reduce(1, *)
        var s = shape
        s[0] = indices.count
        let n0 = shape[0]
        return Tensor(shape: s) { out in
            scalars.withUnsafeBufferPointer { src in
                var o = 0
                for i in indices {
                    precondition(i >= 0 && i < n0, "row \(i) out of range for shape \(shape)")
                    UnsafeMutableRawPointer(out.baseAddress! + o).copyMemory(
                        from: src.baseAddress! + i * inner, byteCount: inner * MemoryLayout<Float>.stride)
                    o += inner
                }
            }
        }
    }

    /// Concatenates tensors along dimension 1 (features or channels); other dimensions must agree.
    public static func concatenate(_ parts: [Tensor], alongAxis axis: Int = 1) -> Tensor {
        precondition(!parts.isEmpty, "concatenate needs at least one tensor")
        let first = parts[0].shape
        precondition(axis >= 0 && axis < first.count, "axis \(axis) out of range for shape \(first)")
        for p in parts {
            precondition(p.rank == first.count && zip(p.shape, first).enumerated().allSatisfy { $0.offset == axis || $0.element.0 == $0.element.1 },
                         "concatenate along \(axis): shapes \(parts.map(\.shape)) disagree")
        }
        let outer = first[..<axis].reduce(1, *)
        let inners = parts.map { $0.shape[axis...].reduce(1, *) }
        let total = inners.reduce(0, +)
        var s = first
        s[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        return Tensor(shape: s) { out in
            var offset = 0
            for (p, inner) in zip(parts, inners) {
                p.scalars.withUnsafeBufferPointer { src in
                    for o in 0..<outer {
                        for j in 0..<inner { out[o * total + offset + j] = src[o * inner + j] }
                    }
                }
                offset += inner
            }
        }
    }

    /// Splits along dimension `axis` into pieces of the given sizes (the inverse of `concatenate`).
    public func split(sizes: [Int], alongAxis axis: Int = 1) -> [Tensor] {
        precondition(sizes.reduce(0, +) == shape[axis], "split sizes \(sizes) do not sum to \(shape[axis]) in shape \(shape)")
        let outer = shape[..<axis].reduce(1, *)
        let unit = shape[(axis + 1)...].reduce(1, *)
        let total = shape[axis] * unit
        var result: [Tensor] = []
        var offset = 0
        scalars.withUnsafeBufferPointer { src in
            for size in sizes {
                var s = shape
                s[axis] = size
                let inner = size * unit
                result.append(Tensor(shape: s) { out in
                    for o in 0..<outer {
                        for j in 0..<inner { out[o * inner + j] = src[o * total + offset + j] }
                    }
                })
                offset += inner
            }
        }
        return result
    }
}
