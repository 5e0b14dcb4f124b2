import CopiaCore

/// Runs layers in order; backward runs them in reverse. Parameters are named `<index>.<name>`.
public final class Sequential: Layer {
    public let layers: [any Layer]
    public var isTraining = true

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public var children: [(name: String, module: any Module)] {
        layers.enumerated().map { (name: String($0.offset), module: $0.element as any Module) }
    }

    public func forward(_ input: Tensor) -> Tensor {
        var x = input
        for layer in layers { x = layer.forward(x) }
        return x
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        var g = outputGradient
        for layer in layers.reversed() { g = layer.backward(g) }
        return g
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard !needsInputGradient, let first = layers.first else { return backward(outputGradient) }
        var g = outputGradient
        for layer in layers.dropFirst().reversed() { g = layer.backward(g) }
        return first.backward(g, needsInputGradient: false)
    }
}

/// Flattens `[batch, ...]` to `[batch, product]`.
public final class Flatten: Layer {
    public var isTraining = true
    private var inputShape: [Int] = []
    public init() {}
    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank >= 1, "Flatten needs a batch dimension, got \(input.shape)")
        inputShape = input.shape
        return input.reshaped([input.shape[0], input.count / max(1, input.shape[0])])
    }
    public func backward(_ outputGradient: Tensor) -> Tensor { outputGradient.reshaped(inputShape) }
}

/// Reshapes each sample: `[batch, ...]` to `[batch] + shape` (for example `[batch, 6272]` to `[batch, 128, 7, 7]`).
public final class Reshape: Layer {
    public var isTraining = true
    public let shape: [Int]
    private var inputShape: [Int] = []
    public init(_ shape: [Int]) { self.shape = shape }
    public func forward(_ input: Tensor) -> Tensor {
        let per = shape.reduce(1, *)
        precondition(input.rank >= 1 && input.count == input.shape[0] * per,
                     "Reshape to \(shape) needs \(per) values per sample, got \(input.shape)")
        inputShape = input.shape
        return input.reshaped([input.shape[0]] + shape)
    }
    public func backward(_ outputGradient: Tensor) -> Tensor { outputGradient.reshaped(inputShape) }
}

/// Inverted dropout (Srivastava et al., 2014): in training, zeroes each value with probability `p` and scales survivors
/// by `1 / (1 - p)`; in evaluation, the identity.
///
/// Masks come from `CounterRandom` keyed by `(seed, "dropout", name)` with the call count as the stream, so a run is
/// reproducible and a checkpoint (which stores `calls`) resumes with the same masks.
public final class Dropout: Layer {
    public var isTraining = true
    public let probability: Float
    public let key: UInt64
    /// Forward passes made in training mode; selects the mask stream.
    public var calls: UInt64 = 0
    private var mask: [Float] = []

    public init(probability: Float = 0.5, seed: UInt64, name: String = "dropout") {
        precondition(probability >= 0 && probability < 1, "Dropout probability must be in [0, 1), got \(probability)")
        self.probability = probability
        key = CounterRandom.derivedKey(seed: seed, stage: "dropout", sample: name)
    }

    public func forward(_ input: Tensor) -> Tensor {
        guard isTraining, probability > 0 else {
            mask = []
            return input
        }
        var rng = CounterRandom(key: key, stream: calls)
        calls += 1
        let keep = 1 - Double(probability), scale = 1 / Float(keep)
        mask = [Float](unsafeUninitializedCapacity: input.count) { buf, n in
            for i in 0..<input.count { buf[i] = rng.unit() < keep ? scale : 0 }
            n = input.count
        }
        return input.zipMap(Tensor(shape: input.shape, scalars: mask), *)
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        if mask.isEmpty { return outputGradient }
        return outputGradient.zipMap(Tensor(shape: outputGradient.shape, scalars: mask), *)
    }
}

/// A lookup table from integer ids (class labels, for conditioning) to learned vectors.
///
/// The input is `[batch]` of ids stored as `Float` (whole numbers in `0..<count`); the output is `[batch, dimension]`.
/// Ids are not differentiable, so `backward` returns zeros for them.
public final class Embedding: Layer {
    public let weight: Parameter
    public let count: Int, dimension: Int
    public var isTraining = true
    private var ids: [Int] = []
    private var inputShape: [Int] = []

    /// The table starts N(0, 1), as PyTorch's `nn.Embedding`.
    public init(_ count: Int, _ dimension: Int, initializer: Initializer = .normal(1), rng: inout CounterRandom) {
        precondition(count > 0 && dimension > 0, "Embedding(\(count), \(dimension)): sizes must be positive")
        self.count = count
        self.dimension = dimension
        weight = Parameter(name: "weight", value: initializer.make(shape: [count, dimension], fanIn: count,
                                                                    fanOut: dimension, using: &rng))
    }

    public var parameters: [Parameter] { [weight] }

    public func forward(_ input: Tensor) -> Tensor {
        inputShape = input.shape
        ids = input.scalars.map { v in
            let i = Int(v)
            precondition(Float(i) == v && i >= 0 && i < count, "Embedding(\(count)) got id \(v)")
            return i
        }
        return weight.value.gatherRows(ids).reshaped(input.shape + [dimension])
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.count == ids.count * dimension,
                     "Embedding.backward expects \(inputShape + [dimension]), got \(outputGradient.shape)")
        let d = dimension
        weight.gradient.scalars.withUnsafeMutableBufferPointer { g in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                for (r, i) in ids.enumerated() { for j in 0..<d { g[i * d + j] += dy[r * d + j] } }
            }
        }
        return Tensor(shape: inputShape)
    }
}
