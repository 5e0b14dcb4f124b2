import CopiaCore

/// A fully connected layer, `y = x Wᵀ + b`, with `W` of shape `[out, in]` (PyTorch's layout) and `x` of `[batch, in]`.
///
/// Forward and both backward products are single `cblas_sgemm` calls.
public final class Linear: Layer, ParameterGradientSwitch {
    public let weight: Parameter
    public let bias: Parameter?
    public let inputSize: Int
    public let outputSize: Int
    public var isTraining = true
    var accumulatesParameterGradients = true
    private var input = Tensor(shape: [0])

    /// - Parameters:
    ///   - initializer: for the weight (default Glorot uniform); the bias starts at zero.
    ///   - rng: the seeded generator weights are drawn from, advanced by this layer's draws.
    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true, initializer: Initializer = .glorotUniform,
                rng: inout CounterRandom) {
        precondition(inputSize > 0 && outputSize > 0, "Linear(\(inputSize), \(outputSize)): sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = Parameter(name: "weight", value: initializer.make(shape: [outputSize, inputSize], fanIn: inputSize,
                                                                    fanOut: outputSize, using: &rng))
        self.bias = bias ? Parameter(name: "bias", value: Tensor(shape: [outputSize])) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize,
                     "Linear(\(inputSize), \(outputSize)) expects [batch, \(inputSize)], got \(input.shape)")
        self.input = input
        var out = input.matmul(weight.value, transposeOther: true)
        if let bias {
            let n = input.shape[0], o = outputSize
            out.scalars.withUnsafeMutableBufferPointer { y in
                bias.value.scalars.withUnsafeBufferPointer { b in
                    for i in 0..<n {
                        let row = y.baseAddress! + i * o
                        for j in 0..<o { row[j] += b[j] }
                    }
                }
            }
        }
        return out
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        backward(outputGradient, needsInputGradient: true)!
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        precondition(outputGradient.shape == [input.shape[0], outputSize],
                     "Linear.backward expects [\(input.shape[0]), \(outputSize)], got \(outputGradient.shape)")
        guard accumulatesParameterGradients else {
            return needsInputGradient ? outputGradient.matmul(weight.value) : nil
        }
        weight.gradient.addMatmul(outputGradient, input, transposeA: true)
        if let bias {
            let n = input.shape[0], o = outputSize
            bias.gradient.scalars.withUnsafeMutableBufferPointer { g in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    for i in 0..<n {
                        let row = dy.baseAddress! + i * o
                        for j in 0..<o { g[j] += row[j] }
                    }
                }
            }
        }
        return needsInputGradient ? outputGradient.matmul(weight.value) : nil
    }
}
