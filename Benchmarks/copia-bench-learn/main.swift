// CopiaLearn training-speed benchmarks, mirroring ../shared/peers/bench_torch_vae.py (release build):
//   swift run -c release copia-bench-learn [--threads 2] [--epochs 5] [--only vae|gan|gemm] [--n 10000]
// Protocol as the peer: one warm-up epoch, then `epochs` timed epochs; seconds/epoch is their median.
// Prints one JSON line per figure.
import CopiaCore
import CopiaLearn
import Foundation

var threads = 2, epochs = 5, only: String? = nil, n = 10_000, logDirectory: String? = nil, lrPlot: String? = nil
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--threads": threads = Int(args.next()!)!
    case "--epochs": epochs = Int(args.next()!)!
    case "--only": only = args.next()
    case "--n": n = Int(args.next()!)!
    case "--write-log": logDirectory = args.next()
    case "--lr-find": lrPlot = args.next()
    default: fatalError("unknown argument \(a)")
    }
}
BLAS.setThreads(threads)

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

@MainActor func emit(_ fields: [String: Any]) {
    var f = fields
    f["threads"] = threads
    f["blas"] = BLAS.backend
    let data = try! JSONSerialization.data(withJSONObject: f, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

/// Process CPU seconds (user + system, all threads): robust to other jobs on a shared machine, unlike wall time.
func cpuTime() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
}

/// One warm-up epoch, then `epochs` timed ones: (wall seconds, CPU seconds) per epoch.
func timedEpochs(_ epochs: Int, _ body: () -> Void) -> (wall: [Double], cpu: [Double]) {
    body()
    var wall: [Double] = [], cpu: [Double] = []
    for _ in 0..<epochs {
        let t0 = now(), c0 = cpuTime()
        body()
        wall.append(now() - t0)
        cpu.append(cpuTime() - c0)
    }
    return (wall, cpu)
}

func loadAverage() -> Double {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) == 3 ? l[0] : -1
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Fixed pseudo-random inputs in [0, 1), as the peer's (different generator; timing does not depend on values).
func inputs(_ n: Int) -> Tensor {
    var rng = CounterRandom(seed: 0, stage: "bench", sample: "x")
    return Tensor(shape: [n, 784], scalars: (0..<(n * 784)).map { _ in Float(rng.unit()) })
}

func permutation(_ n: Int, epoch: Int) -> [Int] {
    var order = Array(0..<n)
    var rng = CounterRandom(seed: 0, stage: "bench-perm", sample: "\(epoch)")
    rng.shuffle(&order)
    return order
}

// MARK: - GEMM at the VAE's shapes: tensor API versus raw sgemm

@MainActor func benchGEMM() {
    // (m, n, k, transposeA, transposeB) of the VAE step at batch 128: forward x·Wᵀ, weight gradient dyᵀ·x, input gradient dy·W.
    let shapes: [(Int, Int, Int, Bool, Bool)] = [
        (128, 400, 784, false, true), (400, 784, 128, true, false), (128, 784, 400, false, false),
        (128, 784, 400, false, true), (784, 400, 128, true, false), (128, 400, 784, false, false),
    ]
    for (m, nn, k, ta, tb) in shapes {
        var rng = CounterRandom(seed: 1, stage: "gemm", sample: "\(m)x\(nn)x\(k)")
        let a = Tensor(shape: ta ? [k, m] : [m, k], scalars: (0..<(m * k)).map { _ in Float(rng.unit()) })
        let b = Tensor(shape: tb ? [nn, k] : [k, nn], scalars: (0..<(k * nn)).map { _ in Float(rng.unit()) })
        var c = [Float](repeating: 0, count: m * nn)
        let reps = 50
        let flops = 2.0 * Double(m * nn * k) * Double(reps)
        var raws: [Double] = [], apis: [Double] = [], ratios: [Double] = []
        var sink: Float = 0
        // Back-to-back pairs, 21 of them: the median of the per-pair ratios cancels the machine's slow load swings.
        for _ in 0..<21 {
            let t0 = now()
            a.scalars.withUnsafeBufferPointer { ap in
                b.scalars.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        for _ in 0..<reps {
                            BLAS.sgemm(transposeA: ta, transposeB: tb, m: m, n: nn, k: k, a: ap.baseAddress!,
                                       b: bp.baseAddress!, c: cp.baseAddress!)
                        }
                    }
                }
            }
            let t1 = now()
            for _ in 0..<reps { sink += a.matmul(b, transposeSelf: ta, transposeOther: tb).scalars[0] }
            let t2 = now()
            raws.append(t1 - t0)
            apis.append(t2 - t1)
            ratios.append((t1 - t0) / (t2 - t1))
        }
        let raw = raws.min()!, api = apis.min()!
        emit(["figure": "gemm", "m": m, "n": nn, "k": k, "transposeA": ta, "transposeB": tb,
              "raw_gflops": flops / raw / 1e9, "tensor_gflops": flops / api / 1e9, "ratio_best": raw / api,
              "ratio_median_of_pairs": median(ratios),
              "sink": sink.isFinite])
    }
}

// MARK: - VAE 784-400-20-400-784, batch 128, Adam 1e-3

@MainActor func benchVAE() {
    let x = inputs(n)
    var rng = CounterRandom(seed: 0, stage: "init", sample: "vae")
    let model = VariationalAutoencoder(inputSize: 784, hiddenSize: 400, latentSize: 20, rng: &rng)
    let opt = Adam(parameters: model.allParameters, learningRate: 1e-3)
    let bs = 128
    var epoch = 0, lastLoss = 0.0
    let times = timedEpochs(epochs) {
        let order = permutation(n, epoch: epoch)
        var noise = CounterRandom(seed: 0, stage: "bench-noise", sample: "\(epoch)")
        for start in stride(from: 0, to: n, by: bs) {
            let batch = x.gatherRows(order[start..<min(start + bs, n)])
            opt.zeroGradients()
            lastLoss = model.accumulateGradients(batch, noise: &noise).total
            opt.step()
        }
        epoch += 1
    }
    emit(["figure": "vae", "vae_s_per_epoch": median(times.wall), "vae_s_per_epoch_min": times.wall.min()!,
          "vae_s_per_epoch_max": times.wall.max()!, "vae_samples_s": Double(n) / median(times.wall),
          "vae_cpu_s_per_epoch": median(times.cpu), "load_average": loadAverage(),
          "vae_params": model.parameterCount, "last_loss": lastLoss, "epochs_timed": epochs])
}

// MARK: - Conditional DCGAN, batch 64, Adam 2e-4 (0.5, 0.999) for both

@MainActor func benchGAN() {
    let x = inputs(n).map { $0 * 2 - 1 }.reshaped([n, 1, 28, 28])
    var labelRNG = CounterRandom(seed: 1, stage: "bench", sample: "labels")
    let labels = (0..<n).map { _ in labelRNG.int(below: 10) }
    var rng = CounterRandom(seed: 0, stage: "init", sample: "gan")
    let gan = ConditionalGAN.dcgan28(rng: &rng)
    let optG = Adam(parameters: gan.generator.allParameters, learningRate: 2e-4, beta1: 0.5)
    let optD = Adam(parameters: gan.discriminator.allParameters, learningRate: 2e-4, beta1: 0.5)
    let bs = 64
    var epoch = 0, last = ConditionalGAN.StepLoss(discriminator: 0, generator: 0)
    let times = timedEpochs(epochs) {
        let order = permutation(n, epoch: epoch)
        var noise = CounterRandom(seed: 0, stage: "bench-noise", sample: "gan\(epoch)")
        for start in stride(from: 0, to: n, by: bs) {
            let idx = Array(order[start..<min(start + bs, n)])
            last = gan.trainStep(real: x.gatherRows(idx), labels: idx.map { labels[$0] }, generatorOptimizer: optG,
                                 discriminatorOptimizer: optD, noise: &noise)
        }
        epoch += 1
    }
    emit(["figure": "gan", "gan_s_per_epoch": median(times.wall), "gan_s_per_epoch_min": times.wall.min()!,
          "gan_s_per_epoch_max": times.wall.max()!, "gan_samples_s": Double(n) / median(times.wall),
          "gan_cpu_s_per_epoch": median(times.cpu), "load_average": loadAverage(),
          "gan_params_G": gan.generator.parameterCount, "gan_params_D": gan.discriminator.parameterCount,
          "last_loss_D": last.discriminator, "last_loss_G": last.generator, "epochs_timed": epochs])
}

// MARK: - A short VAE run that writes TensorBoard and JSONL logs (checked by Benchmarks/learn/check_tensorboard.py)

@MainActor func writeLog(to directory: String) throws {
    let x = inputs(512)
    var rng = CounterRandom(seed: 0, stage: "init", sample: "vae-log")
    let model = VariationalAutoencoder(inputSize: 784, hiddenSize: 64, latentSize: 8, rng: &rng)
    let opt = Adam(parameters: model.allParameters, learningRate: 1e-3)
    let schedule = CosineSchedule(peak: 1e-3, totalSteps: 40, warmupSteps: 5)
    let log = try SummaryWriter(logDirectory: directory)
    var noise = CounterRandom(seed: 0, stage: "noise", sample: "vae-log")
    for step in 0..<40 {
        let start = (step * 64) % 512
        opt.learningRate = schedule.learningRate(atStep: step)
        opt.zeroGradients()
        let loss = model.accumulateGradients(x.rows(start..<(start + 64)), noise: &noise)
        let norm = GradientClipping.clipNorm(opt.parameters, maxNorm: 1e4)
        opt.step()
        try log.addScalar("loss/total", loss.total / 64, step: step)
        try log.addScalar("loss/kl", loss.kl / 64, step: step)
        try log.addScalar("learning_rate", Double(opt.learningRate), step: step)
        try log.addScalar("gradient_norm", norm, step: step)
        if step % 10 == 9 {
            try log.addHistograms(of: model, step: step)
            var sampler = CounterRandom(seed: 0, stage: "samples", sample: "\(step)")
            let samples = model.generate(count: 16, using: &sampler).reshaped([16, 1, 28, 28])
            try log.addImage("samples", ImageGrid(samples, columns: 4), step: step)
        }
    }
    try log.flush()
    emit(["figure": "log", "event_file": log.eventFilePath, "scalars": log.scalarsPath])
}

// MARK: - Learning-rate range test of the VAE (what `copia lr-find` will run), plot to an SVG file

@MainActor func findRate(plot path: String) throws {
    let x = inputs(4096)
    var rng = CounterRandom(seed: 0, stage: "init", sample: "vae-lr")
    let model = VariationalAutoencoder(inputSize: 784, hiddenSize: 400, latentSize: 20, rng: &rng)
    let opt = Adam(parameters: model.allParameters, learningRate: 1e-3)
    var noise = CounterRandom(seed: 0, stage: "noise", sample: "vae-lr")
    let t0 = now()
    let result = LearningRateFinder(startRate: 1e-6, endRate: 1, steps: 200).run(
        model: model, optimizer: opt, batch: { step in x.rows((step * 128 % 4096)..<(step * 128 % 4096 + 128)) }
    ) { batch in model.accumulateGradients(batch, noise: &noise).total / 128 }
    try result.writePlot(to: path, title: "VAE 784-400-20, Adam, batch 128")
    emit(["figure": "lr-find", "plot": path, "suggested_rate": Double(result.suggestedRate),
          "minimum_loss_rate": Double(result.minimumLossRate), "steps_run": result.rates.count, "seconds": now() - t0])
}

if let lrPlot {
    do { try findRate(plot: lrPlot) } catch { fatalError("\(error)") }
    exit(0)
}
if let logDirectory {
    do { try writeLog(to: logDirectory) } catch { fatalError("\(error)") }
    exit(0)
}
if only == nil || only == "gemm" { benchGEMM() }
if only == nil || only == "vae" { benchVAE() }
if only == nil || only == "gan" { benchGAN() }
