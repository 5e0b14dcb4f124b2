/// An over-sampler followed by a cleaning under-sampler over the combined rows (original and new).
///
/// Original rows the cleaner removes are listed in `removed`; new rows it removes are simply not emitted, so every
/// emitted synthetic row keeps its provenance.
struct OverThenClean {
    static func run(over: any Resampler, clean: any Resampler, name: String, _ x: FeatureMatrix, labels: ClassLabels,
                    seed: UInt64, stage: String) throws -> ResampleResult {
        let first = try over.resample(x, labels: labels, seed: seed, stage: stage)
        let combined = first.features(from: x)
        let combinedLabels = try ClassLabels(codes: first.labels(from: labels), classes: labels.classes)
        let second = try clean.resample(combined, labels: combinedLabels, seed: seed, stage: stage)
        var kept: [Int] = []
        var synthetic = SyntheticRows(columns: x.columns)
        for i in second.kept {
            if i < first.kept.count {
                kept.append(first.kept[i])
            } else {
                synthetic.append(first.synthetic[i - first.kept.count])
            }
        }
        let keptSet = Set(kept)
        return ResampleResult(sampler: name, kept: kept, removed: (0..<x.rows).filter { !keptSet.contains($0) },
                              synthetic: synthetic)
    }
}

/// SMOTE, then removal of Tomek links between any classes (Batista, Prati & Monard, 2004).
public struct SMOTETomek: Resampler {
    public var smote: SMOTE
    public var tomek: TomekLinks
    public var name: String { "SMOTETomek" }

    public init(smote: SMOTE = SMOTE(), tomek: TomekLinks = TomekLinks(samplingStrategy: .all)) {
        self.smote = smote
        self.tomek = tomek
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try OverThenClean.run(over: smote, clean: tomek, name: name, x, labels: labels, seed: seed, stage: stage)
    }
}

/// SMOTE, then edited nearest neighbours over all classes (Batista, Prati & Monard, 2004).
public struct SMOTEENN: Resampler {
    public var smote: SMOTE
    public var enn: EditedNearestNeighbours
    public var name: String { "SMOTEENN" }

    public init(smote: SMOTE = SMOTE(), enn: EditedNearestNeighbours = EditedNearestNeighbours(samplingStrategy: .all)) {
        self.smote = smote
        self.enn = enn
    }

    public func resample(_ x: FeatureMatrix, labels: ClassLabels, seed: UInt64, stage: String) throws -> ResampleResult {
        try OverThenClean.run(over: smote, clean: enn, name: name, x, labels: labels, seed: seed, stage: stage)
    }
}
