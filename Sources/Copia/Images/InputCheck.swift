/// Reads, hashes and checks every input image once, in parallel, before anything is written, so a corrupt,
/// truncated, oversized or non-image file stops the run with its name (or is skipped and recorded) up front.
/// PNGs are decoded fully; JPEGs have every scan entropy-decoded (`ImageDecoder.check`), which finds the same damage.
enum InputCheck {
    struct Failure: Error, Sendable {
        var index: Int
        var message: String
    }

    struct Result {
        var facts: [InputFacts?]
        var failures: [Failure]
    }

    final class Worker {
        let decoder: ImageDecoder
        let hasher = SHA256()
        var bytes: [UInt8] = []
        var image = Image(info: ImageInfo(width: 0, height: 0, channels: 1))

        init(limits: DecodeLimits) { decoder = ImageDecoder(limits: limits) }
    }

    static func run(_ index: SampleIndex, limits: DecodeLimits, jobs: Int, progress: ProgressLine? = nil) throws -> Result {
        let collected = Collected(count: index.count)
        let samples = index.samples
        try OrderedExecutor(jobs: jobs).run(range: 0..<samples.count, makeState: { Worker(limits: limits) }) { (i: Int, w: Worker) -> Swift.Result<InputFacts, Failure> in
            let path = samples[i].locator
            do {
                try FileIO.read(path, into: &w.bytes)
            } catch {
                return .failure(Failure(index: i, message: "\(error)"))
            }
            var current = path
            do {
                let (format, info) = try w.decoder.check(w.bytes, scratch: &w.image)
                w.hasher.update(w.bytes)
                var facts = InputFacts(info: info, format: format, sha256: w.hasher.finish(), bytes: w.bytes.count)
                if let maskPath = samples[i].mask {
                    guard FileIO.exists(maskPath) else { return .failure(Failure(index: i, message: "\(maskPath): mask of \(path) does not exist")) }
                    current = maskPath
                    try FileIO.read(maskPath, into: &w.bytes)
                    let format = try w.decoder.decode(w.bytes, into: &w.image)
                    guard format == .png else { return .failure(Failure(index: i, message: "\(maskPath): masks must be PNG (lossless), got JPEG")) }
                    guard w.image.width == facts.info.width, w.image.height == facts.info.height else {
                        return .failure(Failure(index: i, message: "\(maskPath): mask is \(w.image.width)x\(w.image.height), its image \(path) is \(facts.info.width)x\(facts.info.height)"))
                    }
                    w.hasher.update(w.bytes)
                    facts.maskSHA256 = w.hasher.finish()
                }
                return .success(facts)
            } catch let error as CodecError {
                return .failure(Failure(index: i, message: error.at(current).description))
            } catch {
                return .failure(Failure(index: i, message: "\(current): \(error)"))
            }
        } commit: { i, result in
            collected.store(i, result)
            progress?.advance()
        }
        progress?.finish()
        return Result(facts: collected.facts, failures: collected.failures)
    }

    private final class Collected: @unchecked Sendable {
        var facts: [InputFacts?]
        var failures: [Failure] = []

        init(count: Int) { facts = Array(repeating: nil, count: count) }

        /// Called in index order by one committer at a time.
        func store(_ i: Int, _ result: Swift.Result<InputFacts, Failure>) {
            switch result {
            case .success(let f): facts[i] = f
            case .failure(let e): failures.append(e)
            }
        }
    }
}
