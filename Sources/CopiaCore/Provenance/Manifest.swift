#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file names a Copia output folder holds besides the samples.
public enum OutputLayout {
    public static let manifest = "manifest.jsonl"
    public static let dataset = "dataset.json"
    public static let resolvedSpec = "pipeline.json"
    public static let croissant = "croissant.json"
    /// Run state used by `--resume`; removed when the run finishes.
    public static let stateFolder = ".copia"
    public static let runState = ".copia/run.json"

    /// Files that describe the dataset rather than belong to it.
    public static let metadata: Set<String> = [manifest, dataset, resolvedSpec, croissant]
}

/// Appends manifest lines, one `write` per line, in the order it is given them.
///
/// A line is only appended after its file is complete and renamed into place, so at every moment the manifest lists
/// a prefix of the plan's recipes, each with a complete file. A crash can leave at most one partial last line, which
/// `ManifestReader.completeLines` drops on resume.
///
/// It hashes what it writes as it goes, so a finished run knows its manifest's SHA-256 without reading it back.
public final class ManifestWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let hasher = SHA256()

    /// Opens the manifest for appending, truncating it to `keepingBytes` first (on resume, the complete lines' length).
    public init(path: String, keepingBytes: Int = 0) throws(FileError) {
        self.path = path
        if keepingBytes > 0 { hasher.update(Array(try FileIO.read(path).prefix(keepingBytes))) }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        guard ftruncate(fd, off_t(keepingBytes)) == 0, lseek(fd, off_t(keepingBytes), SEEK_SET) >= 0 else {
            let e = errno
            close(fd)
            throw FileError(path: path, operation: "truncate", errno: e)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// SHA-256 of everything the manifest holds (call once, after the last append).
    public func finishHash() -> String { hasher.finish() }

    public func append(_ line: String) throws(FileError) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        hasher.update(bytes)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc_write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }
}

/// Reads manifests back.
public enum ManifestReader {
    /// The `path` of each complete line of a manifest, and the byte length those lines occupy. A trailing line
    /// without a newline, or one that does not parse, is the trace of an interrupted append and is not counted.
    public static func completeLines(at path: String) throws(FileError) -> (paths: [String], bytes: Int) {
        guard FileIO.exists(path) else { return ([], 0) }
        let data = try FileIO.read(path)
        var paths: [String] = []
        var start = 0
        var kept = 0
        for i in data.indices where data[i] == 0x0A {
            guard let value = try? JSONParser.parse(Array(data[start..<i])), let p = value["path"]?.stringValue else { break }
            paths.append(p)
            start = i + 1
            kept = start
        }
        return (paths, kept)
    }

    /// Every line of a finished manifest; a malformed line is an error naming its line number.
    public static func lines(at path: String) throws -> [JSONObject] {
        let data = try FileIO.read(path)
        var lines: [JSONObject] = []
        var number = 0
        for slice in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            if slice.isEmpty { continue }
            do {
                guard let o = try JSONParser.parse(Array(slice)).objectValue else {
                    throw FileError(path: path, message: "line \(number): expected a JSON object")
                }
                lines.append(o)
            } catch let e as JSONParser.SyntaxError {
                throw FileError(path: path, message: "line \(number): \(e.message)")
            }
        }
        return lines
    }
}
