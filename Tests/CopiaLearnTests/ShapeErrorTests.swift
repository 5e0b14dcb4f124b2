import CopiaCore
import Testing
@testable import CopiaLearn

/// Wiring layers together with the wrong shapes is a programmer error: the process stops, and the message names
/// both shapes (checked by the test's exit expectation; the message is printed to the exit test's stderr).
@Test func mismatchedLayerShapesStopWithBothShapes() async {
    await #expect(processExitsWith: .failure) {
        var rng = CounterRandom(seed: 1, stage: "t", sample: "shape")
        _ = Linear(3, 2, rng: &rng)(Tensor(shape: [1, 4]))
    }
    await #expect(processExitsWith: .failure) {
        _ = Tensor(shape: [2, 3]).matmul(Tensor(shape: [2, 3]))
    }
}

@Test func layerErrorsDescribeTheShapesForPeople() {
    let e = LearnError.shapeMismatch(context: "checkpoint runs/vae.ckpt: model.0.weight", expected: [400, 784], got: [400, 28])
    #expect(e.description == "checkpoint runs/vae.ckpt: model.0.weight: expected shape [400, 784], got [400, 28]")
}
