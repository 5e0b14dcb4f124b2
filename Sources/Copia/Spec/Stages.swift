import CopiaTable

/// Where the samples come from.
public struct SourceStage: SpecObject, Sendable {
    public static let specDescription = "Lists the input samples without decoding them."

    public enum Format: String, SpecEnum, Sendable {
        /// `root/<class>/<file>`, as torchvision's ImageFolder reads it.
        case imageFolder
        /// A CSV with a file column and a label column (and optionally a group column), beside an image folder.
        case labelsCSV
        /// A CSV table with a header and a label column.
        case table
    }

    public enum BadSamplePolicy: String, SpecEnum, Sendable {
        /// Stop before writing anything, naming the bad file.
        case stop
        /// Leave the sample out and record it, with the reason, in dataset.json.
        case skip
    }

    public var format: Format
    public var path: String
    public var imageRoot: String?
    public var fileColumn: String
    public var labelColumn: String
    public var groupColumn: String?
    public var maxPixels: Int
    public var onBadSample: BadSamplePolicy
    public var masks: String?
    public var maskColumn: String?
    public var delimiter: String
    public var columnTypes: [String: ColumnType]
    public var nonFinite: NonFinitePolicy

    public init(reading r: SpecReader) {
        format = r.read("format", default: Format.imageFolder, doc: "imageFolder, labelsCSV or table.")
        path = r.read("path", doc: "The image folder, or the CSV file. Relative paths are relative to the working directory.") { (p: String) in
            p.isEmpty ? "must not be empty" : nil
        }
        imageRoot = r.readOptional("imageRoot", doc: "labelsCSV: folder the file column is relative to (default: the CSV's folder).")
        fileColumn = r.read("fileColumn", default: "file", doc: "labelsCSV: the column holding image paths.")
        labelColumn = r.read("labelColumn", default: "label", doc: "labelsCSV and table: the column holding class labels.")
        groupColumn = r.readOptional("groupColumn", doc: "labelsCSV and table: a column whose equal values must stay in one split.")
        maxPixels = r.read("maxPixels", default: 100_000_000, in: 1...4_000_000_000, doc: "Images over this many pixels are refused before decoding (decompression bombs).")
        onBadSample = r.read("onBadSample", default: BadSamplePolicy.stop, doc: "What to do with a corrupt or unreadable sample: stop, or skip and record it.")
        masks = r.readOptional("masks", doc: "imageFolder: a folder of segmentation masks mirroring the images (<class>/<stem>.png); geometric ops move them with nearest interpolation, pixel ops leave them alone.")
        maskColumn = r.readOptional("maskColumn", doc: "labelsCSV: the column holding each image's mask path (relative to imageRoot).")
        delimiter = r.read("delimiter", default: ",", doc: "table and labelsCSV: the field delimiter, one ASCII character.")
        columnTypes = r.read("columnTypes", default: [:], doc: "table: column types that override inference (numeric, categorical, boolean), by column name.")
        nonFinite = r.read("nonFinite", default: NonFinitePolicy.error, doc: "table: NaN or infinity in a numeric column: error, dropRow (listed in dataset.json), or imputeMedian (the training split's median).")
    }
}

/// Holds out validation and test samples before anything is fitted.
public struct SplitStage: SpecObject, Sendable {
    public static let specDescription = "Stratified, seeded train/validation/test split; held-out samples are copied untouched and never used as sources."

    public var test: Double
    public var validation: Double
    public var byGroup: Bool

    public init(reading r: SpecReader) {
        test = r.read("test", default: 0.2, in: 0...0.9, doc: "Fraction of each class held out for testing.")
        validation = r.read("validation", default: 0, in: 0...0.9, doc: "Fraction of each class held out for validation.")
        byGroup = r.read("byGroup", default: false, doc: "Keep samples of one group (the source's groupColumn) in one split.")
        if !r.isDescribing, test + validation >= 1 { r.report("validation", "test + validation must be below 1, got \(JSONValue.format(test + validation))") }
    }
}

/// Declares the augmentation chain, and optionally adds augmented copies of every training sample.
public struct AugmentStage: SpecObject, Sendable {
    public static let specDescription = "An augmentation chain (ops as in albumentations' Compose). balance uses it to fill classes; copies > 0 also adds that many augmented copies of every training sample."

    public var ops: [ImageOp]
    public var copies: Int

    public init(reading r: SpecReader) {
        ops = r.read("ops", doc: "The ops, applied in order, each with its own probability p.") { (ops: [ImageOp]) in
            ops.isEmpty ? "must list at least one op" : nil
        }
        copies = r.read("copies", default: 0, in: 0...1000, doc: "Augmented copies of every training sample, on top of the originals.")
    }
}

/// Fills every class of the training split up to a target count.
public struct BalanceStage: SpecObject, Sendable {
    public static let specDescription = "Fills classes of the training split up to a target count with new samples made from training samples of the same class."

    public enum Strategy: String, SpecEnum, Sendable {
        /// Every class up to the largest class's count.
        case max
        /// Every class up to the mean count (rounded up); larger classes are kept as they are.
        case mean
        /// Every class up to `ratio` times the largest count.
        case ratio
        /// Explicit per-class targets in `counts`.
        case counts
    }

    public enum Method: String, SpecEnum, Sendable {
        /// augment for images, randomOverSample for tables.
        case auto
        /// Augmented copies (images), using the ops of the augment stage.
        case augment
        /// Exact copies of randomly chosen rows (tables; imbalanced-learn's RandomOverSampler).
        case randomOverSample
        /// New rows from the over-sampler in `sampler` (tables), with the balance targets as its sampling strategy.
        case sampler
        /// New images decoded by the model of the generate stage (images).
        case generate
    }

    public var strategy: Strategy
    public var ratio: Double
    public var counts: [String: Int]
    public var method: Method
    /// The over-sampler of `method: sampler`; its own samplingStrategy is replaced by this stage's targets.
    public var sampler: ResamplerSpec?
    /// The sampler as resolved JSON, so a run can re-read it with the balance targets as its strategy.
    public var samplerJSON: JSONValue?

    public init(reading r: SpecReader) {
        strategy = r.read("strategy", default: Strategy.max, doc: "max, mean, ratio (of the largest class) or counts (explicit).")
        ratio = r.read("ratio", default: 1.0, in: 0.01...100, doc: "strategy ratio: each class is filled to ratio x the largest class's count.")
        counts = r.read("counts", default: [:], doc: "strategy counts: target training count per class label.") { (c: [String: Int]) in
            c.values.contains { $0 < 0 } ? "counts must be >= 0" : nil
        }
        method = r.read("method", default: Method.auto, doc: "How new samples are made: augment or generate (images), randomOverSample or sampler (tables); auto picks augment or randomOverSample.")
        sampler = r.readOptional("sampler", doc: "method sampler: an over-sampler, e.g. {\"sampler\": \"SMOTE\", \"kNeighbors\": 5}; its samplingStrategy is replaced by this stage's targets.")
        samplerJSON = r.resolved["sampler"]
        if !r.isDescribing {
            if method == .sampler, sampler == nil { r.report("sampler", "method \"sampler\" needs a sampler, e.g. {\"sampler\": \"SMOTE\"}") }
            if method != .sampler, sampler != nil { r.report("sampler", "a sampler is only used with method \"sampler\"") }
            if let name = sampler?.resampler.name, !SamplerStage.overSamplers.contains(name) {
                r.report("sampler", "balance fills classes up, so it needs an over-sampler (\(SamplerStage.overSamplers.joined(separator: ", "))), got \"\(name)\"")
            }
        }
        if !r.isDescribing, strategy == .counts, counts.isEmpty { r.report("counts", "strategy \"counts\" needs a counts object, e.g. {\"5\": 150}") }
        if !r.isDescribing, strategy != .counts, !counts.isEmpty { r.report("counts", "counts is only used with strategy \"counts\", got strategy \"\(strategy.rawValue)\"") }
    }

    /// The training target for each class given current counts (classes already above target keep their count).
    public func targets(for current: [(label: String, count: Int)]) -> [String: Int] {
        let largest = current.map(\.count).max() ?? 0
        var out: [String: Int] = [:]
        for (label, count) in current {
            let target: Int
            switch strategy {
            case .max: target = largest
            case .mean: target = Int((Double(current.reduce(0) { $0 + $1.count }) / Double(max(1, current.count))).rounded(.up))
            case .ratio: target = Int((Double(largest) * ratio).rounded())
            case .counts: target = counts[label] ?? count
            }
            out[label] = Swift.max(count, target)
        }
        return out
    }
}

/// Trains a small generative model on the training split; balance's `method: generate` fills classes with its samples.
public struct GenerateStage: SpecObject, Sendable {
    public static let specDescription = "Trains a class-conditional VAE on the training split's images (CPU, seeded: same seed and machine, same weights); balance with method \"generate\" fills classes with images it decodes. The checkpoint (with its SHA-256 in dataset.json and every generated sample's manifest line) and TensorBoard logs go to the output; `copia lr-find` runs a learning-rate range test on the same model and data."

    public enum Model: String, SpecEnum, Sendable {
        /// A conditional variational autoencoder with Bernoulli outputs (Kingma & Welling, 2014; Sohn et al., 2015).
        case vae
    }

    public enum Schedule: String, SpecEnum, Sendable {
        /// `learningRate` throughout.
        case constant
        /// Cosine annealing from `learningRate` to zero over the run (Loshchilov & Hutter, 2017).
        case cosine
    }

    public var name: String
    public var model: Model
    public var hiddenSize: Int
    public var latentSize: Int
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var schedule: Schedule

    public init(reading r: SpecReader) {
        name = r.read("name", default: "generate", doc: "Names the checkpoint (generators/<name>.ckpt), the logs (logs/<name>/) and the stage for `copia lr-find --stage`.") { (n: String) in
            n.isEmpty || n.contains { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") } ? "must be letters, digits, - or _, got \"\(n)\"" : nil
        }
        model = r.read("model", default: Model.vae, doc: "The generative model: vae (a conditional VAE on the pixels).")
        hiddenSize = r.read("hiddenSize", default: 256, in: 2...8192, doc: "Units of the encoder's and the decoder's hidden layer.")
        latentSize = r.read("latentSize", default: 16, in: 1...1024, doc: "Dimensions of the latent code.")
        epochs = r.read("epochs", default: 100, in: 1...100_000, doc: "Passes over the training split.")
        batchSize = r.read("batchSize", default: 64, in: 1...65_536, doc: "Images per optimiser step.")
        learningRate = r.read("learningRate", default: 1e-3, in: 1e-8...10, doc: "Adam's learning rate (the peak, with the cosine schedule); `copia lr-find` suggests one.")
        schedule = r.read("schedule", default: Schedule.cosine, doc: "constant, or cosine annealing to zero.")
    }
}

/// Writes the dataset and its provenance.
public struct WriteStage: SpecObject, Sendable {
    public static let specDescription = "Writes train/validation/test in ImageFolder layout (or CSV for tables) with manifest.jsonl and dataset.json."

    public enum Format: String, SpecEnum, Sendable {
        case png
        case jpeg
    }

    public var path: String?
    public var format: Format
    public var pngCompression: Int
    public var jpegQuality: Int

    public init(reading r: SpecReader) {
        path = r.readOptional("path", doc: "Output folder (overridden by `copia run --out`).")
        format = r.read("format", default: Format.png, doc: "Format of new images; originals are copied byte for byte in their own format.")
        pngCompression = r.read("pngCompression", default: 1, in: 0...12, doc: "PNG compression: 1 (the default) is OpenCV's imwrite preset, run matches only and fast; 2-12 are libdeflate's levels, slower and smaller; 0 stores.")
        jpegQuality = r.read("jpegQuality", default: 95, in: 1...100, doc: "JPEG quality when format is jpeg.")
    }
}

// MARK: - String-keyed objects

extension Dictionary: SpecValue where Key == String, Value: SpecValue {
    public static func decode(_ json: JSONValue, at path: String, in context: SpecContext) -> (value: [String: Value], resolved: JSONValue)? {
        guard case .object(let o) = json else { context.report(path, "expected an object, got \(json)"); return nil }
        var out: [String: Value] = [:]
        var resolved = JSONObject()
        var ok = true
        for (k, v) in o {
            if let (value, r) = Value.decode(v, at: "\(path).\(k)", in: context) {
                out[k] = value
                resolved[k] = r
            } else {
                ok = false
            }
        }
        return ok ? (out, .object(resolved)) : nil
    }
    public static func schema(in context: SpecContext) -> JSONValue { ["type": "object", "additionalProperties": Value.schema(in: context)] }
    public static func placeholder(in context: SpecContext) -> [String: Value] { [:] }
}

extension Dictionary: SpecScalar where Key == String, Value: SpecScalar {
    public var specJSON: JSONValue {
        var o = JSONObject()
        for k in keys.sorted() { o[k] = self[k]!.specJSON }
        return .object(o)
    }
}

/// Fits a scaler on the training split only.
public struct ScaleStage: SpecObject, Sendable {
    public static let specDescription = "Fits a scaler on the training split only; samplers then measure distances in scaled units. Statistics go to dataset.json."

    public var kind: Scaler.Kind
    public var columns: [String]?
    public var writeScaled: Bool

    public init(reading r: SpecReader) {
        kind = r.read("kind", default: Scaler.Kind.standardise, doc: "standardise, minMax, meanNormalise or robust (median and IQR).")
        columns = r.readOptional("columns", doc: "Numeric columns to scale (default: every numeric feature).")
        writeScaled = r.read("writeScaled", default: false, doc: "Write scaled values (every split, with the training statistics) instead of original units.")
    }
}

/// Resamples the training split with one of imbalanced-learn's samplers, its fields inline:
/// `{"stage": "oversample", "sampler": "SMOTE", "kNeighbors": 5, "samplingStrategy": "auto"}`.
public struct SamplerStage: Sendable {
    public static let overSamplers = ["RandomOverSampler", "SMOTE", "SMOTENC", "SMOTEN", "BorderlineSMOTE", "SVMSMOTE",
                                      "KMeansSMOTE", "ADASYN", "SMOTETomek", "SMOTEENN"]
    public static let underSamplers = ["RandomUnderSampler", "TomekLinks", "EditedNearestNeighbours", "NearMiss"]

    public var sampler: ResamplerSpec

    init(reading r: SpecReader, allowed: [String]) {
        sampler = r.readInline(ResamplerSpec.self, allowed: allowed, doc: "The sampler (imbalanced-learn's class name).")
    }
}
