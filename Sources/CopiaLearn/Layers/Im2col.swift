import Dispatch

/// Geometry of a square-kernel 2-D convolution over a batch, and the im2col / col2im transforms that turn it into one
/// matrix multiply (Chellapilla, Puri & Simard, 2006).
///
/// The column matrix has `channels * k * k` rows and `batch * outHeight * outWidth` columns, so a whole batch is one
/// GEMM with a long inner or outer dimension, which BLAS runs near peak even on small images.
struct ConvGeometry: Equatable {
    var batch: Int, channels: Int, height: Int, width: Int
    var kernel: Int, stride: Int, padding: Int
    var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    var rows: Int { channels * kernel * kernel }
    var columns: Int { batch * outHeight * outWidth }

    /// The output columns `lo..<hi` whose input column `ox * stride - padding + kx` lies inside the image (the rest
    /// read padding). Hoisting this out of the inner loops leaves them branch-free.
    @inline(__always)
    func validColumns(kx: Int) -> (lo: Int, hi: Int) {
        let wo = outWidth
        var lo = 0
        while lo < wo && lo * stride - padding + kx < 0 { lo += 1 }
        var hi = wo
        while hi > lo && (hi - 1) * stride - padding + kx >= width { hi -= 1 }
        return (lo, hi)
    }

    /// Fills `cols` (`rows x columns`) from the NCHW image batch `x`; padding reads as zero.
    /// Channels are split between the BLAS's threads (each channel's rows and planes are disjoint).
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        let xBits = UInt(bitPattern: x), colsBits = UInt(bitPattern: cols)
        forEachChannelRange { range in
            im2col(UnsafePointer(bitPattern: xBits)!, into: UnsafeMutablePointer(bitPattern: colsBits)!, channels: range)
        }
    }

    /// Adds the columns back into the NCHW batch `x` (which the caller zeroes first): the adjoint of `im2col`.
    func col2im(_ cols: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>) {
        let xBits = UInt(bitPattern: x), colsBits = UInt(bitPattern: cols)
        forEachChannelRange { range in
            col2im(UnsafePointer(bitPattern: colsBits)!, into: UnsafeMutablePointer(bitPattern: xBits)!, channels: range)
        }
    }

    /// Runs `body` over channel ranges, on as many threads as the BLAS uses when the transform is large enough.
    private func forEachChannelRange(_ body: @Sendable (Range<Int>) -> Void) {
        let workers = min(channels, BLAS.configuredThreads)
        if workers <= 1 || rows * columns < 1 << 16 {
            body(0..<channels)
            return
        }
        let channels = self.channels
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            body((channels * w / workers)..<(channels * (w + 1) / workers))
        }
    }

    private func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, channels range: Range<Int>) {
        let ho = outHeight, wo = outWidth, hw = height * width, ncols = columns, s = stride
        for c in range {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let dst = cols + ((c * kernel + ky) * kernel + kx) * ncols
                    let (lo, hi) = validColumns(kx: kx)
                    let ix0 = lo * s - padding + kx
                    for b in 0..<batch {
                        let src = x + (b * channels + c) * hw
                        for oy in 0..<ho {
                            let d = dst + (b * ho + oy) * wo
                            let iy = oy * s - padding + ky
                            if iy < 0 || iy >= height {
                                d.update(repeating: 0, count: wo)
                                continue
                            }
                            // Edges are a column or two: plain stores, not memset calls.
                            for j in 0..<lo { d[j] = 0 }
                            for j in hi..<wo { d[j] = 0 }
                            let row = src + iy * width + ix0
                            if s == 1 {
                                (d + lo).update(from: row, count: hi - lo)
                            } else {
                                for j in 0..<(hi - lo) { d[lo + j] = row[j * s] }
                            }
                        }
                    }
                }
            }
        }
    }

    private func col2im(_ cols: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, channels range: Range<Int>) {
        let ho = outHeight, wo = outWidth, hw = height * width, ncols = columns, s = stride
        for c in range {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let src = cols + ((c * kernel + ky) * kernel + kx) * ncols
                    let (lo, hi) = validColumns(kx: kx)
                    let ix0 = lo * s - padding + kx
                    for b in 0..<batch {
                        let dst = x + (b * channels + c) * hw
                        for oy in 0..<ho {
                            let iy = oy * s - padding + ky
                            if iy < 0 || iy >= height { continue }
                            let sp = src + (b * ho + oy) * wo + lo
                            let row = dst + iy * width + ix0
                            for j in 0..<(hi - lo) { row[j * s] += sp[j] }
                        }
                    }
                }
            }
        }
    }
}

/// Reorders `[batch, channels, spatial]` into `[channels, batch * spatial]` (and back), the layout GEMM outputs.
enum ChannelMajor {
    static func fromBatchMajor(_ x: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                               into y: UnsafeMutablePointer<Float>) {
        for b in 0..<batch {
            for c in 0..<channels {
                (y + (c * batch + b) * spatial).update(from: x + (b * channels + c) * spatial, count: spatial)
            }
        }
    }

    static func toBatchMajor(_ y: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                             into x: UnsafeMutablePointer<Float>) {
        for b in 0..<batch {
            for c in 0..<channels {
                (x + (b * channels + c) * spatial).update(from: y + (c * batch + b) * spatial, count: spatial)
            }
        }
    }
}
