import CopiaTable
import Foundation

/// Runs a table pipeline: read the CSV, split, then on the training split only: impute, scale, over- and under-sample,
/// balance; write train/validation/test CSVs with one manifest line per row.
///
/// Tables are small next to images, so the job works in memory; files are still written atomically, then the
/// manifest, then dataset.json. Untouched rows are written with their original bytes, so held-out rows are
/// byte-identical to their source rows (unless `scale.writeScaled` asks for scaled values).
struct TableJob {
    let pipeline: Pipeline
    let out: String
    let options: RunOptions

    var spec: PipelineSpec { pipeline.spec }

    /// Where a row of the working training table came from.
    indirect enum Provenance: Sendable {
        /// Row `row` of the source table.
        case original(row: Int)
        /// An exact copy of a source row drawn by the balance stage.
        case copy(row: Int, key: String)
        /// A row made by a sampler: from `base` towards `neighbours` (rows of the table the sampler saw) with `gaps`.
        case synthetic(id: String, sampler: String, stage: String, base: Provenance, neighbours: [Provenance], gaps: [Double],
                       voters: [Provenance], key: String)
    }

    func run() throws -> RunSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let source = spec.source!
        guard FileIO.exists(source.path) else { throw RunError("\(source.path): input table does not exist") }
        let readOptions = CSVReadOptions(delimiter: source.delimiter, labelColumn: source.labelColumn, schema: source.columnTypes,
                                         nonFinite: source.nonFinite, keepOriginalText: true)
        let table = try CSVReader.read(path: source.path, options: readOptions)
        guard table.columnIndex(named: source.labelColumn) != nil else {
            throw RunError("\(source.path): no label column \"\(source.labelColumn)\"; columns are \(table.columnNames.joined(separator: ", "))")
        }
        let labels = try table.labels()
        let groupColumn = try source.groupColumn.map { name -> Column in
            guard let c = table.column(named: name) else { throw RunError("\(source.path): no group column \"\(name)\"") }
            return c
        }
        let rowHashes = (0..<table.rowCount).map { SHA256.hex(Array(table.originalText(ofRow: $0) ?? [])) }

        // Split, stratified (and grouped) exactly as images are.
        var rowOfID: [String: Int] = [:]
        var samples: [Sample] = []
        for row in 0..<table.rowCount {
            let id = "row:\(table.rowLocation(row))"
            rowOfID[id] = row
            samples.append(Sample(id: id, label: labels[row], locator: "\(source.path)#L\(table.rowLocation(row))", group: groupColumn?.text(at: row)))
        }
        let index = SampleIndex(samples: samples)
        let splitOfSample = spec.split.map { Splitter(test: $0.test, validation: $0.validation, seed: spec.seed).assign(index, byGroup: $0.byGroup) }
            ?? [Split](repeating: .train, count: index.count)
        var rowsOf: [Split: [Int]] = [:]
        var splitOfRow = [Split](repeating: .train, count: table.rowCount)
        for (k, s) in index.samples.enumerated() { splitOfRow[rowOfID[s.id]!] = splitOfSample[k] }
        for row in 0..<table.rowCount { rowsOf[splitOfRow[row], default: []].append(row) }
        let trainRows = rowsOf[.train] ?? []
        guard !trainRows.isEmpty else { throw RunError("\(source.path): the split left no training rows") }

        // Fit on the training split only.
        var extra: JSONObject = [:]
        var imputer: MedianImputer?
        if source.nonFinite == .imputeMedian {
            imputer = try MedianImputer.fit(on: table.rows(trainRows))
            extra["imputedMedians"] = ParameterCoding.encode(imputer!.medians)
        }
        func prepared(_ rows: [Int]) throws -> Table {
            let t = table.rows(rows)
            return try imputer?.transform(t) ?? t
        }
        var train = try prepared(trainRows)
        var provenance: [Provenance] = trainRows.map { .original(row: $0) }
        var scaler: Scaler?
        if let scale = spec.scale {
            scaler = try Scaler.fit(scale.kind, on: train, columns: scale.columns)
            extra["scaler"] = ParameterCoding.encode(scaler!)
        }
        var before: [String: Int] = [:]
        for r in trainRows { before[labels[r], default: 0] += 1 }

        // Samplers and balance, in stage order, on the training table.
        var removed: [JSONValue] = []
        var syntheticCount = 0
        for (i, stage) in spec.stages.enumerated() {
            let stageName = "stages[\(i)]"
            switch stage.body {
            case .oversample(let s), .undersample(let s):
                let r = try resample(&train, &provenance, with: s.sampler.resampler, scaler: scaler, stage: stageName, source: table,
                                     counter: &syntheticCount)
                if !r.isEmpty { removed.append(["stage": .string(stageName), "sampler": .string(s.sampler.resampler.name), "rows": .array(r)]) }
            case .balance(let b):
                let current = classCounts(train)
                let targets = b.targets(for: index.classes.compactMap { c in current[c].map { (c, $0) } })
                switch b.method {
                case .sampler:
                    // The balance targets become the sampler's strategy: explicit final counts per class.
                    _ = try resample(&train, &provenance, with: try reconfigured(b, targets: targets), scaler: scaler, stage: stageName,
                                     source: table, counter: &syntheticCount)
                default:
                    try randomCopies(&train, &provenance, targets: targets)
                }
            default:
                break
            }
        }
        let after = classCounts(train)

        // Output tables: training rows as the samplers left them; held-out rows untouched.
        var outputs: [(split: Split, table: Table, provenance: [Provenance])] = [(.train, train, provenance)]
        for split in [Split.validation, .test] {
            guard let rows = rowsOf[split], !rows.isEmpty else { continue }
            outputs.append((split, try prepared(rows), rows.map { .original(row: $0) }))
        }
        if let scaler, spec.scale?.writeScaled == true {
            outputs = try outputs.map { ($0.split, try scaler.transform($0.table), $0.provenance) }
        }
        var splitCounts: [Split: [String: Int]] = [:]
        for o in outputs { splitCounts[o.split] = classCounts(o.table) }
        let total = outputs.reduce(0) { $0 + $1.table.rowCount }
        if options.dryRun {
            var lines = ["\(total) rows planned"]
            for o in outputs { lines.append("\(o.split.rawValue): " + index.classes.compactMap { k in splitCounts[o.split]?[k].map { "\(k): \($0)" } }.joined(separator: ", ")) }
            return RunSummary(out: out, before: before, after: after, written: [:], resumed: 0, planned: total, skipped: [],
                              seconds: (clock.now - started).seconds, planLines: lines)
        }

        // Write: CSV files first (atomically), then the manifest, then dataset.json.
        let folder = OutputFolder(root: out)
        _ = try folder.prepare(specHash: pipeline.specHash, planned: total, seed: spec.seed, resume: options.resume, overwrite: options.overwrite)
        try FileIO.writeAtomically(JSONWriter.pretty(pipeline.resolved), to: folder.path(OutputLayout.resolvedSpec))
        var manifest = ""
        var files: JSONObject = [:]
        var written: [Split: Int] = [:]
        for o in outputs {
            let name = "\(o.split.rawValue).csv"
            let bytes = try CSVWriter.encode(o.table)
            try FileIO.writeAtomically(bytes, to: folder.path(name))
            files[name] = ["sha256": .string(SHA256.hex(bytes)), "rows": .number(Double(o.table.rowCount))]
            written[o.split] = o.table.rowCount
            // Row hashes are taken over the bytes as written, read back the way `copia verify` reads them.
            let back = try CSVReader.read(bytes: bytes, file: name, options: CSVReadOptions(delimiter: source.delimiter, keepOriginalText: true))
            let outLabels = try o.table.labels()
            for n in 0..<o.table.rowCount {
                let line = manifestLine(file: name, row: n, sha256: SHA256.hex(Array(back.originalText(ofRow: n) ?? [])), label: outLabels[n],
                                        split: o.split, provenance: o.provenance[n], table: table, rowHashes: rowHashes, sourcePath: source.path)
                manifest += JSONWriter.compact(.object(line)) + "\n"
            }
        }
        try FileIO.writeAtomically(manifest, to: folder.path(OutputLayout.manifest))
        if !removed.isEmpty { extra["removedRows"] = .array(removed) }
        if !table.droppedRows.isEmpty { extra["droppedRows"] = ParameterCoding.encode(table.droppedRows) }
        let summary = DatasetSummary(classes: index.classes, trainBefore: before, trainAfter: after, splitCounts: splitCounts,
                                     outputs: total, inputFingerprint: DatasetSummary.fingerprint(index.samples.map { ($0.id, rowHashes[rowOfID[$0.id]!]) }),
                                     inputSamples: index.count, skipped: [], files: files, extra: extra)
        let dataset = summary.json(pipeline: pipeline, manifestHash: SHA256.hex(manifest),
                                   timings: DatasetSummary.timings([("totalSeconds", (clock.now - started).seconds)]))
        try FileIO.writeAtomically(JSONWriter.pretty(dataset), to: folder.path(OutputLayout.dataset))
        folder.finishState()
        return RunSummary(out: out, before: before, after: after, written: written, resumed: 0, planned: total, skipped: [],
                          seconds: (clock.now - started).seconds, planLines: [])
    }

    private func classCounts(_ t: Table) -> [String: Int] {
        var c: [String: Int] = [:]
        for l in (try? t.labels()) ?? [] { c[l, default: 0] += 1 }
        return c
    }

    /// The balance stage's over-sampler with its sampling strategy replaced by the balance targets.
    private func reconfigured(_ b: BalanceStage, targets: [String: Int]) throws -> any Resampler {
        guard var json = b.samplerJSON?.objectValue else { throw RunError("balance: method sampler needs a sampler") }
        var counts = JSONObject()
        for (k, v) in targets.sorted(by: { $0.key < $1.key }) { counts[k] = .number(Double(v)) }
        json["samplingStrategy"] = .object(counts)
        return try ResamplerSpec.decodeDocument(.object(json)).value.resampler
    }

    /// Runs one sampler on the training table, in scaled units when a scaler is fitted, and tracks provenance.
    /// Returns the source lines of the rows it removed.
    private func resample(_ train: inout Table, _ provenance: inout [Provenance], with sampler: any Resampler, scaler: Scaler?,
                          stage: String, source: Table, counter: inout Int) throws -> [JSONValue] {
        var x = try FeatureMatrix(train)
        if let scaler { x = try scaler.transform(x) }
        let y = try ClassLabels(train)
        let result = try sampler.resample(x, labels: y, seed: spec.seed, stage: stage)
        var synthetic = result.synthetic
        if let scaler { synthetic = try scaler.inverse(synthetic, names: x.names) }
        let unscaled = try FeatureMatrix(train)
        var adjusted = result
        adjusted.synthetic = synthetic
        let newTable = try adjusted.table(from: train, features: unscaled, labels: y)
        var newProvenance = result.kept.map { provenance[$0] }
        for s in synthetic {
            counter += 1
            newProvenance.append(.synthetic(id: "synthetic-\(counter)", sampler: sampler.name, stage: stage, base: provenance[s.base],
                                            neighbours: s.neighbours.map { provenance[$0] }, gaps: s.gaps, voters: s.voters.map { provenance[$0] },
                                            key: "\(y.classes[s.label])#\(s.draw)"))
        }
        let removed: [JSONValue] = result.removed.map { .string(provenanceID(provenance[$0], source: source)) }
        train = newTable
        provenance = newProvenance
        return removed
    }

    /// imbalanced-learn's RandomOverSampler without shrinkage: rows drawn uniformly with replacement, one keyed draw
    /// per new row, appended class by class.
    private func randomCopies(_ train: inout Table, _ provenance: inout [Provenance], targets: [String: Int]) throws {
        let labels = try train.labels()
        var picks: [Int] = []
        var keys: [String] = []
        for label in SampleIndex.sortedClasses(Set(labels)) {
            let members = labels.indices.filter { labels[$0] == label }
            let need = (targets[label] ?? members.count) - members.count
            guard need > 0 else { continue }
            for j in 0..<need {
                var rng = CounterRandom(seed: spec.seed, stage: "balance", sample: "\(label)#\(j)")
                picks.append(members[rng.int(below: members.count)])
                keys.append("\(label)#\(j)")
            }
        }
        guard !picks.isEmpty else { return }
        train = try train.appending(train.rows(picks))
        for (p, key) in zip(picks, keys) {
            switch provenance[p] {
            case .original(let row): provenance.append(.copy(row: row, key: key))
            default: provenance.append(provenance[p])
            }
        }
    }

    /// A row's identity in the manifest: `row:<line in the source file>`, or the id of a synthetic row.
    private func provenanceID(_ p: Provenance, source: Table) -> String {
        switch p {
        case .original(let row), .copy(let row, _): return "row:\(source.rowLocation(row))"
        case .synthetic(let id, _, _, _, _, _, _, _): return id
        }
    }

    private func sourceRef(_ p: Provenance, table: Table, rowHashes: [String], sourcePath: String) -> JSONValue {
        switch p {
        case .original(let row), .copy(let row, _):
            return ["id": .string("row:\(table.rowLocation(row))"), "path": .string(sourcePath), "line": .number(Double(table.rowLocation(row))),
                    "sha256": .string(rowHashes[row])]
        case .synthetic(let id, _, _, _, _, _, _, _):
            return ["id": .string(id)]
        }
    }

    private func manifestLine(file: String, row n: Int, sha256: String, label: String, split: Split, provenance p: Provenance,
                              table: Table, rowHashes: [String], sourcePath: String) -> JSONObject {
        var line: JSONObject = [
            "id": .string("\(file)#\(n + 1)"),
            "path": .string(file),
            "row": .number(Double(n + 1)),
            "sha256": .string(sha256),
            "label": .string(label),
            "split": .string(split.rawValue),
        ]
        switch p {
        case .original:
            line["origin"] = "original"
            line["sources"] = [sourceRef(p, table: table, rowHashes: rowHashes, sourcePath: sourcePath)]
            line["ops"] = []
            line["random"] = .null
        case .copy(_, let key):
            line["origin"] = "oversampled"
            line["sources"] = [sourceRef(p, table: table, rowHashes: rowHashes, sourcePath: sourcePath)]
            line["ops"] = []
            line["random"] = ["seed": .number(Double(spec.seed)), "stage": "balance", "sample": .string(key)]
        case .synthetic(let id, let sampler, let stage, let base, let neighbours, let gaps, let voters, let key):
            let ref = { (q: Provenance) in sourceRef(q, table: table, rowHashes: rowHashes, sourcePath: sourcePath) }
            let baseRef = ref(base), neighbourRefs = neighbours.map(ref)
            line["origin"] = "synthetic"
            line["synthetic"] = .string(id)
            line["sources"] = .array([baseRef] + neighbourRefs)
            var op: JSONObject = ["op": .string(sampler), "base": baseRef["id"]!, "neighbours": .array(neighbourRefs.map { $0["id"]! }),
                                  "gaps": .array(gaps.map { .number($0) })]
            if !voters.isEmpty { op["voters"] = .array(voters.map { ref($0)["id"]! }) }
            line["ops"] = [.object(op)]
            line["random"] = ["seed": .number(Double(spec.seed)), "stage": .string(stage), "sample": .string(key)]
        }
        return line
    }
}

