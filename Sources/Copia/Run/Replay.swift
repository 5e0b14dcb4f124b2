/// `copia replay`: regenerates one output from its manifest line alone.
public enum Replayer {
    public struct Result: Sendable {
        public var id: String
        public var bytes: [UInt8]
        public var sha256: String
        public var expected: String
        /// The regenerated mask's hash and the manifest's, when the sample has a mask.
        public var maskSHA256: String? = nil
        public var expectedMask: String? = nil
        public var matches: Bool { sha256 == expected && maskSHA256 == expectedMask }
    }

    /// Finds the line whose `id` or `path` is `id` and rebuilds its bytes from its sources, ops and encoding.
    /// - Throws: when the line is missing, a source is missing or changed since the run, or an op is unknown.
    public static func replay(manifest: String, id: String) throws -> Result {
        let lines = try ManifestReader.lines(at: manifest)
        guard let line = lines.first(where: { $0["id"]?.stringValue == id || $0["path"]?.stringValue == id }) else {
            let ids = lines.compactMap { $0["id"]?.stringValue }
            let hint = didYouMean(id, among: ids).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw RunError("\(manifest): no sample with id \"\(id)\"\(hint)")
        }
        return try replay(line: line, manifest: manifest)
    }

    public static func replay(line: JSONObject, manifest: String = "manifest.jsonl") throws -> Result {
        let id = line["id"]?.stringValue ?? "?"
        if line["origin"]?.stringValue == Origin.generated.rawValue { return try replayGenerated(line: line, manifest: manifest) }
        guard let expected = line["sha256"]?.stringValue, let sources = line["sources"]?.arrayValue, let first = sources.first?.objectValue,
              let sourcePath = first["path"]?.stringValue, let sourceHash = first["sha256"]?.stringValue else {
            throw RunError("\(manifest): line for \(id) lacks sha256 or sources")
        }
        if line["row"] != nil {
            throw RunError("\(manifest): \(id) is a table row; replay works on image samples (verify checks rows)")
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.read(sourcePath) } catch { throw RunError("\(id): source \(error)") }
        guard SHA256.hex(bytes) == sourceHash else {
            throw RunError("\(sourcePath): changed since the run (sha256 differs from the manifest's \(sourceHash))")
        }
        let ops = try (line["ops"]?.arrayValue ?? []).enumerated().map { n, op in try AppliedOp.decode(op, at: "ops[\(n)]") }
        let output: [UInt8]
        if line["origin"]?.stringValue == Origin.original.rawValue || line["origin"]?.stringValue == Origin.oversampled.rawValue {
            output = bytes
        } else {
            let decoder = ImageDecoder(limits: DecodeLimits(maxPixels: Int.max))
            var image = try decoder.decode(bytes)
            // Mixing ops' partners are the further sources, checked against their recorded hashes too.
            var partners: [String: Image] = [:]
            for source in sources.dropFirst() {
                guard let id = source["id"]?.stringValue, let path = source["path"]?.stringValue, let hash = source["sha256"]?.stringValue else { continue }
                let partnerBytes = try FileIO.read(path)
                guard SHA256.hex(partnerBytes) == hash else { throw RunError("\(path): changed since the run (sha256 differs from the manifest's \(hash))") }
                partners[id] = try decoder.decode(partnerBytes)
            }
            image = try ImageChain.apply(ops, to: image, partners: partners)
            output = try encode(image, settings: line["encoding"]?.objectValue, id: id, manifest: manifest)
        }
        return try withMask(Result(id: id, bytes: output, sha256: SHA256.hex(output), expected: expected), line: line, ops: ops)
    }

    /// A generated image: the checkpoint named by the line (beside the manifest, checked against its hash) decodes the
    /// recorded latent code for the recorded class.
    private static func replayGenerated(line: JSONObject, manifest: String) throws -> Result {
        let id = line["id"]?.stringValue ?? "?"
        guard let expected = line["sha256"]?.stringValue, let generator = line["generator"]?.objectValue,
              let checkpoint = generator["checkpoint"]?.stringValue, let checkpointHash = generator["sha256"]?.stringValue,
              let condition = line["condition"]?.stringValue, let latent = line["latent"]?.arrayValue?.compactMap(\.numberValue) else {
            throw RunError("\(manifest): line for \(id) lacks sha256, generator, condition or latent")
        }
        let out = FileIO.parentDirectory(of: manifest)
        let snapshot = try GeneratorSnapshot.load(path: FileIO.join(out, checkpoint), relativePath: checkpoint, expectedSHA256: checkpointHash)
        guard let classIndex = snapshot.classes.firstIndex(of: condition) else {
            throw RunError("\(manifest): \(id): class \(condition) is not one the generator \(checkpoint) was trained on")
        }
        guard latent.count == snapshot.latentSize else {
            throw RunError("\(manifest): \(id): latent has \(latent.count) values, the generator takes \(snapshot.latentSize)")
        }
        let image = GeneratorSnapshot.decode(latent.map { Float($0) }, classIndex: classIndex, model: try snapshot.makeModel(),
                                             shape: snapshot.shape, classCount: snapshot.classes.count)
        let output = try encode(image, settings: line["encoding"]?.objectValue, id: id, manifest: manifest)
        return Result(id: id, bytes: output, sha256: SHA256.hex(output), expected: expected)
    }

    /// Encodes `image` with a manifest line's recorded encoder settings.
    private static func encode(_ image: Image, settings: JSONObject?, id: String, manifest: String) throws -> [UInt8] {
        guard let settings, let format = settings["format"]?.stringValue else { throw RunError("\(manifest): \(id) has no encoding settings") }
        switch format {
        case "png": return try PNGEncoder(level: Int(settings["level"]?.numberValue ?? 1)).encode(image)
        case "jpeg": return try JPEGEncoder(quality: Int(settings["quality"]?.numberValue ?? 95)).encode(image)
        default: throw RunError("\(manifest): \(id): unknown encoding format \"\(format)\"")
        }
    }

    /// Adds the regenerated mask's hash to `result`, when the line has a mask.
    private static func withMask(_ result: Result, line: JSONObject, ops: [AppliedOp]) throws -> Result {
        var result = result
        if let mask = line["mask"]?.objectValue, let source = mask["source"]?.objectValue, let maskPath = source["path"]?.stringValue {
            let maskBytes = try FileIO.read(maskPath)
            guard SHA256.hex(maskBytes) == source["sha256"]?.stringValue else {
                throw RunError("\(maskPath): changed since the run (sha256 differs from the manifest's)")
            }
            var regenerated = maskBytes
            if line["origin"]?.stringValue == Origin.augmented.rawValue {
                let decoded = try ImageDecoder(limits: DecodeLimits(maxPixels: Int.max)).decode(maskBytes)
                regenerated = try PNGEncoder(level: Int(mask["encoding"]?["level"]?.numberValue ?? 1)).encode(try MaskSupport.apply(ops, toMask: decoded))
            }
            result.maskSHA256 = SHA256.hex(regenerated)
            result.expectedMask = mask["sha256"]?.stringValue
        }
        return result
    }
}
