import CopiaCore

/// A sampler in a pipeline spec, e.g. `{"sampler": "SMOTE", "kNeighbors": 5, "samplingStrategy": "auto"}`: what an
/// oversample or undersample stage, or the balance stage's filler, holds. Unknown keys and bad values are reported
/// with their JSON path; the resolved spec writes every default out.
///
/// The registry is the explicit list `variants`; every sampler the issue names is there.
public struct ResamplerSpec: SpecUnion {
    public let resampler: any Resampler

    public init(_ resampler: any Resampler) { self.resampler = resampler }

    public static let tagKey = "sampler"
    public static let definitionName = "sampler"

    static func strategy(_ r: SpecReader) -> SamplingStrategy {
        r.read("samplingStrategy", default: SamplingStrategy.auto,
               doc: "imbalanced-learn's sampling_strategy: \"minority\", \"majority\", \"not minority\", \"not majority\", \"all\", \"auto\", counts per class, a ratio, or for cleaning a list of classes.")
    }

    static func k(_ r: SpecReader, _ key: String, _ def: Int, _ doc: String) -> Int {
        r.read(key, default: def, in: 1...10_000, doc: doc)
    }

    public static let variants: [SpecVariant<ResamplerSpec>] = [
        SpecVariant("RandomOverSampler", summary: "Copies of random rows of each class; with shrinkage, a smoothed bootstrap (ROSE).") { r in
            ResamplerSpec(RandomOverSampler(samplingStrategy: strategy(r),
                                            shrinkage: r.readOptional("shrinkage", doc: "Noise scale of the smoothed bootstrap; null for plain copies.") { (v: Double) in v >= 0 ? nil : "must be >= 0" }))
        },
        SpecVariant("SMOTE", summary: "SMOTE (Chawla et al., 2002): interpolation towards same-class nearest neighbours.") { r in
            ResamplerSpec(SMOTE(samplingStrategy: strategy(r), kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows to choose from.")))
        },
        SpecVariant("SMOTENC", summary: "SMOTE for mixed numeric and categorical features.") { r in
            ResamplerSpec(SMOTENC(samplingStrategy: strategy(r), kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows to choose from.")))
        },
        SpecVariant("SMOTEN", summary: "SMOTE for categorical features (value difference metric).") { r in
            ResamplerSpec(SMOTEN(samplingStrategy: strategy(r), kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows that vote.")))
        },
        SpecVariant("BorderlineSMOTE", summary: "Borderline-SMOTE (Han et al., 2005): SMOTE from rows on the class border.") { r in
            ResamplerSpec(BorderlineSMOTE(samplingStrategy: strategy(r),
                                          kNeighbors: k(r, "kNeighbors", 5, "Nearest rows to interpolate towards."),
                                          mNeighbors: k(r, "mNeighbors", 10, "Nearest rows that decide whether a row is in danger."),
                                          kind: r.read("kind", default: BorderlineSMOTE.Kind.borderline1, doc: "borderline-1 or borderline-2.")))
        },
        SpecVariant("SVMSMOTE", summary: "SVM-SMOTE (Nguyen et al., 2011): SMOTE from a linear SVM's support vectors.") { r in
            ResamplerSpec(SVMSMOTE(samplingStrategy: strategy(r),
                                   kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows to move towards."),
                                   mNeighbors: k(r, "mNeighbors", 10, "Nearest rows that decide danger and noise."),
                                   outStep: r.read("outStep", default: 0.5, in: 0...10, doc: "Largest extrapolation step from a safe support vector."),
                                   c: r.read("c", default: 1.0, in: 1e-6...1e6, doc: "The SVM's soft-margin cost.")))
        },
        SpecVariant("KMeansSMOTE", summary: "K-Means SMOTE (Douzas et al., 2018): SMOTE inside clusters where the class is common.") { r in
            ResamplerSpec(KMeansSMOTE(samplingStrategy: strategy(r),
                                      kNeighbors: k(r, "kNeighbors", 2, "Nearest same-class rows in the cluster."),
                                      nClusters: k(r, "nClusters", 8, "Clusters for k-means."),
                                      clusterBalanceThreshold: r.readOptional("clusterBalanceThreshold", doc: "Least class share for a cluster to get rows; null for auto.")))
        },
        SpecVariant("ADASYN", summary: "ADASYN (He et al., 2008): more new rows where a class's rows have other-class neighbours.") { r in
            ResamplerSpec(ADASYN(samplingStrategy: strategy(r), nNeighbors: k(r, "nNeighbors", 5, "Nearest rows for hardness and interpolation.")))
        },
        SpecVariant("RandomUnderSampler", summary: "Keeps a random subset of each selected class.") { r in
            ResamplerSpec(RandomUnderSampler(samplingStrategy: strategy(r)))
        },
        SpecVariant("TomekLinks", summary: "Removes the selected-class row of each Tomek link (Tomek, 1976).") { r in
            ResamplerSpec(TomekLinks(samplingStrategy: strategy(r)))
        },
        SpecVariant("EditedNearestNeighbours", summary: "Removes rows their nearest neighbours disagree with (Wilson, 1972).") { r in
            ResamplerSpec(EditedNearestNeighbours(samplingStrategy: strategy(r),
                                                  nNeighbors: k(r, "nNeighbors", 3, "Nearest rows that judge."),
                                                  kindSel: r.read("kindSel", default: EditedNearestNeighbours.Selection.all, doc: "all: every neighbour must agree; mode: most.")))
        },
        SpecVariant("NearMiss", summary: "NearMiss (Mani & Zhang, 2003): keeps the rows closest to the minority class.") { r in
            ResamplerSpec(NearMiss(samplingStrategy: strategy(r),
                                   version: r.read("version", default: 1, in: 1...3, doc: "1, 2 or 3."),
                                   nNeighbors: k(r, "nNeighbors", 3, "Minority rows averaged over."),
                                   nNeighborsVer3: k(r, "nNeighborsVer3", 3, "Shortlist size per minority row (version 3).")))
        },
        SpecVariant("SMOTETomek", summary: "SMOTE, then removal of Tomek links.") { r in
            ResamplerSpec(SMOTETomek(smote: SMOTE(samplingStrategy: strategy(r), kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows to choose from."))))
        },
        SpecVariant("SMOTEENN", summary: "SMOTE, then edited nearest neighbours.") { r in
            ResamplerSpec(SMOTEENN(smote: SMOTE(samplingStrategy: strategy(r), kNeighbors: k(r, "kNeighbors", 5, "Nearest same-class rows to choose from.")),
                                   enn: EditedNearestNeighbours(samplingStrategy: .all, nNeighbors: k(r, "nNeighbors", 3, "Nearest rows that judge."))))
        },
    ]
}

extension BorderlineSMOTE.Kind: SpecEnum {}
extension EditedNearestNeighbours.Selection: SpecEnum {}
extension Scaler.Kind: SpecEnum {}
extension NonFinitePolicy: SpecEnum {}
extension ColumnType: SpecEnum {}

extension SamplingStrategy: SpecScalar {
    static let names: [String: SamplingStrategy] = [
        "minority": .minority, "majority": .majority, "not minority": .notMinority, "not majority": .notMajority,
        "all": .all, "auto": .auto,
    ]

    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: SamplingStrategy, resolved: JSONValue)? {
        switch json {
        case .string(let s):
            guard let v = names[s] ?? names[s.replacingSpaces()] else {
                let hint = didYouMean(s, among: names.keys.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                context.report(path, "unknown sampling strategy \"\(s)\"\(hint); expected one of \(names.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ")), counts per class, a ratio or a list of classes")
                return nil
            }
            return (v, v.specJSON)
        case .number(let r):
            guard r > 0 && r <= 1 else { context.report(path, "a ratio must be in (0, 1], got \(JSONValue.format(r))"); return nil }
            return (.ratio(r), json)
        case .object(let o):
            var counts: [String: Int] = [:]
            for (k, v) in o {
                guard case .number(let n) = v, n >= 0, n == n.rounded() else {
                    context.report("\(path).\(k)", "a class count must be a whole number >= 0, got \(v)")
                    return nil
                }
                counts[k] = Int(n)
            }
            return (.counts(counts), json)
        case .array(let a):
            var classes: [String] = []
            for (i, v) in a.enumerated() {
                guard case .string(let s) = v else { context.report("\(path)[\(i)]", "a class name must be a string, got \(v)"); return nil }
                classes.append(s)
            }
            return (.classes(classes), json)
        default:
            context.report(path, "a sampling strategy is a string, a number, an object of counts or a list of classes; got \(json)")
            return nil
        }
    }

    public static func schema(in context: SpecContext) -> JSONValue {
        ["oneOf": [
            ["type": "string", "enum": .array(names.keys.sorted().map { .string($0) })],
            ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
            ["type": "object", "additionalProperties": ["type": "integer", "minimum": 0]],
            ["type": "array", "items": ["type": "string"]],
        ]]
    }

    public static func placeholder(in context: SpecContext) -> SamplingStrategy { .auto }

    public var specJSON: JSONValue {
        switch self {
        case .minority: "minority"
        case .majority: "majority"
        case .notMinority: "not minority"
        case .notMajority: "not majority"
        case .all: "all"
        case .auto: "auto"
        case .counts(let d):
            {
                var o = JSONObject()
                for (k, v) in d.sorted(by: { $0.key < $1.key }) { o[k] = .number(Double(v)) }
                return .object(o)
            }()
        case .ratio(let r): .number(r)
        case .classes(let l): .array(l.map { .string($0) })
        }
    }
}

extension String {
    /// "notMinority" / "not_minority" -> "not minority".
    func replacingSpaces() -> String {
        var out = ""
        for ch in self {
            if ch == "_" { out.append(" "); continue }
            if ch.isUppercase { out.append(" "); out.append(Character(ch.lowercased())); continue }
            out.append(ch)
        }
        return out
    }
}
