/// Errors from building tensors out of data a person supplied (files, checkpoints, batches).
///
/// Shape mismatches between layers wired together in code are programmer errors and stop with a precondition that
/// names both shapes; a shape that comes from outside the program is thrown as one of these.
public enum LearnError: Error, Equatable, CustomStringConvertible {
    /// `count` scalars cannot fill `shape`.
    case shapeMismatch(context: String, expected: [Int], got: [Int])
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A file's contents are not what the reader expects.
    case corrupt(path: String, reason: String)
    /// A numeric argument outside its domain.
    case invalidArgument(name: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(context, expected, got):
            return "\(context): expected shape \(expected), got \(got)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        case let .corrupt(path, reason):
            return "\(path): corrupt: \(reason)"
        case let .invalidArgument(name, value, reason):
            return "\(name): \(reason), got \(value)"
        }
    }
}
