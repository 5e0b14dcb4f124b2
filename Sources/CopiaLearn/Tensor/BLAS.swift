import Foundation
import CCopiaBLAS

/// The matrix-multiply backend: `cblas_sgemm` from OpenBLAS on Linux, Accelerate on macOS.
///
/// OpenBLAS starts as many threads as there are cores, which fights a pipeline's own workers; CopiaLearn therefore
/// sets one BLAS thread the first time it multiplies, unless `OPENBLAS_NUM_THREADS` is set or `setThreads(_:)` was
/// called. Benchmarks and single-model training call `setThreads(_:)` with the cores they own.
public enum BLAS {
    /// Sets how many threads the BLAS may use (at least 1). Accelerate manages its own pool and ignores this.
    public static func setThreads(_ threads: Int) {
        _ = defaultConfigured
        ccopia_blas_set_threads(Int32(max(1, threads)))
        configuredThreadsStorage.store(max(1, threads))
    }

    /// The thread count CopiaLearn's own parallel loops (im2col, col2im) use: the BLAS's, as last set.
    static var configuredThreads: Int {
        _ = defaultConfigured
        return configuredThreadsStorage.load()
    }

    private static let configuredThreadsStorage = ThreadCount()

    /// The thread count the BLAS reports.
    public static var threads: Int { Int(ccopia_blas_get_threads()) }

    /// The backend's name and build configuration (for benchmark logs).
    public static var backend: String { String(cString: ccopia_blas_backend()) }

    /// One-time default of one thread, evaluated before the first product.
    static let defaultConfigured: Bool = {
        ccopia_blas_init()
        if getenv("OPENBLAS_NUM_THREADS") == nil { ccopia_blas_set_threads(1) }
        configuredThreadsStorage.store(Int(ccopia_blas_get_threads()))
        return true
    }()

    /// `C = alpha * op(A) * op(B) + beta * C` on row-major buffers; `op(A)` is `m x k`, `op(B)` is `k x n`.
    ///
    /// The buffers' sizes are checked against the dimensions with a precondition (a wrong size is a programmer error).
    public static func sgemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>) {
        _ = defaultConfigured
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        ccopia_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                     a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)), beta, c, Int32(max(n, 1)))
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
