import CCopiaPixels

extension ColorKernels {
    /// One step of `ColorJitter`.
    enum JitterStep: Equatable {
        /// `v * f`, truncated (albucore's `multiply`).
        case brightness(Double)
        /// `v * f + mean(gray) * (1 - f)`, truncated, with the mean of the image as this step receives it.
        case contrast(Double)
        /// `v * f + gray * (1 - f)`, rounded (`cv2.addWeighted` with the gray image).
        case saturation(Double)
        /// Rotates OpenCV's 8-bit hue by `180 f` (`f` in turns), truncated, through `RGB2HSV` / `HSV2RGB`.
        case hue(Double)
    }

    /// `ColorJitter`'s steps in order on an 8-bit image, in as few passes as their bytes allow.
    ///
    /// Brightness and contrast are lookup tables on every colour channel, so they are not applied where they occur:
    /// they compose into one pending table, which the next saturation or hue pass reads its pixels through (or a final
    /// lookup pass applies). Contrast needs the mean luma of the image it receives; it is summed through the pending
    /// table without writing anything. The bytes equal those of the steps applied one by one.
    /// Gray images take brightness and contrast only.
    /// - Complexity: one read pass per contrast step, one pass per saturation and hue step, at most one lookup pass.
    static func jitter8(_ image: Image, steps: [JitterStep]) -> Image {
        precondition(image.depth == .uint8, "jitter8 takes 8-bit images, got \(image.depth)")
        let n = image.info.pixelCount, cn = image.channels, rgb = cn >= 3
        guard n > 0 else { return image }
        var out = image
        var pending: [UInt8]? = nil  // the composed brightness/contrast table not applied yet
        func compose(_ table: [UInt8]) {
            pending = pending.map { p in p.map { table[Int($0)] } } ?? table
        }
        for step in steps {
            switch step {
            case .brightness(let f):
                compose(multiplyAddTable8(alpha: f, beta: 0))
            case .contrast(let f):
                let sum = out.bytes.withUnsafeBufferPointer { s in
                    if let pending { ccopia_gray_sum_u8(s.baseAddress!, n, Int32(cn), pending) } else { ccopia_gray_sum_u8(s.baseAddress!, n, Int32(cn), nil) }
                }
                let mean = Double(sum) / Double(n)
                compose(multiplyAddTable8(alpha: f, beta: mean * (1 - f)))
            case .saturation(let f) where rgb:
                out.bytes.withUnsafeMutableBufferPointer { d in
                    ccopia_blend_gray_lut_u8(d.baseAddress!, n, Int32(cn), f, pending ?? Self.identity8)
                }
                pending = nil
            case .hue(let f) where rgb:
                let hueTable = ColorSpaceKernels.hueRotationTable(turns: f)
                out.bytes.withUnsafeMutableBufferPointer { d in
                    ccopia_map_hsv_lut_u8(d.baseAddress!, d.baseAddress!, n, Int32(cn), hueTable, ColorSpaceKernels.unitTable,
                                          ColorSpaceKernels.unitTable, ColorSpaceKernels.sdiv32, ColorSpaceKernels.hdiv32,
                                          pending ?? Self.identity8)
                }
                pending = nil
            default:
                break
            }
        }
        if let pending {
            out.bytes.withUnsafeMutableBufferPointer { d in
                ccopia_lut_u8(d.baseAddress!, d.baseAddress!, n, Int32(cn), Int32(image.info.colorChannels), pending, 1)
            }
        }
        return out
    }

    static let identity8: [UInt8] = (0...255).map { UInt8($0) }
}

extension ColorSpaceKernels {
    /// `mapHSV`'s float hue table for an 8-bit hue rotation by `turns`: hue `h` to `(h + 180 turns) mod 180`, truncated.
    static func hueRotationTable(turns: Double) -> [Float] {
        (0..<256).map { v -> Float in
            let r = (Double(v) + 180 * turns).truncatingRemainder(dividingBy: 180)
            return Float(Int(r < 0 ? r + 180 : r))
        }
    }

    /// `s / 255` for every 8-bit `s`, as `mapHSV` makes its saturation and value tables from the identity.
    static let unitTable: [Float] = (0..<256).map { Float($0) * (1 / 255) }
}
