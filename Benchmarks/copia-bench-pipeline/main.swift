// Pipeline benchmarks, run in release mode (`swift run -c release copia-bench-pipeline`). Prints one JSON line per figure:
//   images/s of the demo chain (decode, Rotate, RandomResizedCrop, RandomBrightnessContrast, PNG encode, hash, atomic
//   write, manifest) on generated 256x256 JPEG photos-like inputs, with 1 and 2 workers;
//   the digits demo itself;
//   peak RSS of whole runs over 2,000 and 20,000 generated inputs (each in its own child process).
import Copia
import CopiaImage
import Foundation

#if canImport(Glibc)
import Glibc
#endif

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
}

func emit(_ object: JSONObject) {
    FileHandle.standardOutput.write(Data((JSONWriter.compact(.object(object)) + "\n").utf8))
}

/// A folder of generated inputs: 4 imbalanced classes (50/25/15/10%), smooth gradients plus texture, as JPEG or PNG.
func generateInputs(count: Int, size: Int, format: ImageFormat, at root: String) throws {
    let shares = [0.5, 0.25, 0.15, 0.10]
    let png = PNGEncoder(level: 1), jpeg = JPEGEncoder(quality: 90)
    var n = 0
    for (k, share) in shares.enumerated() {
        let folder = "\(root)/class\(k)"
        try FileIO.makeDirectories(folder)
        let m = k == shares.count - 1 ? count - n : Int(Double(count) * share)
        for i in 0..<m {
            var bytes = [UInt8](repeating: 0, count: size * size * 3)
            for y in 0..<size {
                for x in 0..<size {
                    let t = (x * 7 + y * 13 + i * 31 + k * 57) & 63
                    bytes[(y * size + x) * 3] = UInt8((x * 255 / size + t) & 255)
                    bytes[(y * size + x) * 3 + 1] = UInt8((y * 255 / size + i) & 255)
                    bytes[(y * size + x) * 3 + 2] = UInt8(((x + y) * 127 / size + k * 40 + t) & 255)
                }
            }
            let image = Image(width: size, height: size, channels: 3, bytes: bytes)
            let data = format == .png ? try png.encode(image) : try jpeg.encode(image)
            try FileIO.writeAtomically(data, to: String(format: "%@/img_%06d.%@", folder, i, format.fileExtension))
        }
        n += m
    }
}

func demoChainPipeline(input: String, output: String, size: Int) -> String {
    """
    {"version": 1, "name": "bench", "seed": 1, "stages": [
      {"stage": "source", "path": "\(input)"},
      {"stage": "split", "test": 0.1},
      {"stage": "augment", "ops": [
        {"op": "Rotate", "limit": 12, "p": 0.8},
        {"op": "RandomResizedCrop", "size": [\(size), \(size)], "scale": [0.8, 1], "ratio": [0.9, 1.1], "p": 0.5},
        {"op": "RandomBrightnessContrast", "brightnessLimit": 0.15, "contrastLimit": 0.15, "p": 0.5}]},
      {"stage": "balance"},
      {"stage": "write", "path": "\(output)"}]}
    """
}

/// Output folders of timed runs. As bench_albu.py does, the timed chain runs leave their folders in place
/// (`COPIA_BENCH_DIR`, default `$TMPDIR/copia-bench`; delete them by hand): ext4 makes creating files soon after
/// many were deleted markedly slower, so deleting between alternated runs would slow whichever runs next.
nonisolated(unsafe) var finishedOutputs: [String] = []

func removeFinishedOutputs() {
    for out in finishedOutputs { try? FileManager.default.removeItem(atPath: out) }
    finishedOutputs = []
}

/// Runs `pipeline` into a fresh folder named after `out` and returns the wall time and counts.
func timeRun(_ pipeline: Pipeline, out base: String, jobs: Int) throws -> (seconds: Double, outputs: Int, augmented: Int) {
    var n = 1
    while FileIO.exists("\(base)-\(n)") { n += 1 }
    let out = "\(base)-\(n)"
    finishedOutputs.append(out)
    let start = Date()
    let summary = try pipeline.run(RunOptions(out: out, jobs: jobs, showProgress: false))
    let seconds = Date().timeIntervalSince(start)
    let augmented = summary.after.values.reduce(0, +) - summary.before.values.reduce(0, +)
    return (seconds, summary.planned, augmented)
}

let arguments = CommandLine.arguments
let scratch = ProcessInfo.processInfo.environment["COPIA_BENCH_DIR"] ?? NSTemporaryDirectory() + "copia-bench"

if arguments.count >= 3, arguments[1] == "--child-rss" {
    // Child mode: one whole run over N generated inputs; report this process's peak RSS.
    let n = Int(arguments[2])!
    let input = "\(scratch)/rss-\(n)"
    if !FileIO.exists(input + "/class0") { try generateInputs(count: n, size: 64, format: .png, at: input) }
    let rssBefore = peakRSSMegabytes()
    let pipeline = try Pipeline.parse(demoChainPipeline(input: input, output: "\(scratch)/rss-out", size: 64))
    let r = try timeRun(pipeline, out: "\(scratch)/rss-out-\(n)", jobs: 2)
    removeFinishedOutputs()
    emit(["figure": "peak_rss_mb", "inputs": .number(Double(n)), "outputs": .number(Double(r.outputs)),
          "peakRSSMegabytes": .number((peakRSSMegabytes() * 10).rounded() / 10),
          "rssBeforeRunMegabytes": .number((rssBefore * 10).rounded() / 10), "seconds": .number((r.seconds * 100).rounded() / 100)])
    exit(0)
}

try FileIO.makeDirectories(scratch)
/// `COPIA_BENCH_ONLY=chain|albu|digits|rss` runs one part (albu, the bench_albu.py chain, runs only when asked); `COPIA_BENCH_JOBS=2` one worker count of the chain.
let only = ProcessInfo.processInfo.environment["COPIA_BENCH_ONLY"]
let chainJobs = ProcessInfo.processInfo.environment["COPIA_BENCH_JOBS"].flatMap(Int.init).map { [$0] } ?? [1, 2]

// 1. The demo chain on 2,000 photo-sized JPEG inputs: the peers' real photo crops when they are there (the same files
//    ../shared/peers/bench_albu.py reads), generated ones otherwise. Every input is copied and augmented once
//    ("copies": 1), so half the outputs go through decode, ops and PNG encode.
let peers = ProcessInfo.processInfo.environment["COPIA_PEERS_DATA"] ?? NSHomeDirectory() + "/.cache/copia-peers/data"
var photos = peers + "/img_jpg"
var photoSource = "peers img_jpg (real photo crops, 256x256, quality 90)"
if !FileIO.isDirectory(photos) {
    photos = "\(scratch)/jpeg-2000"
    photoSource = "generated 256x256 JPEGs, quality 90"
    if !FileIO.exists(photos + "/class0") { try generateInputs(count: 2000, size: 256, format: .jpeg, at: photos) }
}
let chainText = """
    {"version": 1, "name": "bench-chain", "seed": 1, "stages": [
      {"stage": "source", "path": "\(photos)"},
      {"stage": "augment", "copies": 1, "ops": [
        {"op": "Rotate", "limit": 12, "p": 0.8},
        {"op": "RandomResizedCrop", "size": [224, 224], "scale": [0.8, 1], "ratio": [0.9, 1.1], "p": 1},
        {"op": "RandomBrightnessContrast", "brightnessLimit": 0.15, "contrastLimit": 0.15, "p": 0.5}]},
      {"stage": "write", "path": "\(scratch)/out"}]}
    """
let chain = try Pipeline.parse(chainText)
for jobs in chainJobs where only == nil || only == "chain" {
    let r = try timeRun(chain, out: "\(scratch)/out-\(jobs)", jobs: jobs)
    let augmented = r.outputs / 2
    emit(["figure": "demo_chain_images_per_second", "jobs": .number(Double(jobs)), "inputs": .string(photoSource),
          "outputs": .number(Double(r.outputs)), "augmented": .number(Double(augmented)), "seconds": .number((r.seconds * 100).rounded() / 100),
          "outputsPerSecond": .number((Double(r.outputs) / r.seconds).rounded()),
          "augmentedPerSecond": .number((Double(augmented) / r.seconds).rounded()),
          "note": "whole run: scan, decode-check and hash of every input, plan, then per output read + hash, and for augmented ones decode, Rotate, RandomResizedCrop 224, RandomBrightnessContrast, PNG encode; SHA-256, atomic write, manifest line"])
}

// 1b. The chain of ../shared/peers/bench_albu.py at albumentations' defaults (RandomResizedCrop 224, HorizontalFlip,
//     Rotate 15, ColorJitter, GaussianBlur p 0.5, GaussNoise p 0.5) on the same 2,000 photos, as a whole run: compare
//     `augmentedPerSecond` with bench_albu's "full" figure (single, `taskset -c 0`) and its pool figure (2 jobs).
let albuText = """
    {"version": 1, "name": "bench-albu-chain", "seed": 1, "stages": [
      {"stage": "source", "path": "\(photos)"},
      {"stage": "augment", "copies": 1, "ops": [
        {"op": "RandomResizedCrop", "size": [224, 224]},
        {"op": "HorizontalFlip"},
        {"op": "Rotate", "limit": 15},
        {"op": "ColorJitter"},
        {"op": "GaussianBlur", "p": 0.5},
        {"op": "GaussNoise", "p": 0.5}]},
      {"stage": "write", "path": "\(scratch)/out"}]}
    """
let albuChain = try Pipeline.parse(albuText)
for jobs in chainJobs where only == "albu" {
    let r = try timeRun(albuChain, out: "\(scratch)/albu-\(jobs)", jobs: jobs)
    let augmented = r.outputs / 2
    emit(["figure": "albu_chain_images_per_second", "jobs": .number(Double(jobs)), "inputs": .string(photoSource),
          "outputs": .number(Double(r.outputs)), "augmented": .number(Double(augmented)), "seconds": .number((r.seconds * 100).rounded() / 100),
          "augmentedPerSecond": .number((Double(augmented) / r.seconds).rounded()),
          "note": "whole run; besides bench_albu's decode, chain and PNG write, Copia decode-checks and hashes every input first and copies every original"])
}

// 2. The digits demo as the README runs it.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
if FileIO.exists(root + "/SampleData/digits"), only == nil || only == "digits" {
    var text = String(decoding: try FileIO.read(root + "/Pipelines/digits.json"), as: UTF8.self)
    text = text.replacingOccurrences(of: "\"SampleData/", with: "\"\(root)/SampleData/")
    let r = try timeRun(try Pipeline.parse(text), out: "\(scratch)/digits", jobs: 2)
    emit(["figure": "digits_demo", "jobs": 2, "outputs": .number(Double(r.outputs)), "seconds": .number((r.seconds * 1000).rounded() / 1000),
          "outputsPerSecond": .number((Double(r.outputs) / r.seconds).rounded())])
}

// 3. Peak RSS, 2,000 versus 20,000 inputs, each run in a fresh child process.
for n in [2000, 20000] where only == nil || only == "rss" {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["--child-rss", String(n)]
    try child.run()
    child.waitUntilExit()
}
