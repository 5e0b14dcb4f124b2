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

    /// Fills `cols` (`rows x columns`) from the NCHW image batch `x`; padding reads as zero.
    func im2col(_ x: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, hw = height * width, ncols = columns
        for c in 0..<channels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let dst = cols + ((c * kernel + ky) * kernel + kx) * ncols
                    for b in 0..<batch {
                        let src = x + (b * channels + c) * hw
                        for oy in 0..<ho {
                            let d = dst + (b * ho + oy) * wo
                            let iy = oy * stride - padding + ky
                            if iy < 0 || iy >= height {
                                d.update(repeating: 0, count: wo)
                                continue
                            }
                            let row = src + iy * width
                            if stride == 1 {
                                let ix0 = kx - padding
                                for ox in 0..<wo {
                                    let ix = ix0 + ox
                                    d[ox] = (ix >= 0 && ix < width) ? row[ix] : 0
                                }
                            } else {
                                for ox in 0..<wo {
                                    let ix = ox * stride - padding + kx
                                    d[ox] = (ix >= 0 && ix < width) ? row[ix] : 0
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Adds the columns back into the NCHW batch `x` (which the caller zeroes first): the adjoint of `im2col`.
    func col2im(_ cols: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>) {
        let ho = outHeight, wo = outWidth, hw = height * width, ncols = columns
        for c in 0..<channels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let src = cols + ((c * kernel + ky) * kernel + kx) * ncols
                    for b in 0..<batch {
                        let dst = x + (b * channels + c) * hw
                        for oy in 0..<ho {
                            let iy = oy * stride - padding + ky
                            if iy < 0 || iy >= height { continue }
                            let s = src + (b * ho + oy) * wo
                            let row = dst + iy * width
                            for ox in 0..<wo {
                                let ix = ox * stride - padding + kx
                                if ix >= 0 && ix < width { row[ix] += s[ox] }
                            }
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
