import CCopiaBLAS

/// Geometry of a square-kernel 2-D convolution over a batch, for the im2col + GEMM kernels in `CCopiaBLAS`
/// (Chellapilla, Puri & Simard, 2006).
///
/// The column matrix of `b` samples has `channels * k * k` rows and `b * outHeight * outWidth` columns.
struct ConvGeometry: Equatable {
    var batch: Int, channels: Int, height: Int, width: Int
    var kernel: Int, stride: Int, padding: Int
    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var rows: Int { channels * kernel * kernel }
    var columns: Int { batch * outHeight * outWidth }

    /// The same geometry in the C kernels' terms (the batch is passed per call).
    var shape: ccopia_conv_shape {
        ccopia_conv_shape(channels: Int32(channels), height: Int32(height), width: Int32(width), kernel: Int32(kernel),
                          stride: Int32(stride), padding: Int32(padding), out_height: Int32(outHeight),
                          out_width: Int32(outWidth))
    }

    /// Fills `cols` (`rows x columns`) from the NCHW image batch `x`; padding reads as zero.
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        var s = shape
        ccopia_im2col(&s, Int32(batch), x, cols)
    }

    /// Writes the NCHW batch `x` with the sums of the column entries covering each pixel: the adjoint of `im2col`.
    func col2im(_ cols: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>) {
        var s = shape
        ccopia_col2im(&s, Int32(batch), cols, x)
    }

    /// Samples per GEMM: as many as keep a chunk's column matrix near 1 MB (so it stays in L2 between im2col and the
    /// product), at least one, at most a worker's share of the batch.
    func chunkSize(workers: Int, budget: Int = 1 << 18) -> Int {
        let perSample = rows * outHeight * outWidth
        let share = (batch + workers - 1) / workers
        return max(1, min(share, budget / max(perSample, 1)))
    }
}

/// Per-thread scratch memory of a convolution layer, kept between steps so a step allocates nothing for it.
final class ConvolutionWorkspace: @unchecked Sendable {
    private var buffers: [UnsafeMutablePointer<Float>] = []
    private var capacity = 0

    /// At least `floats` floats for each of `workers` threads; earlier contents are not kept.
    func reserve(workers: Int, floats: Int) {
        if buffers.count == workers && capacity >= floats { return }
        release()
        capacity = max(floats, 1)
        buffers = (0..<workers).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: capacity) }
    }

    /// The buffer of worker `w`, as an address that may cross into a concurrent loop.
    func address(_ w: Int) -> UInt { UInt(bitPattern: buffers[w]) }

    func buffer(_ w: Int) -> UnsafeMutablePointer<Float> { buffers[w] }

    private func release() {
        for b in buffers { b.deallocate() }
        buffers = []
        capacity = 0
    }

    deinit { release() }
}

/// How a batch is shared between threads: worker `w` of `workers` takes a contiguous range of samples.
func sampleRange(_ w: Int, of workers: Int, batch: Int) -> Range<Int> {
    (batch * w / workers)..<(batch * (w + 1) / workers)
}

/// Adds per-worker weight-gradient partials (workers 1...) into the gradient, in worker order (deterministic).
func addPartials(_ workspace: ConvolutionWorkspace, workers: Int, count: Int, into gradient: Parameter) {
    guard workers > 1 else { return }
    gradient.gradient.scalars.withUnsafeMutableBufferPointer { g in
        for w in 1..<workers {
            let p = workspace.buffer(w)
            for i in 0..<count { g[i] += p[i] }
        }
    }
}

/// Runs `body(first, last)` over disjoint ranges of `channels` channels, one range per thread (work that is
/// independent per channel, so the result does not depend on the split).
func forEachChannelRange(_ channels: Int, threads: Int, _ body: @Sendable (Int32, Int32) -> Void) {
    let workers = max(1, min(threads, channels))
    Parallel.forEach(workers) { w in body(Int32(channels * w / workers), Int32(channels * (w + 1) / workers)) }
}
