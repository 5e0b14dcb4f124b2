import CopiaTable
import Foundation

/// Runs a table pipeline: read the CSV, split, balance the training rows, write train/validation/test CSVs with one
/// manifest line per row.
///
/// Tables are small next to images, so the job works in memory; files are still written atomically, and the manifest
/// is written only after them. Untouched rows are written with their original bytes, so held-out rows are
/// byte-identical to their source rows.
struct TableJob {
    let pipeline: Pipeline
    let out: String
    let options: RunOptions

    var spec: PipelineSpec { pipeline.spec }

    func run() throws -> RunSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let source = spec.source!
        guard FileIO.exists(source.path) else { throw RunError("\(source.path): input table does not exist") }
        let table = try CSVReader.read(path: source.path, options: CSVReadOptions(labelColumn: source.labelColumn, keepOriginalText: true))
        guard table.columnIndex(named: source.labelColumn) != nil else {
            throw RunError("\(source.path): no label column \"\(source.labelColumn)\"; columns are \(table.columnNames.joined(separator: ", "))")
        }
        let labels = try table.labels()
        let groupColumn = try source.groupColumn.map { name -> Column in
            guard let c = table.column(named: name) else { throw RunError("\(source.path): no group column \"\(name)\"") }
            return c
        }
        var rowOfID: [String: Int] = [:]
        var samples: [Sample] = []
        var rowHashes: [String] = []
        for row in 0..<table.rowCount {
            let id = "row:\(table.rowLocation(row))"
            rowOfID[id] = row
            samples.append(Sample(id: id, label: labels[row], locator: "\(source.path)#L\(table.rowLocation(row))",
                                  group: groupColumn?.text(at: row)))
            rowHashes.append(SHA256.hex(Array(table.originalText(ofRow: row) ?? [])))
        }
        let index = SampleIndex(samples: samples)
        let splitOfSample: [Split]
        if let split = spec.split {
            splitOfSample = Splitter(test: split.test, validation: split.validation, seed: spec.seed).assign(index, byGroup: split.byGroup)
        } else {
            splitOfSample = [Split](repeating: .train, count: index.count)
        }
        var splitOfRow = [Split](repeating: .train, count: table.rowCount)
        for (k, s) in index.samples.enumerated() { splitOfRow[rowOfID[s.id]!] = splitOfSample[k] }

        // Plan: originals in file order per split; then the balance stage's copies, class by class.
        var outputs: [Split: [(row: Int, origin: Origin, key: String?)]] = [:]
        for row in 0..<table.rowCount { outputs[splitOfRow[row], default: []].append((row, .original, nil)) }
        var before: [String: Int] = [:]
        for (row, _, _) in outputs[.train] ?? [] { before[labels[row], default: 0] += 1 }
        var after = before
        if let balance = spec.balance {
            let targets = balance.targets(for: index.classes.compactMap { c in before[c].map { (c, $0) } })
            for label in index.classes {
                guard let current = before[label], let target = targets[label], target > current else { continue }
                let members = (outputs[.train] ?? []).filter { labels[$0.row] == label }.map(\.row)
                for j in 0..<(target - current) {
                    // imbalanced-learn's RandomOverSampler: rows drawn uniformly with replacement, here one keyed draw per new row.
                    let key = "\(label)#\(j)"
                    var rng = CounterRandom(seed: spec.seed, stage: "balance", sample: key)
                    outputs[.train, default: []].append((members[rng.int(below: members.count)], .oversampled, key))
                }
                after[label] = target
            }
        }
        var splitCounts: [Split: [String: Int]] = [:]
        for (split, rows) in outputs { for r in rows { splitCounts[split, default: [:]][labels[r.row], default: 0] += 1 } }
        let total = outputs.values.reduce(0) { $0 + $1.count }
        if options.dryRun {
            var lines = ["\(total) rows planned"]
            for split in Split.allCases { if let c = splitCounts[split] { lines.append("\(split.rawValue): " + index.classes.compactMap { k in c[k].map { "\(k): \($0)" } }.joined(separator: ", ")) } }
            return RunSummary(out: out, before: before, after: after, written: [:], resumed: 0, planned: total, skipped: [], seconds: (clock.now - started).seconds, planLines: lines)
        }

        // Write: CSV files first (atomically), then the manifest, then dataset.json.
        let folder = OutputFolder(root: out)
        _ = try folder.prepare(specHash: pipeline.specHash, planned: total, seed: spec.seed, resume: options.resume, overwrite: options.overwrite)
        try FileIO.writeAtomically(JSONWriter.pretty(pipeline.resolved), to: folder.path(OutputLayout.resolvedSpec))
        var manifestLines: [String] = []
        var files: JSONObject = [:]
        var written: [Split: Int] = [:]
        for split in Split.allCases {
            guard let rows = outputs[split], !rows.isEmpty else { continue }
            let name = "\(split.rawValue).csv"
            let bytes = try CSVWriter.encode(table.rows(rows.map(\.row)))
            try FileIO.writeAtomically(bytes, to: folder.path(name))
            files[name] = ["sha256": .string(SHA256.hex(bytes)), "rows": .number(Double(rows.count))]
            written[split] = rows.count
            for (n, r) in rows.enumerated() {
                var line: JSONObject = [
                    "id": .string("\(name)#\(n + 1)"),
                    "path": .string(name),
                    "row": .number(Double(n + 1)),
                    "sha256": .string(rowHashes[r.row]),
                    "label": .string(labels[r.row]),
                    "split": .string(split.rawValue),
                    "origin": .string(r.origin.rawValue),
                    "sources": [["id": .string("row:\(table.rowLocation(r.row))"), "path": .string(source.path),
                                 "line": .number(Double(table.rowLocation(r.row))), "sha256": .string(rowHashes[r.row])]],
                    "ops": [],
                ]
                line["random"] = r.key.map { ["seed": .number(Double(spec.seed)), "stage": "balance", "sample": .string($0)] } ?? .null
                manifestLines.append(JSONWriter.compact(.object(line)))
            }
        }
        let manifestText = manifestLines.joined(separator: "\n") + "\n"
        try FileIO.writeAtomically(manifestText, to: folder.path(OutputLayout.manifest))
        let summary = DatasetSummary(classes: index.classes, trainBefore: before, trainAfter: after, splitCounts: splitCounts,
                                     outputs: total, inputFingerprint: DatasetSummary.fingerprint(index.samples.map { ($0.id, rowHashes[rowOfID[$0.id]!]) }),
                                     inputSamples: index.count, skipped: [], files: files)
        let dataset = summary.json(pipeline: pipeline, manifestHash: SHA256.hex(manifestText),
                                       timings: DatasetSummary.timings([("totalSeconds", (clock.now - started).seconds)]))
        try FileIO.writeAtomically(JSONWriter.pretty(dataset), to: folder.path(OutputLayout.dataset))
        folder.finishState()
        return RunSummary(out: out, before: before, after: after, written: written, resumed: 0, planned: total, skipped: [],
                          seconds: (clock.now - started).seconds, planLines: [])
    }
}
