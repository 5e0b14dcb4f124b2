/// Which part of the data a sample belongs to. Only `train` samples are ever fitted on or used as sources.
public enum Split: String, Codable, Sendable, CaseIterable, SpecEnum {
    case train
    case validation
    case test
}

/// One input sample as the scan found it: a small record, no pixels.
public struct Sample: Codable, Hashable, Sendable {
    /// Stable identity: the path relative to the source root (`3/digit_0007.png`) or `row:17` for table rows.
    public var id: String
    public var label: String
    /// Where the bytes are: a file path as given to Copia (relative to the working directory or absolute).
    public var locator: String
    /// Samples sharing a group (same patient, same source photo) always land in the same split.
    public var group: String?
    /// The sample's segmentation mask file, when the source has masks.
    public var mask: String?

    public init(id: String, label: String, locator: String, group: String? = nil, mask: String? = nil) {
        self.id = id
        self.label = label
        self.locator = locator
        self.group = group
        self.mask = mask
    }
}

/// The samples of a source, in a deterministic order (sorted by id), with their class list.
public struct SampleIndex: Sendable {
    public private(set) var samples: [Sample]
    /// Class names, sorted (numeric names by value, so "10" follows "9").
    public let classes: [String]

    public init(samples: [Sample]) {
        self.samples = samples.sorted { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }
        self.classes = SampleIndex.sortedClasses(Set(samples.map(\.label)))
    }

    public var count: Int { samples.count }

    /// Sample counts per class, in class order.
    public var classCounts: [(label: String, count: Int)] {
        var counts: [String: Int] = [:]
        for s in samples { counts[s.label, default: 0] += 1 }
        return classes.map { ($0, counts[$0] ?? 0) }
    }

    /// Sorts class names numerically when they all are integers, otherwise by byte order.
    public static func sortedClasses(_ labels: Set<String>) -> [String] {
        if labels.allSatisfy({ Int($0) != nil }) { return labels.sorted { Int($0)! < Int($1)! } }
        return labels.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
