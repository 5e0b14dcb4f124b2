#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS's `cblas_sgemm`, found at run time when the system has it, for the neighbour search's screening products.
///
/// Why at run time: CopiaTable does not link a BLAS (its package target depends on CopiaCore only), while the
/// products `queries x candidates^T` are where brute-force kNN spends its time, and OpenBLAS's AVX-512/AVX2 kernels
/// do them about 4x faster than portable Swift SIMD (measured here: 78 GFLOP/s against 18 at K = 20). The results do
/// not depend on it: the products only screen candidates, and the survivors are ranked by exact `Double` distance.
/// Without OpenBLAS, or with `COPIA_TABLE_BLAS=0`, the portable kernel runs.
///
/// Like CopiaLearn's `ccopia_blas_init`, it selects the AVX-512 or AVX2 kernels when this OpenBLAS would otherwise
/// fall back to generic ones for a CPU newer than itself (only when it loads the library itself and
/// `OPENBLAS_CORETYPE` is unset), and asks for one BLAS thread: the search parallelises over query groups itself.
struct RuntimeBLAS: @unchecked Sendable {
    typealias Sgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    let sgemm: Sgemm
    /// The kernels OpenBLAS uses (for benchmark logs).
    let core: String

    static let shared: RuntimeBLAS? = load()

    static func load() -> RuntimeBLAS? {
        if let v = getenv("COPIA_TABLE_BLAS"), String(cString: v) == "0" { return nil }
        let names = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]
        var handle: UnsafeMutableRawPointer? = nil
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_NOLOAD)  // already in the process (e.g. through CopiaLearn)
            if handle != nil { break }
        }
        if handle == nil {
            let override = getenv("OPENBLAS_CORETYPE") == nil ? preferredCore() : nil
            if let override { setenv("OPENBLAS_CORETYPE", override, 0) }
            for name in names {
                handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
                if handle != nil { break }
            }
            if override != nil { unsetenv("OPENBLAS_CORETYPE") }
            if let handle, let set = dlsym(handle, "openblas_set_num_threads") {
                unsafeBitCast(set, to: (@convention(c) (Int32) -> Void).self)(1)
            }
        }
        guard let handle, let symbol = dlsym(handle, "cblas_sgemm") else { return nil }
        var core = "?"
        if let f = dlsym(handle, "openblas_get_corename"),
           let name = unsafeBitCast(f, to: (@convention(c) () -> UnsafePointer<CChar>?).self)() {
            core = String(cString: name)
        }
        return RuntimeBLAS(sgemm: unsafeBitCast(symbol, to: Sgemm.self), core: core)
    }

    /// SkylakeX on CPUs with AVX-512 (F, BW, VL, DQ), Haswell with AVX2 and FMA, else nil (let OpenBLAS choose).
    static func preferredCore() -> String? {
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 1 << 16)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(separator: " ").map { String($0).trimmingNewline() })
            if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
            if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
            return nil
        }
        return nil
    }
}

extension String {
    func trimmingNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}
