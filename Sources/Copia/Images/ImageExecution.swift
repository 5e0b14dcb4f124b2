import CopiaLearn

/// Turns recipes into files and manifest lines on a bounded pool of workers.
struct ImageExecution: Sendable {
    let plan: ImagePlan
    let index: SampleIndex
    let facts: [InputFacts]
    let out: String
    let write: WriteStage
    let seed: UInt64
    /// The trained generate-stage model, when the plan holds generated images.
    var generator: GeneratorSnapshot? = nil

    /// Per-thread codecs, buffers and generator model, reused across recipes.
    final class Worker {
        let decoder: ImageDecoder
        let png: PNGEncoder
        let jpeg: JPEGEncoder
        let hasher = SHA256()
        var bytes: [UInt8] = []
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        let generator: VariationalAutoencoder?

        init(write: WriteStage, generator: GeneratorSnapshot?) throws {
            decoder = ImageDecoder(limits: DecodeLimits(maxPixels: Int.max))
            png = PNGEncoder(level: write.pngCompression)
            jpeg = JPEGEncoder(quality: write.jpegQuality)
            self.generator = try generator?.makeModel()
        }
    }

    func execute(range: Range<Int>, jobs: Int, manifest: ManifestWriter, progress: ProgressLine) throws {
        // Create every output folder once, up front.
        var folders = Set<String>()
        for o in plan.outputs[range] { folders.insert("\(o.split.rawValue)/\(index.samples[Int(o.source)].label)") }
        for f in folders.sorted() { try FileIO.makeDirectories(FileIO.join(out, f)) }
        let write = self.write, generator = self.generator
        // A worker whose generator cannot be rebuilt (impossible for a snapshot taken in this process) fails its first
        // generated recipe with the reason, instead of trapping.
        try OrderedExecutor(jobs: jobs).run(range: range, makeState: { WorkerSlot(result: Result { try Worker(write: write, generator: generator) }) }) { i, slot in
            try produce(plan.recipe(i), worker: try slot.result.get())
        } commit: { _, line in
            try manifest.append(line)
            progress.advance()
        }
    }

    final class WorkerSlot {
        let result: Result<Worker, any Error>
        init(result: Result<Worker, any Error>) { self.result = result }
    }

    /// Makes one output file and returns its manifest line.
    func produce(_ recipe: ImageRecipe, worker w: Worker) throws -> String {
        if recipe.origin == .generated { return try produceGenerated(recipe, worker: w) }
        let sample = index.samples[recipe.source]
        let sourceFacts = facts[recipe.source]
        let sourceHash = try read(recipe.source, into: &w.bytes, worker: w)
        let outputBytes: [UInt8]
        var outputInfo = sourceFacts.info
        var partnerHashes: [String] = []
        switch recipe.origin {
        case .original, .oversampled, .generated:
            outputBytes = w.bytes
        case .augmented:
            try decode(recipe.source, into: &w.image, worker: w)
            var partners: [String: Image] = [:]
            for p in recipe.partners {
                var partnerBytes: [UInt8] = []
                partnerHashes.append(try read(p, into: &partnerBytes, worker: w))
                var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
                do { try w.decoder.decode(partnerBytes, into: &image) } catch { throw RunError(error.at(index.samples[p].locator).description) }
                partners[index.samples[p].id] = image
            }
            let result = try ImageChain.apply(recipe.ops, to: w.image, partners: partners)
            outputInfo = result.info
            outputBytes = try encode(result, as: recipe.format, worker: w)
        }
        w.hasher.update(outputBytes)
        let outputHash = w.hasher.finish()
        let mask = try produceMask(recipe, worker: w)
        try FileIO.writeAtomically(outputBytes, to: FileIO.join(out, recipe.outputPath))
        var line = manifestLine(recipe, source: (sample, sourceHash), outputHash: outputHash, size: outputBytes.count, info: outputInfo)
        if let mask { line["mask"] = mask }
        if !recipe.partners.isEmpty {
            var sources = line["sources"]?.arrayValue ?? []
            for (p, hash) in zip(recipe.partners, partnerHashes) {
                sources.append(["id": .string(index.samples[p].id), "path": .string(index.samples[p].locator), "sha256": .string(hash), "role": "partner"])
            }
            line["sources"] = .array(sources)
        }
        return JSONWriter.compact(.object(line))
    }

    /// Decodes a generated image from its latent code, writes it and returns its manifest line: no source file, the
    /// generator's checkpoint and hash, the class it was conditioned on and the latent code itself.
    private func produceGenerated(_ recipe: ImageRecipe, worker w: Worker) throws -> String {
        guard let snapshot = generator, let model = w.generator, let key = recipe.randomSample,
              let classIndex = snapshot.classes.firstIndex(of: recipe.label) else {
            throw RunError("\(recipe.outputPath): planned as generated, but no generator was trained for class \(recipe.label)")
        }
        let z = GeneratorSnapshot.latentCode(seed: seed, name: snapshot.name, key: key, size: snapshot.latentSize)
        let image = GeneratorSnapshot.decode(z, classIndex: classIndex, model: model, shape: snapshot.shape, classCount: snapshot.classes.count)
        let bytes = try encode(image, as: recipe.format, worker: w)
        w.hasher.update(bytes)
        let hash = w.hasher.finish()
        try FileIO.writeAtomically(bytes, to: FileIO.join(out, recipe.outputPath))
        var line = manifestLine(recipe, source: nil, outputHash: hash, size: bytes.count, info: image.info)
        line["generator"] = snapshot.reference
        line["condition"] = .string(recipe.label)
        line["latent"] = .array(z.map { .number(Double($0)) })
        return JSONWriter.compact(.object(line))
    }

    /// Writes the output's mask (a byte copy for originals, the chain's geometry with nearest interpolation for
    /// augmented samples, always PNG) under `masks/`, and returns its manifest entry.
    private func produceMask(_ recipe: ImageRecipe, worker w: Worker) throws -> JSONValue? {
        let sample = index.samples[recipe.source]
        guard let maskPath = sample.mask, let expected = facts[recipe.source].maskSHA256 else { return nil }
        var bytes: [UInt8] = []
        try FileIO.read(maskPath, into: &bytes)
        w.hasher.update(bytes)
        let sourceHash = w.hasher.finish()
        guard sourceHash == expected else { throw RunError("\(maskPath): changed during the run (sha256 \(sourceHash), was \(expected))") }
        var output = bytes
        if recipe.origin == .augmented {
            let mask: Image
            do { mask = try w.decoder.decode(bytes) } catch { throw RunError(error.at(maskPath).description) }
            output = try w.png.encode(try MaskSupport.apply(recipe.ops, toMask: mask))
        }
        let relative = ImageExecution.maskPath(for: recipe.outputPath)
        try FileIO.makeDirectories(FileIO.parentDirectory(of: FileIO.join(out, relative)))
        try FileIO.writeAtomically(output, to: FileIO.join(out, relative))
        w.hasher.update(output)
        var entry: JSONObject = ["path": .string(relative), "sha256": .string(w.hasher.finish()), "bytes": .number(Double(output.count)),
                                 "source": ["path": .string(maskPath), "sha256": .string(sourceHash)]]
        if recipe.origin == .augmented { entry["encoding"] = ["format": "png", "level": .number(Double(write.pngCompression)), "filter": "sub"] }
        return .object(entry)
    }

    /// Where an output's mask goes: `masks/<split>/<class>/<stem>.png`, a tree beside the images (inside the class
    /// folders it would be read as one more image of the class).
    static func maskPath(for outputPath: String) -> String {
        "masks/" + ImageScan.maskName(for: outputPath)
    }

    /// Reads sample `i`'s bytes and checks they are still the bytes the input check hashed; returns the hash.
    private func read(_ i: Int, into bytes: inout [UInt8], worker w: Worker) throws -> String {
        let sample = index.samples[i]
        try FileIO.read(sample.locator, into: &bytes)
        w.hasher.update(bytes)
        let hash = w.hasher.finish()
        guard hash == facts[i].sha256 else {
            throw RunError("\(sample.locator): changed during the run (sha256 \(hash), was \(facts[i].sha256))")
        }
        return hash
    }

    private func decode(_ i: Int, into image: inout Image, worker w: Worker) throws {
        do {
            try w.decoder.decode(w.bytes, into: &image)
        } catch {
            throw RunError(error.at(index.samples[i].locator).description)
        }
    }

    func encode(_ image: Image, as format: ImageFormat, worker w: Worker) throws -> [UInt8] {
        switch format {
        case .png: return try w.png.encode(image)
        case .jpeg: return try w.jpeg.encode(image)
        }
    }

    /// The encoder settings of a new image, recorded so that replay reproduces the bytes.
    func encoding(for format: ImageFormat) -> JSONValue {
        switch format {
        case .png: return ["format": "png", "level": .number(Double(write.pngCompression)), "filter": "sub"]
        case .jpeg: return ["format": "jpeg", "quality": .number(Double(write.jpegQuality)), "subsampling": "420"]
        }
    }

    /// The manifest line of an output; `source` is nil for a generated image, which has none.
    func manifestLine(_ recipe: ImageRecipe, source: (sample: Sample, sha256: String)?, outputHash: String, size: Int, info: ImageInfo) -> JSONObject {
        var line: JSONObject = [
            "id": .string(recipe.id),
            "path": .string(recipe.outputPath),
            "sha256": .string(outputHash),
            "bytes": .number(Double(size)),
            "label": .string(recipe.label),
            "split": .string(recipe.split.rawValue),
            "origin": .string(recipe.origin.rawValue),
            "width": .number(Double(info.width)),
            "height": .number(Double(info.height)),
        ]
        if let (sample, sourceHash) = source {
            var entry: JSONObject = ["id": .string(sample.id), "path": .string(sample.locator), "sha256": .string(sourceHash)]
            if let g = sample.group { entry["group"] = .string(g) }
            line["sources"] = [.object(entry)]
        } else {
            line["sources"] = []
        }
        line["ops"] = .array(recipe.ops.map(\.json))
        if let stage = recipe.randomStage, let key = recipe.randomSample {
            line["random"] = ["seed": .number(Double(seed)), "stage": .string(stage), "sample": .string(key)]
            line["encoding"] = encoding(for: recipe.format)
        } else {
            line["random"] = .null
        }
        return line
    }

    /// Checks that the manifest an interrupted run left is a prefix of this plan, and returns its length.
    static func checkResumedPrefix(_ paths: [String], against plan: ImagePlan, in out: String) throws -> Int {
        guard paths.count <= plan.count else {
            throw RunError("\(out)/\(OutputLayout.manifest): has \(paths.count) lines but this plan has only \(plan.count) outputs; it belongs to another run")
        }
        for (k, path) in paths.enumerated() where path != plan.outputPath(k) {
            throw RunError("\(out)/\(OutputLayout.manifest): line \(k + 1) is \"\(path)\", the plan expects \"\(plan.outputPath(k))\"; it belongs to another run")
        }
        return paths.count
    }
}
