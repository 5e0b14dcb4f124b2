import CopiaCore
import Foundation
import Testing
@testable import CopiaLearn

/// A small MLP with batch norm and dropout, trained with AdamW under a cosine schedule and clipping: every kind of
/// state a checkpoint must carry.
func makeCheckpointModel() -> (Sequential, AdamW) {
    var rng = CounterRandom(seed: 4, stage: "init", sample: "ckpt")
    let model = Sequential(Linear(6, 12, initializer: .heNormal, rng: &rng), BatchNorm1d(12), ReLU(),
                           Dropout(probability: 0.2, seed: 4), Linear(12, 3, rng: &rng))
    return (model, AdamW(parameters: model.allParameters, learningRate: 1e-2))
}

func trainSteps(_ model: Sequential, _ opt: AdamW, _ steps: Range<Int>) {
    let schedule = CosineSchedule(peak: 1e-2, totalSteps: 20, warmupSteps: 3)
    for step in steps {
        let x = randomTensor([8, 6], seed: UInt64(100 + step))
        let labels = (0..<8).map { ($0 + step) % 3 }
        opt.learningRate = schedule.learningRate(atStep: step)
        opt.zeroGradients()
        let l = Losses.crossEntropy(model(x), labels: labels)
        _ = model.backward(l.gradient)
        GradientClipping.clipNorm(opt.parameters, maxNorm: 1)
        opt.step()
    }
}

@Test func trainingResumesFromACheckpointBitForBit() throws {
    let (reference, refOpt) = makeCheckpointModel()
    trainSteps(reference, refOpt, 0..<12)

    let (first, firstOpt) = makeCheckpointModel()
    trainSteps(first, firstOpt, 0..<5)
    let path = temporaryDirectory("ckpt") + ".ckpt"
    let hash = try Checkpoint.capture(model: first, optimizer: firstOpt, step: 5, metadata: ["note": "test"]).write(to: path)
    #expect(hash.count == 64)
    #expect(try String(contentsOfFile: path + ".sha256", encoding: .utf8).hasPrefix(hash))

    let (resumed, resumedOpt) = makeCheckpointModel()
    let (checkpoint, readHash) = try Checkpoint.read(from: path, expectedSHA256: hash)
    #expect(readHash == hash && checkpoint.step == 5 && checkpoint.metadata["note"] == "test")
    try checkpoint.restore(into: resumed, optimizer: resumedOpt)
    #expect(resumedOpt.stepCount == 5)
    trainSteps(resumed, resumedOpt, checkpoint.step..<12)

    for ((name, a), (_, b)) in zip(reference.namedParameters(), resumed.namedParameters()) {
        #expect(a.value == b.value, "\(name) differs after resuming")
    }
    for ((name, a), (_, b)) in zip(reference.namedBuffers(), resumed.namedBuffers()) {
        #expect(a.value == b.value, "\(name) differs after resuming")
    }
    try? FileManager.default.removeItem(atPath: path)
}

@Test func checkpointRejectsWrongHashShapesAndGarbage() throws {
    let (model, opt) = makeCheckpointModel()
    let path = temporaryDirectory("ckpt-bad") + ".ckpt"
    try Checkpoint.capture(model: model, optimizer: opt, step: 0).write(to: path)
    #expect(throws: LearnError.self) { try Checkpoint.read(from: path, expectedSHA256: String(repeating: "0", count: 64)) }

    var rng = CounterRandom(seed: 1, stage: "init", sample: "other")
    let other = Sequential(Linear(6, 10, rng: &rng))
    let (checkpoint, _) = try Checkpoint.read(from: path)
    #expect(throws: LearnError.shapeMismatch(context: "checkpoint: model.0.weight", expected: [10, 6], got: [12, 6])) {
        try checkpoint.restore(into: other)
    }
    let garbage = path + ".garbage"
    FileManager.default.createFile(atPath: garbage, contents: Data("not a checkpoint at all".utf8))
    #expect(throws: LearnError.corrupt(path: garbage, reason: "not a Copia checkpoint (bad magic)")) {
        try Checkpoint.read(from: garbage)
    }
}

/// The same seed trains the same weights (same machine and thread count): two independent runs agree bit for bit.
@Test func sameSeedTrainsTheSameWeights() {
    let (a, optA) = makeCheckpointModel()
    let (b, optB) = makeCheckpointModel()
    trainSteps(a, optA, 0..<8)
    trainSteps(b, optB, 0..<8)
    #expect(a.allParameters.map(\.value) == b.allParameters.map(\.value))
}
