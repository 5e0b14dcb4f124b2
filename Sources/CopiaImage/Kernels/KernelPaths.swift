import CCopiaPixels

/// The two builds of the C kernels (AVX2 and baseline). Every kernel computes the same bytes on both; tests check it by
/// running ops with the baseline forced.
enum KernelPaths {
    /// Runs `body` with the baseline build forced for every thread, then lets the processor choose again.
    static func withBaseline<T>(_ body: () throws -> T) rethrows -> T {
        ccopia_pixels_force_baseline(1)
        defer { ccopia_pixels_force_baseline(0) }
        return try body()
    }
}
