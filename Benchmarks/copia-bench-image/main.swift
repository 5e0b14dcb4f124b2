// Image augmentation benchmark: milliseconds per 256x256 RGB image for every registered op (applying resolved
// parameters only: no decode, no encode), and the ops-only chain of ../shared/peers/bench_albu.py
// (RandomResizedCrop 224, HorizontalFlip, Rotate(limit 15), ColorJitter, GaussianBlur, GaussNoise).
// One JSON line per figure; times are this thread's CPU time (the machine is shared), as albu_ops.py measures. Run in release: swift run -c release copia-bench-image [--quick] [photo.jpg]
import CopiaCore
import CopiaImage
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let quick = arguments.contains("--quick")
/// `--only NAME`: time one op, or `--only chain` the bench_albu chain alone (for profiling).
let only = arguments.firstIndex(of: "--only").flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[arguments.index(after: $0)] : nil }
let photo = arguments.first { !$0.hasPrefix("--") && $0 != only } ?? "SampleData/photos/person/astronaut_01.jpg"

/// A 256x256 RGB image: the photo resized when it decodes, else a synthetic texture.
func benchmarkImage() -> Image {
    if let decoded = try? ImageDecoder().decodeFile(atPath: photo) {
        var rgb = decoded
        if decoded.channels != 3 {
            rgb = Image(info: ImageInfo(width: decoded.width, height: decoded.height, channels: 3))
            for i in 0..<decoded.info.pixelCount { for c in 0..<3 { rgb.bytes[i * 3 + c] = decoded.bytes[i * decoded.channels + min(c, decoded.channels - 1)] } }
        }
        return ResizeKernels.resize(rgb, width: 256, height: 256, interpolation: .area)
    }
    var image = Image(info: ImageInfo(width: 256, height: 256, channels: 3))
    for y in 0..<256 { for x in 0..<256 { for c in 0..<3 { image.bytes[(y * 256 + x) * 3 + c] = UInt8((x * 7 + y * 3 + c * 50 + (x * y) % 31) & 255) } } }
    return image
}

/// CPU time of this thread: on a shared 2-core machine wall time mostly measures the neighbours.
func threadCPUNanoseconds() -> UInt64 {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

func spec(_ text: String) -> ImageOp {
    let context = SpecContext()
    guard let json = try? JSONParser.parse(text), let (op, _) = ImageOp.decode(json, at: "$", in: context), context.problems.isEmpty else {
        fatalError("bad benchmark spec \(text): \(context.problems)")
    }
    return op
}

func emit(_ fields: KeyValuePairs<String, JSONValue>) {
    var o = JSONObject()
    for (k, v) in fields { o[k] = v }
    print(JSONWriter.compact(.object(o)))
}

/// Resolves `ops` for `samples` different keys up front, then times applying them (the executor's hot path).
func measure(_ ops: [ImageOp], on image: Image, samples: Int) throws -> Double {
    var plans: [[AppliedOp]] = []
    for s in 0..<samples {
        var rng = CounterRandom(seed: 1, stage: "bench", sample: "\(s)")
        plans.append(ImageChain.resolve(ops, for: image.info, using: &rng).applied)
    }
    for plan in plans.prefix(3) { _ = try ImageChain.apply(plan, to: image) }  // warm-up
    let start = threadCPUNanoseconds()
    var checksum = 0
    for plan in plans { checksum &+= Int(try ImageChain.apply(plan, to: image).bytes.first ?? 0) }
    let elapsed = Double(threadCPUNanoseconds() - start) / 1e6
    if checksum == -1 { print("") }
    return elapsed / Double(samples)
}

/// Each op at albumentations' defaults with p = 1 (sizes where an op requires one).
let perOp: [(String, String)] = ImageOps.names.compactMap { name in
    switch name {
    case "Sequence", "OneOf", "SomeOf", "RandomOrder", "MixUp", "CutMix": return nil  // compositions; two-image ops
    case "RandomResizedCrop": return (name, #"{"op": "RandomResizedCrop", "size": [224, 224]}"#)
    case "CenterCrop", "RandomCrop": return (name, #"{"op": "\#(name)", "height": 224, "width": 224}"#)
    case "Resize": return (name, #"{"op": "Resize", "height": 224, "width": 224}"#)
    case "LongestMaxSize", "SmallestMaxSize": return (name, #"{"op": "\#(name)", "maxSize": 224}"#)
    case "PadIfNeeded": return (name, #"{"op": "PadIfNeeded", "minHeight": 288, "minWidth": 288}"#)
    case "Pad": return (name, #"{"op": "Pad", "padding": [16]}"#)
    case "Rotate": return (name, #"{"op": "Rotate", "p": 1, "limit": 15}"#)
    default: return (name, #"{"op": "\#(name)", "p": 1}"#)
    }
}

let image = benchmarkImage()
let samples = quick ? 5 : 40
emit(["bench": "copia-image", "image": .string("\(image.info)"), "samples": .number(Double(samples))])
for (name, text) in perOp where only == nil || only == name {
    do {
        let ms = try measure([spec(text)], on: image, samples: samples)
        emit(["op": .string(name), "ms_per_image": .number((ms * 1000).rounded() / 1000)])
    } catch {
        emit(["op": .string(name), "error": .string("\(error)")])
    }
}
if only != nil && only != "chain" { exit(0) }
let chain = [#"{"op": "RandomResizedCrop", "size": [224, 224]}"#, #"{"op": "HorizontalFlip"}"#, #"{"op": "Rotate", "limit": 15}"#,
             #"{"op": "ColorJitter"}"#, #"{"op": "GaussianBlur", "p": 0.5}"#, #"{"op": "GaussNoise", "p": 0.5}"#].map(spec)
let chainMs = try measure(chain, on: image, samples: quick ? 20 : 400)
emit(["chain": "bench_albu", "ms_per_image": .number((chainMs * 1000).rounded() / 1000)])
