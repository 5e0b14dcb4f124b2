import CopiaLearn

/// The training split's pixels as the generate stage's model sees them: one row per image, values scaled to [0, 1].
struct GeneratorTrainingSet {
    /// `[n, width × height × channels]`, channels interleaved as in the image.
    var data: Tensor
    /// Each row's class, an index into `classes`.
    var labels: [Int]
    var classes: [String]
    /// The shape every training image shares, and every generated image has.
    var shape: ImageInfo

    /// The largest image the fully connected VAE is offered (values per image): 128x128 grey or 64x64 RGB.
    static let maxValuesPerImage = 16_384

    /// Reads and decodes every training image (checking each still has the hash the input check recorded).
    /// - Throws: `RunError` naming the first image whose size, channels or depth differ from the first training
    ///   image's, an image too large for the model, or a training split with no image.
    static func read(index: SampleIndex, facts: [InputFacts], splits: [Split], stage: GenerateStage) throws -> GeneratorTrainingSet {
        let members = index.samples.indices.filter { splits[$0] == .train }
        guard let first = members.first else { throw RunError("generate \"\(stage.name)\": the training split is empty; there is nothing to learn from") }
        let shape = facts[first].info
        guard shape.sampleCount <= maxValuesPerImage else {
            throw RunError("\(index.samples[first].locator): \(shape.width)x\(shape.height)x\(shape.channels) is \(shape.sampleCount) values; the generate stage's VAE takes up to \(maxValuesPerImage) (e.g. 128x128 grey or 64x64 RGB)")
        }
        for i in members where facts[i].info != shape {
            throw RunError("\(index.samples[i].locator): \(facts[i].info), but the generate stage needs every training image shaped like \(index.samples[first].locator) (\(shape))")
        }
        let classes = index.classes
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let decoder = ImageDecoder(limits: DecodeLimits(maxPixels: Int.max))
        let hasher = SHA256()
        let width = shape.sampleCount
        let scale = 1 / Float(shape.depth.maxValue)
        var scalars = [Float](repeating: 0, count: members.count * width)
        var bytes: [UInt8] = []
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))
        for (row, i) in members.enumerated() {
            let sample = index.samples[i]
            try FileIO.read(sample.locator, into: &bytes)
            hasher.update(bytes)
            let hash = hasher.finish()
            guard hash == facts[i].sha256 else { throw RunError("\(sample.locator): changed during the run (sha256 \(hash), was \(facts[i].sha256))") }
            do { try decoder.decode(bytes, into: &image) } catch { throw RunError(error.at(sample.locator).description) }
            let base = row * width
            if shape.depth == .uint8 {
                for k in 0..<width { scalars[base + k] = Float(image.bytes[k]) * scale }
            } else {
                for k in 0..<width { scalars[base + k] = Float(image.words[k]) * scale }
            }
        }
        return GeneratorTrainingSet(data: Tensor(shape: [members.count, width], scalars: scalars),
                                    labels: members.map { classIndex[index.samples[$0].label]! }, classes: classes, shape: shape)
    }

    /// One-hot rows for `labels` over `classCount` classes.
    static func oneHot(_ labels: [Int], classCount: Int) -> Tensor {
        var t = Tensor(shape: [labels.count, classCount])
        for (r, c) in labels.enumerated() { t.scalars[r * classCount + c] = 1 }
        return t
    }
}
