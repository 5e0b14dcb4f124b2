import CCopiaPixels

/// The builds of the C kernels (AVX2 and baseline, and AVX-512 for a few). Every kernel computes the same bytes on each;
/// tests check it by running ops with the baseline or AVX2 forced.
enum KernelPaths {
    /// Runs `body` with the baseline build forced for every thread, then lets the processor choose again.
    static func withBaseline<T>(_ body: () throws -> T) rethrows -> T {
        ccopia_pixels_force_baseline(1)
        defer { ccopia_pixels_force_baseline(0) }
        return try body()
    }

    /// Runs `body` with the AVX2 builds where kernels also have an AVX-512 one, then lets the processor choose again.
    static func withAVX2<T>(_ body: () throws -> T) rethrows -> T {
        ccopia_pixels_force_avx2(1)
        defer { ccopia_pixels_force_avx2(0) }
        return try body()
    }
}
