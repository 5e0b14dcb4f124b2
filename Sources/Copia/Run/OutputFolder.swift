/// Prepares an output folder for a fresh or resumed run, and guards against mixing two different runs in one folder.
struct OutputFolder {
    let root: String

    func path(_ relative: String) -> String { FileIO.join(root, relative) }

    /// The state an interrupted run left, checked against this run's spec.
    struct State {
        var completePaths: [String]
        var manifestBytes: Int
    }

    /// Makes the folder ready. Fresh: it must not exist or be empty (or `overwrite` a previous Copia output).
    /// Resume: it must hold a run of the same spec hash and plan size.
    func prepare(specHash: String, planned: Int, seed: UInt64, resume: Bool, overwrite: Bool) throws -> State {
        let statePath = path(OutputLayout.runState)
        let runState: JSONObject = ["specSHA256": .string(specHash), "planned": .number(Double(planned)), "seed": .number(Double(seed)), "copia": .string(copiaVersion)]
        if resume {
            guard FileIO.exists(path(OutputLayout.manifest)) || FileIO.exists(statePath) else {
                throw RunError("\(root): nothing to resume (no \(OutputLayout.manifest)); run without --resume")
            }
            if FileIO.exists(statePath) {
                let saved = try JSONParser.parse(try FileIO.read(statePath)).objectValue ?? [:]
                if saved["specSHA256"] != .string(specHash) {
                    throw RunError("\(root): was started with a different pipeline spec (sha256 \(saved["specSHA256"]?.stringValue ?? "?")); resume needs the same spec, or run elsewhere")
                }
            } else if FileIO.exists(path(OutputLayout.dataset)) {
                // A finished run: resuming it re-checks every line and finishes again.
            }
            let (paths, bytes) = try ManifestReader.completeLines(at: path(OutputLayout.manifest))
            try removePartials()
            try FileIO.makeDirectories(path(OutputLayout.stateFolder))
            try FileIO.writeAtomically(JSONWriter.pretty(.object(runState)), to: statePath)
            return State(completePaths: paths, manifestBytes: bytes)
        }
        if FileIO.isDirectory(root) {
            let entries = try FileIO.list(root)
            if !entries.isEmpty {
                let isCopiaOutput = entries.contains(OutputLayout.manifest) || entries.contains(OutputLayout.stateFolder)
                guard isCopiaOutput else {
                    throw RunError("\(root): output folder exists and is not empty; choose another --out")
                }
                guard overwrite else {
                    throw RunError("\(root): already holds a Copia run; pass --resume to continue it or --overwrite to replace it")
                }
                try removeCopiaOutput()
            }
        } else if FileIO.exists(root) {
            throw RunError("\(root): exists and is not a folder")
        }
        try FileIO.makeDirectories(path(OutputLayout.stateFolder))
        try FileIO.writeAtomically(JSONWriter.pretty(.object(runState)), to: statePath)
        return State(completePaths: [], manifestBytes: 0)
    }

    /// Removes the `.partial` files an interrupted run left.
    private func removePartials() throws {
        for rel in try FileIO.walk(root) where rel.hasSuffix(".partial") { FileIO.remove(path(rel)) }
    }

    /// Removes a previous Copia output's files (only what a Copia run writes: split folders and metadata).
    private func removeCopiaOutput() throws {
        for rel in try FileIO.walk(root) {
            let top = rel.split(separator: "/").first.map(String.init) ?? rel
            if Split(rawValue: top) != nil || top == "masks" || OutputLayout.metadata.contains(rel) || top == OutputLayout.stateFolder
                || rel.hasSuffix(".csv") && !rel.contains("/") {
                FileIO.remove(path(rel))
            }
        }
    }

    func finishState() {
        FileIO.remove(path(OutputLayout.runState))
        rmdirIfEmpty(path(OutputLayout.stateFolder))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func rmdirIfEmpty(_ path: String) { rmdir(path) }
