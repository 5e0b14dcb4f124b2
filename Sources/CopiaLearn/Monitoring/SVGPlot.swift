import Foundation

/// A small SVG line chart writer (no dependencies), for the learning-rate finder's plot.
enum SVGPlot {
    /// Plots `y` against `x` (optionally log-scaled x), with `raw` values as a faint second line and a vertical
    /// marker at `marker`. Non-finite points are skipped; the y range runs from the lowest finite `y` or `raw` value
    /// (the raw loss dips below its smoothed average) to the highest finite `y` value, capped at 1.5 × the first so
    /// a divergence does not flatten the useful part of the curve.
    static func lineChart(x: [Double], y: [Double], raw: [Double] = [], logX: Bool, marker: Double?, title: String,
                          xLabel: String, yLabel: String, width: Int = 640, height: Int = 400) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let fx: (Double) -> Double = logX ? { log10($0) } : { $0 }
        let xs = x.map(fx)
        let finite = y.filter(\.isFinite)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1e-12)
        var y0 = (finite + raw.filter(\.isFinite)).min() ?? 0, y1 = finite.max() ?? 1
        if let first = finite.first, first > y0 { y1 = min(y1, first + 0.5 * abs(first)) }
        if y1 <= y0 { y1 = y0 + 1 }
        let pad = 0.05 * (y1 - y0)
        y0 -= pad
        y1 += pad
        func px(_ v: Double) -> Double { left + (v - x0) / (x1 - x0) * w }
        func py(_ v: Double) -> Double { top + (1 - (min(max(v, y0), y1) - y0) / (y1 - y0)) * h }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func polyline(_ values: [Double], _ style: String) -> String {
            let pts = zip(xs, values).filter { $0.1.isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }
            return "<polyline fill=\"none\" \(style) points=\"\(pts.joined(separator: " "))\"/>\n"
        }
        let size = "width=\"\(width)\" height=\"\(height)\""
        var s: String = "<svg xmlns=\"http://www.w3.org/2000/svg\" " + size + " font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left + w / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#888\"/>\n"
        // x ticks: decades on a log axis, five even ticks otherwise
        var ticks: [Double] = []
        if logX {
            let firstDecade = Int(ceil(x0)), lastDecade = Int(floor(x1))
            if firstDecade <= lastDecade { for d in firstDecade...lastDecade { ticks.append(Double(d)) } }
        } else {
            for i in 0...4 { ticks.append(x0 + Double(i) / 4 * (x1 - x0)) }
        }
        for t in ticks {
            let label = logX ? "1e\(Int(t))" : String(format: "%.3g", t)
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + h))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + h + 5))\" stroke=\"#888\"/>"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + h + 18))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for i in 0...4 {
            let v = y0 + Double(i) / 4 * (y1 - y0)
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" text-anchor=\"end\">\(String(format: "%.4g", v))</text>\n"
        }
        s += "<text x=\"\(f(left + w / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16,\(f(top + h / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        if !raw.isEmpty { s += polyline(raw, "stroke=\"#9ecae1\" stroke-width=\"1\"") }
        s += polyline(y, "stroke=\"#08519c\" stroke-width=\"2\"")
        if let marker, marker > 0 || !logX {
            let mx = px(fx(marker))
            s += "<line x1=\"\(f(mx))\" y1=\"\(f(top))\" x2=\"\(f(mx))\" y2=\"\(f(top + h))\" stroke=\"#d62728\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(f(mx + 4))\" y=\"\(f(top + 14))\" fill=\"#d62728\">suggested \(String(format: "%.2e", marker))</text>\n"
        }
        return s + "</svg>\n"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
