import Foundation
import CCopiaBLAS

/// The matrix-multiply backend: `cblas_sgemm` from OpenBLAS on Linux, Accelerate on macOS.
///
/// CopiaLearn runs the BLAS itself single-threaded and splits work between its own threads: a large product into
/// blocks of rows or columns, a convolution into samples (see `Conv2d`). OpenBLAS's own pool busy-waits
/// (`sched_yield`) between products, which on a small machine takes the cores from the work around the products
/// (im2col, activations); measured at 15% of a DCGAN step's CPU time. The thread count is one unless
/// `OPENBLAS_NUM_THREADS` is set or `setThreads(_:)` was called, so a pipeline's own workers are not oversubscribed.
public enum BLAS {
    /// Sets how many threads CopiaLearn's products and convolutions may use (at least 1).
    public static func setThreads(_ threads: Int) {
        _ = defaultConfigured
        configuredThreadsStorage.store(max(1, threads))
    }

    /// The thread count CopiaLearn's products and parallel loops use, as last set.
    static var configuredThreads: Int {
        _ = defaultConfigured
        return configuredThreadsStorage.load()
    }

    /// `count` threads if given, else the configured count; either way the backend is set up (single-threaded BLAS)
    /// before the caller's first product, which code calling the C kernels directly relies on.
    static func threads(_ count: Int?) -> Int {
        _ = defaultConfigured
        return count ?? configuredThreadsStorage.load()
    }

    private static let configuredThreadsStorage = ThreadCount()

    /// The thread count products use (`setThreads(_:)`, or `OPENBLAS_NUM_THREADS` as found at the first product).
    public static var threads: Int { configuredThreads }

    /// The backend's name and build configuration (for benchmark logs).
    public static var backend: String { String(cString: ccopia_blas_backend()) }

    /// One-time setup before the first product: the BLAS's own threads off, CopiaLearn's count from the environment.
    static let defaultConfigured: Bool = {
        ccopia_blas_init()
        let fromEnvironment = getenv("OPENBLAS_NUM_THREADS") != nil ? Int(ccopia_blas_get_threads()) : 1
        ccopia_blas_set_threads(1)
        configuredThreadsStorage.store(max(1, fromEnvironment))
        return true
    }()

    /// Products below this many floating-point operations run on one thread (the hand-off costs more).
    static let parallelThreshold = 1 << 22

    /// `C = alpha * op(A) * op(B) + beta * C` on row-major buffers; `op(A)` is `m x k`, `op(B)` is `k x n`.
    ///
    /// Large products are split into blocks of rows (or of columns, whichever is longer) between the configured
    /// threads; every element of `C` is still computed by one single-threaded call over the whole of `k`.
    /// The buffers' sizes are checked against the dimensions with a precondition (a wrong size is a programmer error).
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta,
              c: c, workers: configuredThreads, threshold: parallelThreshold)
    }

    /// `sgemm` on up to `workers` threads when it has at least `threshold` operations (tests split small products).
    static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
                      b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, workers: Int, threshold: Int) {
        _ = defaultConfigured
        let lda = max(transposeA ? m : k, 1), ldb = max(transposeB ? k : n, 1), ldc = max(n, 1)
        let (ta, tb): (Int32, Int32) = (transposeA ? 1 : 0, transposeB ? 1 : 0)
        let splitRows = m >= n
        let extent = splitRows ? m : n
        // Blocks start at multiples of 16, the GEMM kernels' register block.
        let blocks = min(workers, extent / 16)
        if blocks <= 1 || 2 * m * n * k < threshold {
            ccopia_sgemm(ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        let pa = UInt(bitPattern: a), pb = UInt(bitPattern: b), pc = UInt(bitPattern: c)
        let size = MemoryLayout<Float>.stride
        Parallel.forEach(blocks) { w in
            let lo = w == 0 ? 0 : (extent * w / blocks) & ~15
            let hi = w == blocks - 1 ? extent : (extent * (w + 1) / blocks) & ~15
            guard hi > lo else { return }
            var a = pa, b = pb, c = pc, mm = m, nn = n
            if splitRows {
                a += UInt((transposeA ? lo : lo * lda) * size)
                c += UInt(lo * ldc * size)
                mm = hi - lo
            } else {
                b += UInt((transposeB ? lo * ldb : lo) * size)
                c += UInt(lo * size)
                nn = hi - lo
            }
            ccopia_sgemm(ta, tb, Int32(mm), Int32(nn), Int32(k), alpha, UnsafePointer(bitPattern: a), Int32(lda),
                         UnsafePointer(bitPattern: b), Int32(ldb), beta, UnsafeMutablePointer(bitPattern: c),
                         Int32(ldc))
        }
    }
}

/// CopiaLearn's fork-join parallelism: a few iterations on libdispatch's pool, the caller running one of them.
enum Parallel {
    /// Runs `body(0..<iterations)` concurrently and returns when all have finished; one iteration runs inline.
    static func forEach(_ iterations: Int, _ body: @Sendable (Int) -> Void) {
        if iterations <= 1 {
            if iterations == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
    }

    /// Runs `body` over `0..<count`, one contiguous block per configured thread when `count` reaches `minimum`
    /// (for elementwise work, whose result does not depend on the split).
    static func forEachBlock(_ count: Int, minimum: Int = 1 << 15, _ body: @Sendable (Range<Int>) -> Void) {
        let workers = count >= minimum ? BLAS.threads(nil) : 1
        if workers <= 1 {
            body(0..<count)
            return
        }
        forEach(workers) { w in body((count * w / workers)..<(count * (w + 1) / workers)) }
    }
}

/// A tensor of `x`'s shape written by `kernel(x, out, count)` over blocks split between threads.
func elementwise(_ x: Tensor,
                 _ kernel: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
    Tensor(shape: x.shape) { out in
        guard out.count > 0 else { return }
        x.scalars.withUnsafeBufferPointer { xp in
            let (px, po) = (UInt(bitPattern: xp.baseAddress), UInt(bitPattern: out.baseAddress))
            Parallel.forEachBlock(out.count) { r in
                kernel(UnsafePointer(bitPattern: px)! + r.lowerBound, UnsafeMutablePointer(bitPattern: po)! + r.lowerBound,
                       r.count)
            }
        }
    }
}

/// A tensor of `a`'s shape written by `kernel(a, b, out, count)` over blocks split between threads.
func elementwise(_ a: Tensor, _ b: Tensor,
                 _ kernel: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)
    -> Tensor {
    precondition(a.shape == b.shape, "elementwise operation on shapes \(a.shape) and \(b.shape)")
    return Tensor(shape: a.shape) { out in
        guard out.count > 0 else { return }
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                let (pa, pb, po) = (UInt(bitPattern: ap.baseAddress), UInt(bitPattern: bp.baseAddress),
                                    UInt(bitPattern: out.baseAddress))
                Parallel.forEachBlock(out.count) { r in
                    kernel(UnsafePointer(bitPattern: pa)! + r.lowerBound, UnsafePointer(bitPattern: pb)! + r.lowerBound,
                           UnsafeMutablePointer(bitPattern: po)! + r.lowerBound, r.count)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread count shared across threads (a lock-protected integer; read once per convolution).
final class ThreadCount: @unchecked Sendable {
    private var value = 1
    private let lock = NSLock()
    func load() -> Int { lock.lock(); defer { lock.unlock() }; return value }
    func store(_ v: Int) { lock.lock(); value = v; lock.unlock() }
}
