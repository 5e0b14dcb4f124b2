/// Which classes a sampler resamples and to what size, with imbalanced-learn's meaning of `sampling_strategy`.
///
/// Over-samplers: the selected classes grow to the majority class's size (`counts` gives the wanted totals, `ratio`
/// the wanted minority/majority ratio of a two-class problem). Under-samplers: the selected classes shrink to the
/// minority class's size (`counts` gives the wanted totals, `ratio` the wanted minority/majority ratio). Cleaning
/// under-samplers (TomekLinks, EditedNearestNeighbours) only use which classes are selected.
///
/// | strategy | over-sampling | under-sampling / cleaning |
/// | --- | --- | --- |
/// | `minority` | the minority class | (error) |
/// | `majority` | (error) | the majority class |
/// | `notMinority` | all but the minority | all but the minority |
/// | `notMajority` | all but the majority | all but the majority |
/// | `all` | all | all |
/// | `auto` | = `notMajority` | = `notMinority` |
///
/// Ties for minority or majority go to the class that appears first in the labels, as in imbalanced-learn.
/// JSON: `"auto"`, `"not minority"` (or `"notMinority"`), `{"0": 500, "1": 500}`, `0.5`, or for cleaning `["0", "2"]`.
public enum SamplingStrategy: Sendable, Equatable, Hashable {
    case minority, majority, notMinority, notMajority, all, auto
    /// Wanted number of rows per class (by class name).
    case counts([String: Int])
    /// Wanted minority/majority ratio; two-class problems only.
    case ratio(Double)
    /// The classes to clean (cleaning under-samplers only).
    case classes([String])

    /// What a sampler does with the targets.
    public enum Kind: Sendable { case overSampling, underSampling, cleaning }

    /// Per class (indexed like `labels.classes`): rows to add (over-sampling), rows to keep (under-sampling), or
    /// whether to clean (cleaning: 1 or 0). Classes not selected get 0 to add, their current count to keep, or 0.
    /// - Throws: `TableError` for a strategy that makes no sense for `kind` or these counts.
    public func targets(for labels: ClassLabels, kind: Kind) throws -> [Int] {
        let counts = labels.counts
        let k = counts.count
        guard k > 0 else { return [] }
        let order = labels.firstAppearance
        let minority = order.min { counts[$0] < counts[$1] }!  // first in appearance order among equals
        let majority = order.max { counts[$0] < counts[$1] }!  // likewise the first among equals
        func selected(_ c: Int) throws -> Bool {
            switch self {
            case .minority:
                if kind != .overSampling { throw TableError.invalid("\"minority\" cannot be used with an under-sampler") }
                return c == minority
            case .majority:
                if kind == .overSampling { throw TableError.invalid("\"majority\" cannot be used with an over-sampler") }
                return c == majority
            case .notMinority: return c != minority
            case .notMajority: return c != majority
            case .all: return true
            case .auto: return kind == .overSampling ? c != majority : c != minority
            default: return false
            }
        }
        switch self {
        case .counts(let wanted):
            if kind == .cleaning { throw TableError.invalid("a cleaning sampler takes a list of classes, not counts") }
            for name in wanted.keys where !labels.classes.contains(name) {
                throw TableError.invalid("sampling strategy names class \"\(name)\", which is not in the labels (\(labels.classes.joined(separator: ", ")))")
            }
            return try (0..<k).map { c in
                guard let n = wanted[labels.classes[c]] else { return kind == .overSampling ? 0 : counts[c] }
                guard n >= 0 else { throw TableError.invalid("class \"\(labels.classes[c])\": a count must be >= 0, got \(n)") }
                if kind == .overSampling {
                    guard n >= counts[c] else {
                        throw TableError.invalid("class \"\(labels.classes[c])\": an over-sampler cannot reduce \(counts[c]) rows to \(n)")
                    }
                    return n - counts[c]
                }
                guard n <= counts[c] else {
                    throw TableError.invalid("class \"\(labels.classes[c])\": an under-sampler cannot grow \(counts[c]) rows to \(n)")
                }
                return n
            }
        case .ratio(let r):
            guard k == 2 else { throw TableError.invalid("a ratio strategy needs exactly two classes, got \(k)") }
            guard r > 0 && r <= 1 else { throw TableError.invalid("a ratio strategy must be in (0, 1], got \(r)") }
            if kind == .cleaning { throw TableError.invalid("a cleaning sampler takes a list of classes, not a ratio") }
            if kind == .overSampling {
                let add = Int(Double(counts[majority]) * r - Double(counts[minority]))
                guard add >= 0 else {
                    throw TableError.invalid("ratio \(r) would need removing minority rows (\(counts[minority]) of \(counts[majority])); use an under-sampler")
                }
                return (0..<k).map { $0 == minority ? add : 0 }
            }
            let keep = Int(Double(counts[minority]) / r)
            guard keep <= counts[majority] else {
                throw TableError.invalid("ratio \(r) would need more majority rows (\(keep)) than there are (\(counts[majority])); use an over-sampler")
            }
            return (0..<k).map { $0 == majority ? keep : counts[$0] }
        case .classes(let names):
            guard kind == .cleaning else { throw TableError.invalid("a list of classes is for cleaning samplers; give counts instead") }
            for name in names where !labels.classes.contains(name) {
                throw TableError.invalid("sampling strategy names class \"\(name)\", which is not in the labels (\(labels.classes.joined(separator: ", ")))")
            }
            return (0..<k).map { names.contains(labels.classes[$0]) ? 1 : 0 }
        default:
            return try (0..<k).map { c in
                let s = try selected(c)
                switch kind {
                case .overSampling: return s ? counts[majority] - counts[c] : 0
                case .underSampling: return s ? counts[minority] : counts[c]
                case .cleaning: return s ? 1 : 0
                }
            }
        }
    }
}

// MARK: - JSON

extension SamplingStrategy: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            switch String(s.filter { $0 != " " && $0 != "_" }).lowercased() {
            case "minority": self = .minority
            case "majority": self = .majority
            case "notminority": self = .notMinority
            case "notmajority": self = .notMajority
            case "all": self = .all
            case "auto": self = .auto
            default:
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown sampling strategy \"\(s)\"; expected minority, majority, not minority, not majority, all, auto, a ratio, counts per class or a list of classes")
            }
        } else if let r = try? c.decode(Double.self) {
            self = .ratio(r)
        } else if let d = try? c.decode([String: Int].self) {
            self = .counts(d)
        } else if let l = try? c.decode([String].self) {
            self = .classes(l)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "a sampling strategy is a string, a number, an object of counts or a list of classes")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .minority: try c.encode("minority")
        case .majority: try c.encode("majority")
        case .notMinority: try c.encode("not minority")
        case .notMajority: try c.encode("not majority")
        case .all: try c.encode("all")
        case .auto: try c.encode("auto")
        case .counts(let d): try c.encode(d)
        case .ratio(let r): try c.encode(r)
        case .classes(let l): try c.encode(l)
        }
    }
}
