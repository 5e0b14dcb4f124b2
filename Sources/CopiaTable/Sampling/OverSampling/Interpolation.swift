/// Drawing interpolated rows, shared by the SMOTE family.
///
/// Row `i` of a class is drawn with its own generator (`RowKeys`), so a row's base, neighbour and gap depend only
/// on (seed, stage, class, i): drawing in parallel gives the same rows as drawing in order.
struct InterpolationDraw {
    var base: Int
    var neighbour: Int
    /// new = base + gap * (neighbour - base)
    var gap: Double
}

/// Draws `count` rows for class `label` with `draw(&rng, i)`, filling numeric features by interpolation and
/// categorical ones with `categorical` (which may also return the rows that voted).
func interpolate(_ x: FeatureMatrix, label: Int, className: String, count: Int, seed: UInt64, stage: String,
                 firstDraw: Int = 0,
                 draw: @Sendable (inout CounterRandomAlias, Int) -> InterpolationDraw,
                 categorical: (@Sendable (InterpolationDraw, inout [Double]) -> [Int])? = nil) -> SyntheticRows {
    let d = x.columns
    let keys = RowKeys(seed: seed, stage: stage, className: className)
    // Every value is written below, in parallel: zero-filling 8 x count x d bytes first would be a serial pass.
    var values = [Double](unsafeUninitializedCapacity: count * d) { _, initialized in initialized = count * d }
    var bases = [Int](repeating: 0, count: count)
    var neighbours = [Int](repeating: 0, count: count)
    var gaps = [Double](repeating: 0, count: count)
    var voters = [[Int]](repeating: [], count: categorical == nil ? 0 : count)
    let categoricalColumns = x.categorical
    values.withUnsafeMutableBufferPointer { vp in
        bases.withUnsafeMutableBufferPointer { bp in
            neighbours.withUnsafeMutableBufferPointer { np in
                gaps.withUnsafeMutableBufferPointer { gp in
                    voters.withUnsafeMutableBufferPointer { op in
                        let out = SendableBox((vp, bp, np, gp, op))
                        x.values.withUnsafeBufferPointer { xp in
                            let input = SendableBox(xp)
                            parallelBlocks(count) { range in
                                let (vp, bp, np, gp, op) = out.value
                                let xp = input.value
                                var row = [Double](repeating: 0, count: d)
                                for i in range {
                                    var rng = keys.random(firstDraw + i)
                                    let s = draw(&rng, i)
                                    let a = xp.baseAddress! + s.base * d, b = xp.baseAddress! + s.neighbour * d
                                    let o = vp.baseAddress! + i * d
                                    for j in 0..<d { o[j] = a[j] + s.gap * (b[j] - a[j]) }
                                    if let categorical {
                                        for j in 0..<d { row[j] = o[j] }
                                        op[i] = categorical(s, &row)
                                        for j in categoricalColumns { o[j] = row[j] }
                                    }
                                    bp[i] = s.base
                                    np[i] = s.neighbour
                                    gp[i] = s.gap
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return SyntheticRows(label: label, columns: d, values: values, bases: bases, neighbours: neighbours, gaps: gaps,
                         voters: categorical == nil ? nil : voters, firstDraw: firstDraw)
}

import CopiaCore
typealias CounterRandomAlias = CounterRandom
