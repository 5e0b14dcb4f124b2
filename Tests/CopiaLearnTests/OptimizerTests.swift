import CopiaCore
import Testing
@testable import CopiaLearn

enum OptimizerCase: String, CaseIterable, Sendable {
    case sgd, sgdMomentum, sgdNesterovDecay, adam, adamL2, adamW

    func make(_ p: Parameter) -> any Optimizer {
        switch self {
        case .sgd: SGD(parameters: [p], learningRate: 0.05)
        case .sgdMomentum: SGD(parameters: [p], learningRate: 0.05, momentum: 0.9)
        case .sgdNesterovDecay: SGD(parameters: [p], learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1)
        case .adam: Adam(parameters: [p], learningRate: 0.1)
        case .adamL2: Adam(parameters: [p], learningRate: 0.1, beta1: 0.5, beta2: 0.99, weightDecay: 0.1)
        case .adamW: AdamW(parameters: [p], learningRate: 0.1, weightDecay: 0.1)
        }
    }
}

/// Six steps on `Σ w (p - t)²` follow torch.optim's trajectory (fixture from PyTorch) within 1e-5.
@Test(arguments: OptimizerCase.allCases)
func optimizerFollowsPyTorchTrajectory(_ c: OptimizerCase) throws {
    let ref = try Fixtures.optimizers()
    let p = Parameter(name: "p", value: Tensor(shape: [5], scalars: ref.p0))
    let opt = c.make(p)
    for expected in try #require(ref.trajectories[c.rawValue]) {
        opt.zeroGradients()
        for i in 0..<5 { p.gradient.scalars[i] = 2 * ref.weights[i] * (p.value.scalars[i] - ref.target[i]) }
        opt.step()
        for i in 0..<5 { #expect(abs(p.value.scalars[i] - expected[i]) < 1e-5, "\(c) step \(opt.stepCount) [\(i)]") }
    }
}

@Test func schedulesMatchPyTorch() throws {
    let ref = try Fixtures.optimizers()
    let cases: [(String, any LearningRateSchedule)] = [
        ("step", StepSchedule(initial: 0.1, stepSize: 3, gamma: 0.5)),
        ("exponential", ExponentialSchedule(initial: 0.1, gamma: 0.9)),
        ("oneCycle", OneCycleSchedule(maxRate: 0.1, totalSteps: 20)),
    ]
    for (name, schedule) in cases {
        let expected = try #require(ref.schedules[name])
        for (step, rate) in expected.enumerated() {
            #expect(abs(schedule.learningRate(atStep: step) - rate) < 1e-6 * max(1, rate * 10), "\(name) at \(step)")
        }
    }
}

@Test func cosineScheduleWarmsUpThenAnneals() {
    let s = CosineSchedule(peak: 1, totalSteps: 110, warmupSteps: 10, minimum: 0.1)
    #expect(s.learningRate(atStep: 0) == 0.1)
    #expect(s.learningRate(atStep: 9) == 1)
    #expect(abs(s.learningRate(atStep: 60) - 0.55) < 1e-6)
    #expect(abs(s.learningRate(atStep: 109) - 0.1) < 1e-3)
    #expect(s.learningRate(atStep: 500) == 0.1)
    #expect(ConstantSchedule(rate: 0.3).learningRate(atStep: 1000) == 0.3)
}

@Test func reduceOnPlateauCutsTheRateAfterPatienceRunsOut() {
    var r = ReduceOnPlateau(initial: 1, factor: 0.5, patience: 2)
    #expect(r.update(metric: 10) == 1)
    #expect(r.update(metric: 9) == 1)
    #expect(r.update(metric: 9) == 1)
    #expect(r.update(metric: 9.5) == 1)
    #expect(r.update(metric: .nan) == 0.5)
    #expect(r.update(metric: 8) == 0.5)
}

@Test func clippingScalesTheGlobalNormDown() {
    let a = Parameter(name: "a", value: Tensor(shape: [2])), b = Parameter(name: "b", value: Tensor(shape: [1]))
    a.gradient = Tensor(shape: [2], scalars: [3, 0])
    b.gradient = Tensor(shape: [1], scalars: [4])
    #expect(GradientClipping.clipNorm([a, b], maxNorm: 1) == 5)
    #expect(abs(GradientClipping.globalNorm([a, b]) - 1) < 1e-5)
    #expect(GradientClipping.clipNorm([a, b], maxNorm: 10) < 1.00001)
}
