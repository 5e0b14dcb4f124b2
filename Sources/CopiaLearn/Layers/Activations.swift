import CCopiaBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rectified linear unit, `max(0, x)`; the gradient at exactly 0 is taken as 0.
public final class ReLU: Layer {
    public var isTraining = true
    private var output = Tensor(shape: [0])
    public init() {}
    public func forward(_ input: Tensor) -> Tensor {
        output = elementwise(input) { ccopia_relu($0, $1, $2) }
        return output
    }
    public func backward(_ outputGradient: Tensor) -> Tensor {
        elementwise(output, outputGradient) { ccopia_relu_backward($0, $1, $2, $3) }
    }
}

/// Leaky ReLU, `x` for `x > 0` and `slope * x` otherwise (Maas, Hannun & Ng, 2013).
public final class LeakyReLU: Layer {
    public var isTraining = true
    public let slope: Float
    private var input = Tensor(shape: [0])
    public init(slope: Float = 0.01) { self.slope = slope }
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        let s = slope
        return elementwise(input) { ccopia_leaky_relu($0, $1, $2, s) }
    }
    public func backward(_ outputGradient: Tensor) -> Tensor {
        let s = slope
        return elementwise(input, outputGradient) { ccopia_leaky_relu_backward($0, $1, $2, $3, s) }
    }
}

/// Gaussian error linear unit, `x Φ(x)` with the exact normal CDF (Hendrycks & Gimpel, 2016), as PyTorch's default.
public final class GELU: Layer {
    public var isTraining = true
    private var input = Tensor(shape: [0])
    public init() {}
    public func forward(_ input: Tensor) -> Tensor {
        self.input = input
        return input.map { x in 0.5 * x * (1 + erff(x * 0.70710678118654752)) }
    }
    public func backward(_ outputGradient: Tensor) -> Tensor {
        input.zipMap(outputGradient) { x, g in
            let cdf = 0.5 * (1 + erff(x * 0.70710678118654752))
            let pdf = 0.39894228040143268 * expf(-0.5 * x * x)
            return g * (cdf + x * pdf)
        }
    }
}

/// The logistic function `1 / (1 + e^-x)`, computed without overflow for large |x|.
public final class Sigmoid: Layer {
    public var isTraining = true
    private var output = Tensor(shape: [0])
    public init() {}
    public func forward(_ input: Tensor) -> Tensor {
        output = input.map(sigmoid)
        return output
    }
    public func backward(_ outputGradient: Tensor) -> Tensor {
        output.zipMap(outputGradient) { y, g in g * y * (1 - y) }
    }
}

/// Hyperbolic tangent.
public final class Tanh: Layer {
    public var isTraining = true
    private var output = Tensor(shape: [0])
    public init() {}
    public func forward(_ input: Tensor) -> Tensor {
        output = input.map { tanhf($0) }
        return output
    }
    public func backward(_ outputGradient: Tensor) -> Tensor {
        output.zipMap(outputGradient) { y, g in g * (1 - y * y) }
    }
}

/// The logistic function, stable for large |x|.
@inlinable
public func sigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}
