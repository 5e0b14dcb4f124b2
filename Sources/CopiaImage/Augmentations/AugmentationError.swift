/// An op could not apply its parameters to an image: a replayed manifest line whose crop no longer fits, a size of
/// zero, and the like. Names the op and the offending values.
public struct AugmentationError: Error, Equatable, CustomStringConvertible {
    public let op: String
    public let message: String

    public init(op: String, _ message: String) {
        self.op = op
        self.message = message
    }

    public var description: String { "\(op): \(message)" }
}
