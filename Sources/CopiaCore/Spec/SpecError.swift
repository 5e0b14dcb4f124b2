/// One problem found in a pipeline spec: where (a JSON path such as `$.stages[2].ops[0].p`) and what.
public struct SpecProblem: Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Every problem found in a spec, reported together so a user fixes them in one pass.
///
/// Its description is one line per problem, each naming the file and the JSON path:
/// `Pipelines/digits.json: $.stages[2].ops[0].p: must be in 0...1, got 1.5`.
public struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String?
    public var problems: [SpecProblem]

    public init(file: String? = nil, problems: [SpecProblem]) {
        self.file = file
        self.problems = problems
    }

    public init(file: String? = nil, path: String = "$", _ message: String) {
        self.init(file: file, problems: [SpecProblem(path: path, message: message)])
    }

    public var description: String {
        problems.map { problem in file.map { "\($0): \(problem)" } ?? problem.description }.joined(separator: "\n")
    }
}

/// Collects problems while a spec is read; shared by every reader of one document.
public final class SpecContext {
    public private(set) var problems: [SpecProblem] = []
    /// True while generating the JSON Schema or listing defaults: readers return defaults and record field descriptions.
    public let isDescribing: Bool
    /// Shared schema definitions (`$defs`), for recursive families such as ops that contain ops.
    var definitions = JSONObject()
    var definitionsInProgress: Set<String> = []

    public init(describing: Bool = false) {
        isDescribing = describing
    }

    public func report(_ path: String, _ message: String) {
        guard !isDescribing else { return }
        problems.append(SpecProblem(path: path, message: message))
    }
}

/// Suggests the closest of `candidates` to a mistyped `word`, if one is close enough to be a likely typo.
public func didYouMean(_ word: String, among candidates: some Sequence<String>) -> String? {
    let lower = word.lowercased()
    var best: (String, Int)?
    var prefixMatch: String?
    for c in candidates {
        let candidate = c.lowercased()
        let d = editDistance(lower, candidate)
        if d <= max(1, min(3, c.count / 3)), d < (best?.1 ?? .max) { best = (c, d) }
        // Abbreviations and over-long spellings ("prob" for "p", "interp" for "interpolation").
        if prefixMatch == nil, !candidate.isEmpty, lower.count >= 2, candidate.hasPrefix(lower) || lower.hasPrefix(candidate) { prefixMatch = c }
    }
    return best?.0 ?? prefixMatch
}

/// Optimal-string-alignment distance over Unicode scalars: Levenshtein plus adjacent transpositions, so "fsat" is one
/// edit from "fast" (Damerau, 1964).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
        }
    }
    return d[a.count][b.count]
}
