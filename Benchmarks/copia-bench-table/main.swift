// copia-bench-table: CSV reading and resampling on the 50k x 20 peer table, one JSON line per figure.
//
// Usage: copia-bench-table [--data DIR] [--reps N] [--only csv,smote,...]
//   --only csv runs csv_read and csv_read_no_original_text; either can also be named on its own.
//   --only knn times the neighbour search alone (minority rows against all rows, k = 11).
// Build with `swift build -c release`; Benchmarks/table/compare.sh runs it alternately with the Python peers.
import CopiaTable
import Foundation

var dataDir = (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cache/copia-peers/data"
var reps = 5
var only: Set<String>? = nil
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--data": dataDir = arguments.next() ?? dataDir
    case "--reps": reps = Int(arguments.next() ?? "") ?? reps
    case "--only": only = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    default: FileHandle.standardError.write("unknown argument \(a)\n".data(using: .utf8)!); exit(64)
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// CPU time of the whole process (all threads), which a busy machine inflates less than wall time.
func cpuNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Median and minimum wall time, and median CPU time, of `reps` timed calls after one untimed warm-up (as the peer
/// scripts do).
@MainActor func time<T>(_ body: () throws -> T) rethrows -> (median: Double, min: Double, cpu: Double, last: T) {
    var last = try body()
    var times: [Double] = [], cpu: [Double] = []
    for _ in 0..<reps {
        let t0 = now(), c0 = cpuNow()
        last = try body()
        times.append(now() - t0)
        cpu.append(cpuNow() - c0)
    }
    times.sort()
    cpu.sort()
    return (times[times.count / 2], times[0], cpu[cpu.count / 2], last)
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

@MainActor func wants(_ name: String) -> Bool { only?.contains(name) ?? true }

let path = dataDir + "/tabular_50k.csv"
emit(["bench": "environment", "neighbour_screen": NearestNeighbours.screeningBackend,
      "cores": ProcessInfo.processInfo.activeProcessorCount])
do {
    let options = CSVReadOptions(labelColumn: "label")
    if wants("csv") || wants("csv_read") {
        let r = try time { try CSVReader.read(path: path, options: options) }
        emit(["bench": "csv_read", "rows": r.last.rowCount, "columns": r.last.columns.count, "median_s": r.median, "min_s": r.min, "cpu_median_s": r.cpu])
    }
    if wants("csv") || wants("csv_read_no_original_text") {
        let lean = try time { try CSVReader.read(path: path, options: CSVReadOptions(labelColumn: "label", keepOriginalText: false)) }
        emit(["bench": "csv_read_no_original_text", "median_s": lean.median, "min_s": lean.min, "cpu_median_s": lean.cpu])
    }
    if wants("csv_write") {
        let table = try CSVReader.read(path: path, options: options)
        let w = try time { try CSVWriter.encode(table, options: CSVWriteOptions(useOriginalText: false)).count }
        emit(["bench": "csv_write_formatted", "bytes": w.last, "median_s": w.median, "min_s": w.min, "cpu_median_s": w.cpu])
    }
    let samplers: [(String, any Resampler)] = [
        ("smote", SMOTE(kNeighbors: 5)),
        ("random_oversampler", RandomOverSampler()),
        ("adasyn", ADASYN()),
        ("borderline_smote", BorderlineSMOTE()),
    ]
    if wants("knn") || samplers.contains(where: { wants($0.0) }) {
        let table = try CSVReader.read(path: path, options: options)
        let x = try FeatureMatrix(table)
        let y = try ClassLabels(table)
        if wants("knn") {
            // The search BorderlineSMOTE and ADASYN spend most of their time in: minority rows against all rows.
            let minority = y.rowsByClass.min { $0.count < $1.count } ?? []
            let all = Array(0..<x.rows)
            let r = try time { try NearestNeighbours.search(x, candidates: all, queries: minority, k: 11) }
            emit(["bench": "knn_minority_vs_all", "queries": minority.count, "candidates": all.count, "k": 11,
                  "median_s": r.median, "min_s": r.min, "cpu_median_s": r.cpu])
        }
        for (name, sampler) in samplers where wants(name) {
            let r = try time { try sampler.resample(x, labels: y, seed: 0) }
            emit(["bench": name, "rows": x.rows, "features": x.columns, "out_rows": r.last.count,
                  "median_s": r.median, "min_s": r.min, "cpu_median_s": r.cpu])
        }
    }
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8)!)
    exit(1)
}
