import CopiaCore
import Foundation

/// A model's parameters and buffers, an optimiser's state, and the step, saved so that training resumes exactly.
///
/// Tensor names are `model.<path>` (parameters, as `namedParameters()`), `buffer.<path>` (batch-norm statistics) and
/// `optimizer.<name>` (moment estimates); dropout layers' call counters are kept in `counters`. Resuming with the same
/// data order and seeds reproduces the uninterrupted run bit for bit (tested).
///
/// File layout (little-endian): the 8 bytes `COPIACK1`, a UInt64 header length, a JSON header
/// (`{"format":1,"step":…,"tensors":[{"name","shape","offset"}],…}`), then the Float32 data. Writing is atomic (a
/// temporary file renamed into place) and returns the file's SHA-256, which is also written beside it as
/// `<file>.sha256` in `sha256sum` format so the pipeline's provenance can record which checkpoint made a sample.
public struct Checkpoint: Sendable, Equatable {
    public var step: Int
    public var tensors: [String: Tensor]
    public var optimizerStepCount: Int?
    public var optimizerLearningRate: Float?
    public var counters: [String: UInt64]
    public var metadata: [String: String]

    public init(step: Int, tensors: [String: Tensor], optimizerStepCount: Int? = nil, optimizerLearningRate: Float? = nil,
                counters: [String: UInt64] = [:], metadata: [String: String] = [:]) {
        self.step = step
        self.tensors = tensors
        self.optimizerStepCount = optimizerStepCount
        self.optimizerLearningRate = optimizerLearningRate
        self.counters = counters
        self.metadata = metadata
    }

    static let magic = Array("COPIACK1".utf8)

    /// Captures a model (and optionally its optimiser) at `step`.
    public static func capture(model: any Module, optimizer: (any Optimizer)? = nil, step: Int,
                               metadata: [String: String] = [:]) -> Checkpoint {
        var tensors: [String: Tensor] = [:]
        for (name, p) in model.namedParameters() { tensors["model.\(name)"] = p.value }
        for (name, b) in model.namedBuffers() { tensors["buffer.\(name)"] = b.value }
        var counters: [String: UInt64] = [:]
        for (name, m) in model.namedModules() { if let d = m as? Dropout { counters["dropout.\(name)"] = d.calls } }
        let state = optimizer?.state
        for (name, t) in state?.tensors ?? [:] { tensors["optimizer.\(name)"] = t }
        return Checkpoint(step: step, tensors: tensors, optimizerStepCount: state?.stepCount,
                          optimizerLearningRate: state?.learningRate, counters: counters, metadata: metadata)
    }

    /// Copies the saved values into `model` (and `optimizer`), which must have the same architecture.
    /// - Throws: `LearnError.corrupt` for a missing tensor, `.shapeMismatch` for one of the wrong shape.
    public func restore(into model: any Module, optimizer: (any Optimizer)? = nil, source: String = "checkpoint") throws {
        func load(_ key: String, into p: Parameter) throws {
            guard let t = tensors[key] else { throw LearnError.corrupt(path: source, reason: "no tensor \(key)") }
            guard t.shape == p.value.shape else {
                throw LearnError.shapeMismatch(context: "\(source): \(key)", expected: p.value.shape, got: t.shape)
            }
            p.value = t
        }
        for (name, p) in model.namedParameters() { try load("model.\(name)", into: p) }
        for (name, b) in model.namedBuffers() { try load("buffer.\(name)", into: b) }
        for (name, m) in model.namedModules() {
            if let d = m as? Dropout { d.calls = counters["dropout.\(name)"] ?? 0 }
        }
        if let optimizer {
            guard let stepCount = optimizerStepCount, let rate = optimizerLearningRate else {
                throw LearnError.corrupt(path: source, reason: "no optimizer state")
            }
            var state: [String: Tensor] = [:]
            for (k, t) in tensors where k.hasPrefix("optimizer.") { state[String(k.dropFirst(10))] = t }
            do {
                try optimizer.restore(OptimizerState(stepCount: stepCount, learningRate: rate, tensors: state))
            } catch let e as LearnError {
                if case .corrupt(_, let reason) = e { throw LearnError.corrupt(path: source, reason: reason) }
                throw e
            }
        }
    }

    private struct Header: Codable {
        struct Entry: Codable { var name: String; var shape: [Int]; var offset: Int }
        var format: Int
        var step: Int
        var optimizerStepCount: Int?
        var optimizerLearningRate: Float?
        var counters: [String: UInt64]
        var metadata: [String: String]
        var tensors: [Entry]
    }

    /// Writes the checkpoint atomically and returns its SHA-256 (hex), also written to `<path>.sha256`.
    /// - Throws: `LearnError.io` naming the path.
    @discardableResult
    public func write(to path: String) throws -> String {
        var entries: [Header.Entry] = []
        var offset = 0
        for name in tensors.keys.sorted() {
            entries.append(.init(name: name, shape: tensors[name]!.shape, offset: offset))
            offset += tensors[name]!.count
        }
        let header = Header(format: 1, step: step, optimizerStepCount: optimizerStepCount,
                            optimizerLearningRate: optimizerLearningRate, counters: counters, metadata: metadata,
                            tensors: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(header)
        var bytes = Self.magic
        bytes += TFRecord.littleEndian(UInt64(json.count))
        bytes += json
        bytes.reserveCapacity(bytes.count + offset * 4)
        for name in tensors.keys.sorted() {
            for v in tensors[name]!.scalars { bytes += TFRecord.littleEndian(v.bitPattern) }
        }
        let hash = SHA256.hex(bytes)
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw LearnError.io(path: path, reason: "cannot write checkpoint")
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
            let sidecar = "\(hash)  \((path as NSString).lastPathComponent)\n"
            try sidecar.write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
        } catch {
            throw LearnError.io(path: path, reason: "cannot move checkpoint into place: \(error.localizedDescription)")
        }
        return hash
    }

    /// Reads a checkpoint written by `write(to:)`.
    /// - Parameter expectedSHA256: when given, the file's hash must equal it.
    /// - Returns: the checkpoint and the file's SHA-256.
    /// - Throws: `LearnError.io` (unreadable) or `.corrupt` (bad magic, header, sizes or hash), naming the path.
    public static func read(from path: String, expectedSHA256: String? = nil) throws -> (checkpoint: Checkpoint, sha256: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LearnError.io(path: path, reason: "cannot read checkpoint")
        }
        let bytes = [UInt8](data)
        let hash = SHA256.hex(bytes)
        if let expectedSHA256, expectedSHA256.lowercased() != hash {
            throw LearnError.corrupt(path: path, reason: "SHA-256 is \(hash), expected \(expectedSHA256)")
        }
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            throw LearnError.corrupt(path: path, reason: "not a Copia checkpoint (bad magic)")
        }
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        guard headerLength >= 0, headerLength <= bytes.count - 16 else {
            throw LearnError.corrupt(path: path, reason: "header length \(headerLength) exceeds the file")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + headerLength)]))
        } catch {
            throw LearnError.corrupt(path: path, reason: "unreadable header: \(error)")
        }
        guard header.format == 1 else {
            throw LearnError.corrupt(path: path, reason: "format \(header.format) is not supported (expected 1)")
        }
        let base = 16 + headerLength
        let available = (bytes.count - base) / 4
        var tensors: [String: Tensor] = [:]
        for e in header.tensors {
            let count = e.shape.reduce(1, *)
            guard e.offset >= 0, count >= 0, e.offset + count <= available else {
                throw LearnError.corrupt(path: path, reason: "tensor \(e.name) \(e.shape) runs past the end of the file")
            }
            let scalars = (0..<count).map { i -> Float in
                let o = base + (e.offset + i) * 4
                return Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                    | UInt32(bytes[o + 3]) << 24)
            }
            tensors[e.name] = Tensor(shape: e.shape, scalars: scalars)
        }
        return (Checkpoint(step: header.step, tensors: tensors, optimizerStepCount: header.optimizerStepCount,
                           optimizerLearningRate: header.optimizerLearningRate, counters: header.counters,
                           metadata: header.metadata), hash)
    }
}

extension Module {
    /// This module and all descendants with dotted paths (the root's path is empty).
    public func namedModules() -> [(name: String, module: any Module)] {
        var result: [(name: String, module: any Module)] = [("", self)]
        for (childName, child) in children {
            result += child.namedModules().map { (name: $0.name.isEmpty ? childName : "\(childName).\($0.name)", module: $0.module) }
        }
        return result
    }
}
