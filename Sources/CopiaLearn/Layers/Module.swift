/// A trainable tensor and the gradient accumulated for it.
///
/// Layers own their parameters; optimisers, checkpoints and TensorBoard histograms reach them through
/// `Module.namedParameters()`. Backward passes *add* into `gradient`, so call `zeroGradients()` (or the optimiser's)
/// before each step; accumulating over several backward passes (a GAN discriminator on real then fake) is intended.
public final class Parameter {
    /// The parameter's local name within its layer (`weight`, `bias`).
    public let name: String
    /// The current value.
    public var value: Tensor
    /// dLoss/dValue accumulated by backward passes; same shape as `value`.
    public var gradient: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(shape: value.shape)
    }
}

/// Something that owns parameters, possibly through sub-modules (a layer, a `Sequential`, a whole VAE).
public protocol Module: AnyObject {
    /// This module's own parameters (not its children's).
    var parameters: [Parameter] { get }
    /// This module's own non-trained state that a checkpoint must keep (batch-norm running statistics).
    var buffers: [Parameter] { get }
    /// Named sub-modules; names make parameter paths such as `encoder.0.weight`.
    var children: [(name: String, module: any Module)] { get }
    /// Training mode (batch statistics, dropout) versus evaluation mode.
    var isTraining: Bool { get set }
}

extension Module {
    public var parameters: [Parameter] { [] }
    public var buffers: [Parameter] { [] }
    public var children: [(name: String, module: any Module)] { [] }

    /// Every parameter of this module and its descendants, with dotted paths, in a stable order.
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        var result = parameters.map { (name: $0.name, parameter: $0) }
        for (childName, child) in children {
            result += child.namedParameters().map { (name: "\(childName).\($0.name)", parameter: $0.parameter) }
        }
        return result
    }

    /// Every buffer of this module and its descendants, with dotted paths.
    public func namedBuffers() -> [(name: String, buffer: Parameter)] {
        var result = buffers.map { (name: $0.name, buffer: $0) }
        for (childName, child) in children {
            result += child.namedBuffers().map { (name: "\(childName).\($0.name)", buffer: $0.buffer) }
        }
        return result
    }

    /// All parameters, in the order of `namedParameters()`.
    public var allParameters: [Parameter] { namedParameters().map(\.parameter) }

    /// Sets the gradients of every parameter to zero.
    public func zeroGradients() {
        for p in allParameters { p.gradient.zero() }
    }

    /// Switches this module and its descendants between training and evaluation mode.
    public func setTraining(_ training: Bool) {
        isTraining = training
        for (_, child) in children { child.setTraining(training) }
    }

    /// The number of trainable scalars.
    public var parameterCount: Int { allParameters.reduce(0) { $0 + $1.value.count } }
}

/// A module with one tensor in and one out, and an explicit backward pass.
///
/// Like a Swift for TensorFlow layer, a layer is "something you call". `forward` caches what `backward` needs, so a
/// layer's `backward` must follow its own most recent `forward` (calling the layer again overwrites the cache).
public protocol Layer: Module {
    /// Computes the output and caches what the backward pass needs.
    func forward(_ input: Tensor) -> Tensor
    /// Given dLoss/dOutput of the latest `forward`, adds dLoss/dParameters into the parameters' gradients and returns
    /// dLoss/dInput.
    func backward(_ outputGradient: Tensor) -> Tensor
    /// As `backward(_:)`, but when `needsInputGradient` is false the layer may skip computing dLoss/dInput and return
    /// nil (a GAN discriminator's first layer on data or on a detached fake batch). Parameter gradients are always added.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?
}

extension Layer {
    public func callAsFunction(_ input: Tensor) -> Tensor { forward(input) }
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? { backward(outputGradient) }
}

/// A layer whose backward pass can leave its parameters' gradients untouched and compute dLoss/dInput only: the
/// discriminator during a GAN's generator update, whose gradients nothing applies (autograd computes and discards them).
protocol ParameterGradientSwitch: AnyObject {
    /// When false, `backward` adds nothing to the parameters' gradients (and skips the work of computing them).
    var accumulatesParameterGradients: Bool { get set }
}

/// Runs `body` with the parameter gradients of every switchable layer in `module` turned off, then turns them back on.
/// Layers that cannot switch keep accumulating (correct, only slower).
func withoutParameterGradients<R>(_ module: any Module, _ body: () -> R) -> R {
    var switched: [any ParameterGradientSwitch] = []
    func visit(_ m: any Module) {
        if let s = m as? any ParameterGradientSwitch, s.accumulatesParameterGradients {
            s.accumulatesParameterGradients = false
            switched.append(s)
        }
        for (_, child) in m.children { visit(child) }
    }
    visit(module)
    defer { for s in switched { s.accumulatesParameterGradients = true } }
    return body()
}
