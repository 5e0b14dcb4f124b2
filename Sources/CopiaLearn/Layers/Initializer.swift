import CopiaCore

/// How a weight tensor is initialised, drawn from Copia's counter-based generator so that a seed fixes the weights.
///
/// - `glorotUniform`: U(-a, a), a = sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio, 2010).
/// - `heNormal`: N(0, 2 / fanIn) (He et al., 2015), for ReLU networks.
/// - `heUniform`: U(-a, a), a = sqrt(6 / fanIn) (He et al., 2015).
/// - `uniform(bound)`, `normal(std)`, `zeros`, `constant`.
public enum Initializer: Sendable, Equatable {
    case glorotUniform
    case heNormal
    case heUniform
    case uniform(Float)
    case normal(Float)
    case zeros
    case constant(Float)

    /// A tensor of `shape` drawn from this distribution.
    public func make(shape: [Int], fanIn: Int, fanOut: Int, using rng: inout CounterRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var values = [Float](repeating: 0, count: n)
        switch self {
        case .glorotUniform:
            let a = (6.0 / Double(max(1, fanIn + fanOut))).squareRoot()
            for i in 0..<n { values[i] = Float(rng.uniform(-a...a)) }
        case .heNormal:
            let std = (2.0 / Double(max(1, fanIn))).squareRoot()
            for i in 0..<n { values[i] = Float(rng.normal() * std) }
        case .heUniform:
            let a = (6.0 / Double(max(1, fanIn))).squareRoot()
            for i in 0..<n { values[i] = Float(rng.uniform(-a...a)) }
        case .uniform(let bound):
            let a = Double(bound)
            for i in 0..<n { values[i] = Float(rng.uniform(-a...a)) }
        case .normal(let std):
            for i in 0..<n { values[i] = Float(rng.normal() * Double(std)) }
        case .zeros:
            break
        case .constant(let c):
            values = [Float](repeating: c, count: n)
        }
        return Tensor(shape: shape, scalars: values)
    }
}
