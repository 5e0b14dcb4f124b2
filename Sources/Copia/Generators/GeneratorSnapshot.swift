import CopiaLearn

/// What a generated image needs to be decoded again: the architecture and the trained weights. Sendable, so every
/// worker builds its own model from it (layers keep activations, so one model is never shared between threads).
struct GeneratorSnapshot: Sendable {
    var name: String
    var hiddenSize: Int
    var latentSize: Int
    var classes: [String]
    var shape: ImageInfo
    var checkpoint: Checkpoint
    /// The checkpoint file, relative to the output folder, and its SHA-256.
    var path: String
    var sha256: String

    /// The manifest's reference to this generator.
    var reference: JSONValue {
        ["name": .string(name), "model": "vae", "checkpoint": .string(path), "sha256": .string(sha256)]
    }

    /// The metadata written into the checkpoint, so that a checkpoint alone rebuilds its model (replay needs nothing else).
    var metadata: [String: String] {
        ["model": "vae", "name": name, "hiddenSize": String(hiddenSize), "latentSize": String(latentSize),
         "classes": JSONWriter.compact(.array(classes.map { .string($0) })), "width": String(shape.width),
         "height": String(shape.height), "channels": String(shape.channels), "depth": shape.depth.rawValue]
    }

    /// Rebuilds the snapshot from a checkpoint file written by a run.
    /// - Throws: `RunError` naming the file when it is missing, changed (its hash differs from `expectedSHA256`) or
    ///   lacks the generator's metadata.
    static func load(path: String, relativePath: String, expectedSHA256: String) throws -> GeneratorSnapshot {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: path, expectedSHA256: expectedSHA256).checkpoint } catch { throw RunError("\(error)") }
        let m = checkpoint.metadata
        guard m["model"] == "vae", let name = m["name"], let hidden = m["hiddenSize"].flatMap({ Int($0) }), let latent = m["latentSize"].flatMap({ Int($0) }),
              let classesText = m["classes"], let classes = (try? JSONParser.parse(Array(classesText.utf8)))?.arrayValue?.compactMap(\.stringValue),
              let width = m["width"].flatMap({ Int($0) }), let height = m["height"].flatMap({ Int($0) }), let channels = m["channels"].flatMap({ Int($0) }),
              let depth = m["depth"].flatMap(PixelDepth.init(rawValue:)) else {
            throw RunError("\(path): not a generate-stage checkpoint (its metadata lacks the model's architecture)")
        }
        return GeneratorSnapshot(name: name, hiddenSize: hidden, latentSize: latent, classes: classes,
                                 shape: ImageInfo(width: width, height: height, channels: channels, depth: depth),
                                 checkpoint: checkpoint, path: relativePath, sha256: expectedSHA256)
    }

    /// A fresh model with the snapshot's weights.
    func makeModel() throws -> VariationalAutoencoder {
        var rng = CounterRandom(seed: 0, stage: "generate", sample: "restore")
        let model = VariationalAutoencoder(inputSize: shape.sampleCount, hiddenSize: hiddenSize, latentSize: latentSize,
                                           conditionSize: classes.count, rng: &rng)
        do { try checkpoint.restore(into: model, source: path) } catch { throw RunError("\(error)") }
        return model
    }

    /// The latent code of generated sample `key` (`"<class>#<n>"`): `latentSize` standard normals from its own key.
    static func latentCode(seed: UInt64, name: String, key: String, size: Int) -> [Float] {
        var rng = CounterRandom(seed: seed, stage: "generate/\(name)", sample: key)
        return (0..<size).map { _ in Float(rng.normal()) }
    }

    /// Decodes one latent code for `classIndex` into an image of the snapshot's shape (a batch of one, so the run and
    /// replay compute exactly the same products). Pixel values are the decoder's probabilities × the depth's maximum,
    /// rounded half away from zero.
    static func decode(_ z: [Float], classIndex: Int, model: VariationalAutoencoder, shape: ImageInfo, classCount: Int) -> Image {
        let probabilities = model.decode(Tensor(shape: [1, z.count], scalars: z),
                                         conditions: GeneratorTrainingSet.oneHot([classIndex], classCount: classCount)).scalars
        var image = Image(info: shape)
        let top = Float(shape.depth.maxValue)
        if shape.depth == .uint8 {
            for k in probabilities.indices { image.bytes[k] = UInt8(min(top, max(0, (probabilities[k] * top).rounded()))) }
        } else {
            for k in probabilities.indices { image.words[k] = UInt16(min(top, max(0, (probabilities[k] * top).rounded()))) }
        }
        return image
    }
}
