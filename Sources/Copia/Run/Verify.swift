import CopiaTable

/// `copia verify`: re-hashes every output against the manifest.
public enum Verifier {
    public struct Report: Sendable {
        public var checked: Int
        public var problems: [String]
        public var ok: Bool { problems.isEmpty }
    }

    /// Checks that every manifest line's file (or table row) exists with its recorded SHA-256 and size, that the
    /// manifest matches dataset.json (a finished run), and that no sample file lies in the output without a line.
    public static func verify(_ out: String, jobs: Int = 2) throws -> Report {
        let manifestPath = FileIO.join(out, OutputLayout.manifest)
        guard FileIO.isDirectory(out) else { throw RunError("\(out): output folder does not exist") }
        guard FileIO.exists(manifestPath) else { throw RunError("\(out): no \(OutputLayout.manifest); is this a Copia output?") }
        let lines = try ManifestReader.lines(at: manifestPath)
        var problems: [String] = []

        let datasetPath = FileIO.join(out, OutputLayout.dataset)
        var dataset: JSONObject?
        if FileIO.exists(datasetPath) {
            dataset = try JSONParser.parse(try FileIO.read(datasetPath)).objectValue
            if let expected = dataset?["outputs"]?.numberValue, Int(expected) != lines.count {
                problems.append("\(manifestPath): \(lines.count) lines, dataset.json says \(Int(expected)) outputs")
            }
            if let expected = dataset?["manifestSHA256"]?.stringValue, expected != SHA256.hex(try FileIO.read(manifestPath)) {
                problems.append("\(manifestPath): sha256 differs from dataset.json's manifestSHA256")
            }
        } else {
            problems.append("\(datasetPath): missing; the run did not finish (continue it with copia run --resume)")
        }

        // Generator checkpoints: the files generated samples name, with the hashes dataset.json recorded.
        for generator in dataset?["generators"]?.arrayValue ?? [] {
            guard let relative = generator["checkpoint"]?.stringValue, let expected = generator["sha256"]?.stringValue else { continue }
            let path = FileIO.join(out, relative)
            guard let bytes = try? FileIO.read(path) else { problems.append("\(path): missing (generator checkpoint in dataset.json)"); continue }
            let actual = SHA256.hex(bytes)
            if actual != expected { problems.append("\(path): sha256 \(actual), dataset.json says \(expected)") }
        }

        // Table outputs: whole-file hashes from dataset.json, row hashes from the manifest.
        var tableRows: [String: [String]] = [:]
        if let files = dataset?["files"]?.objectValue {
            for (name, info) in files {
                let path = FileIO.join(out, name)
                guard FileIO.exists(path) else { problems.append("\(path): missing"); continue }
                let bytes = try FileIO.read(path)
                if SHA256.hex(bytes) != info["sha256"]?.stringValue { problems.append("\(path): sha256 differs from dataset.json") }
                let table = try CSVReader.read(bytes: bytes, file: path, options: CSVReadOptions(keepOriginalText: true))
                tableRows[name] = (0..<table.rowCount).map { SHA256.hex(Array(table.originalText(ofRow: $0) ?? [])) }
            }
        }

        var listed = Set<String>()
        let fileLines = lines.enumerated().filter { $0.element["row"] == nil }
        for (n, line) in lines.enumerated() where line["row"] != nil {
            guard let path = line["path"]?.stringValue, let row = line["row"]?.numberValue.map({ Int($0) }), let sha = line["sha256"]?.stringValue else {
                problems.append("\(manifestPath): line \(n + 1): missing path, row or sha256")
                continue
            }
            guard let hashes = tableRows[path], row >= 1, row <= hashes.count else {
                problems.append("\(FileIO.join(out, path)): row \(row) missing")
                continue
            }
            if hashes[row - 1] != sha { problems.append("\(FileIO.join(out, path)): row \(row): sha256 differs from the manifest") }
        }

        // File outputs, hashed in parallel.
        let results = ResultsBox(count: fileLines.count)
        try OrderedExecutor(jobs: jobs).run(range: 0..<fileLines.count, makeState: { SHA256() }) { k, hasher -> String? in
            let (n, line) = fileLines[k]
            guard let path = line["path"]?.stringValue, let sha = line["sha256"]?.stringValue else {
                return "\(manifestPath): line \(n + 1): missing path or sha256"
            }
            let full = FileIO.join(out, path)
            guard let bytes = try? FileIO.read(full) else { return "\(full): missing (manifest line \(n + 1))" }
            if let size = line["bytes"]?.numberValue, Int(size) != bytes.count {
                return "\(full): \(bytes.count) bytes, the manifest says \(Int(size))"
            }
            hasher.update(bytes)
            let actual = hasher.finish()
            if actual != sha { return "\(full): sha256 \(actual), the manifest says \(sha)" }
            if let mask = line["mask"]?.objectValue, let maskPath = mask["path"]?.stringValue {
                let fullMask = FileIO.join(out, maskPath)
                guard let maskBytes = try? FileIO.read(fullMask) else { return "\(fullMask): missing (mask of manifest line \(n + 1))" }
                hasher.update(maskBytes)
                let maskHash = hasher.finish()
                if maskHash != mask["sha256"]?.stringValue { return "\(fullMask): sha256 \(maskHash), the manifest says \(mask["sha256"]?.stringValue ?? "?")" }
            }
            return nil
        } commit: { k, problem in
            results.set(k, problem)
        }
        problems += results.values.compactMap { $0 }
        for (_, line) in fileLines {
            if let p = line["path"]?.stringValue { listed.insert(p) }
            if let m = line["mask"]?["path"]?.stringValue { listed.insert(m) }
        }

        // Nothing unlisted inside the split folders (or the mask tree beside them).
        for top in Split.allCases.map(\.rawValue) + ["masks"] {
            let folder = FileIO.join(out, top)
            guard FileIO.isDirectory(folder) else { continue }
            for rel in try FileIO.walk(folder) {
                let path = "\(top)/\(rel)"
                if !listed.contains(path) { problems.append("\(FileIO.join(out, path)): not in the manifest") }
            }
        }
        return Report(checked: lines.count, problems: problems)
    }

    private final class ResultsBox: @unchecked Sendable {
        var values: [String?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ v: String?) { values[i] = v }
    }
}
