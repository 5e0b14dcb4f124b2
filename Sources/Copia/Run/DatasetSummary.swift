/// dataset.json: what the output is and how it was made.
struct DatasetSummary {
    var classes: [String]
    var trainBefore: [String: Int]
    var trainAfter: [String: Int]
    var splitCounts: [Split: [String: Int]]
    var outputs: Int
    /// SHA-256 over "id<TAB>sha256<LF>" of every input sample, in id order.
    var inputFingerprint: String
    var inputSamples: Int
    var skipped: [String]
    var files: JSONObject = [:]
    var extra: JSONObject = [:]

    func json(pipeline: Pipeline, manifestHash: String, timings: JSONObject) -> JSONValue {
        var counts: JSONObject = [:]
        for split in Split.allCases {
            guard let c = splitCounts[split] else { continue }
            counts[split.rawValue] = DatasetSummary.countsObject(c, classes: classes)
        }
        var dataset: JSONObject = [
            "copia": .string(copiaVersion),
            "name": .string(pipeline.spec.name),
            "seed": .number(Double(pipeline.spec.seed)),
            "specSHA256": .string(pipeline.specHash),
            "spec": pipeline.resolved,
            "input": [
                "source": .string(pipeline.spec.source!.path),
                "samples": .number(Double(inputSamples)),
                "fingerprint": .string(inputFingerprint),
            ],
            "classes": .array(classes.map { .string($0) }),
            "trainCounts": ["before": DatasetSummary.countsObject(trainBefore, classes: classes),
                            "after": DatasetSummary.countsObject(trainAfter, classes: classes)],
            "outputCounts": .object(counts),
            "outputs": .number(Double(outputs)),
            "manifestSHA256": .string(manifestHash),
            "skipped": .array(skipped.map { .string($0) }),
        ]
        if !files.isEmpty { dataset["files"] = .object(files) }
        for (k, v) in extra { dataset[k] = v }
        dataset["timings"] = .object(timings)
        return .object(dataset)
    }

    static func fingerprint(_ pairs: [(id: String, sha256: String)]) -> String {
        let h = SHA256()
        for (id, sha) in pairs.sorted(by: { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }) { h.update("\(id)\t\(sha)\n") }
        return h.finish()
    }

    static func countsObject(_ counts: [String: Int], classes: [String]) -> JSONValue {
        var o = JSONObject()
        for c in classes { if let n = counts[c] { o[c] = .number(Double(n)) } }
        return .object(o)
    }

    static func timings(_ pairs: [(String, Double)]) -> JSONObject {
        var o = JSONObject()
        for (k, v) in pairs { o[k] = .number((v * 1000).rounded() / 1000) }
        return o
    }
}
