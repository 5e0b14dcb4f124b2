import Foundation

/// The version written into every output's dataset.json. Same spec, same input and same seed give the same bytes
/// within a version; 0.2.0 changed PNG level 1's encoder and GaussNoise's normals, so 0.1.0 outputs replay only
/// with 0.1.0; 0.3.0 made 8-bit GaussianBlur and Blur sum as cv2.sepFilter2D does (fused multiply-adds, symmetric
/// column pairs), which changes some of their samples by 1, so 0.2.0 outputs with those ops replay only with 0.2.0.
public let copiaVersion = "0.3.0"

/// A failure while running a pipeline, with every problem it found (one line each, naming the place).
public struct RunError: Error, Equatable, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(_ problems: [String]) { self.problems = problems }
    public init(_ problem: String) { self.problems = [problem] }

    public var description: String { problems.joined(separator: "\n") }
}

/// How to run a pipeline.
public struct RunOptions: Sendable {
    /// Output folder; overrides the write stage's path.
    public var out: String?
    /// Worker threads (default: the number of cores). Output bytes do not depend on it.
    public var jobs: Int
    /// Continue an interrupted run in `out`.
    public var resume: Bool
    /// Plan only: report what would be written, write nothing.
    public var dryRun: Bool
    /// Replace an existing Copia output in `out`.
    public var overwrite: Bool
    /// Show a progress line on standard error (only when it is a terminal).
    public var showProgress: Bool
    /// Stop after this many outputs have been committed (for tests of interruption; nil runs to the end).
    public var stopAfter: Int?

    public init(out: String? = nil, jobs: Int = ProcessInfo.processInfo.activeProcessorCount, resume: Bool = false,
                dryRun: Bool = false, overwrite: Bool = false, showProgress: Bool = true, stopAfter: Int? = nil) {
        self.out = out
        self.jobs = max(1, jobs)
        self.resume = resume
        self.dryRun = dryRun
        self.overwrite = overwrite
        self.showProgress = showProgress
        self.stopAfter = stopAfter
    }
}

/// What a run did.
public struct RunSummary: Sendable {
    public var out: String
    /// Training counts per class before balancing and after.
    public var before: [String: Int]
    public var after: [String: Int]
    /// Output samples per split.
    public var written: [Split: Int]
    /// Outputs already present from an earlier, interrupted run.
    public var resumed: Int
    public var planned: Int
    public var skipped: [String]
    public var seconds: Double
    /// For dry runs, the plan in words.
    public var planLines: [String]
}

/// A validated pipeline, ready to run.
///
/// ```swift
/// import Copia
/// let pipeline = try Pipeline.load("Pipelines/digits.json")
/// let summary = try pipeline.run(RunOptions(out: "out/digits", jobs: 2))
/// print(summary.after)   // every class at the same count
/// ```
public struct Pipeline: Sendable {
    public let spec: PipelineSpec
    /// The spec with every default written out: saved beside the output and hashed into dataset.json.
    public let resolved: JSONValue
    /// Where the spec came from, for messages.
    public let file: String?

    /// Parses and validates a pipeline file. Every problem is reported at once.
    public static func load(_ path: String) throws -> Pipeline {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw SpecError(file: path, "cannot read the pipeline: \(error.message)") }
        return try parse(bytes, file: path)
    }

    /// Parses and validates pipeline JSON.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(SpecError) -> Pipeline {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch { throw SpecError(file: file, path: "$", "invalid JSON at \(error)") }
        let (spec, resolved) = try PipelineSpec.decodeDocument(json, file: file)
        return Pipeline(spec: spec, resolved: resolved, file: file)
    }

    public static func parse(_ text: String, file: String? = nil) throws(SpecError) -> Pipeline {
        try parse(Array(text.utf8), file: file)
    }

    /// SHA-256 of the resolved spec's compact form.
    public var specHash: String { SHA256.hex(JSONWriter.compact(resolved)) }

    /// Runs the pipeline.
    public func run(_ options: RunOptions = RunOptions()) throws -> RunSummary {
        guard let source = spec.source else { throw SpecError(file: file, "the pipeline has no source stage") }
        guard let out = options.out ?? spec.write?.path else {
            throw SpecError(file: file, path: "$.stages[\(spec.stages.count - 1)].path", "no output folder: give the write stage a path, or pass --out")
        }
        switch source.format {
        case .imageFolder, .labelsCSV:
            return try ImageJob(pipeline: self, out: out, options: options).run()
        case .table:
            return try TableJob(pipeline: self, out: out, options: options).run()
        }
    }
}
