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
public final class ManifestWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    /// Opens the manifest for appending, truncating it to `keepingBytes` first (on resume, the complete lines' length).
    public init(path: String, keepingBytes: Int = 0) throws(FileError) {
        self.path = path
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

    public func append(_ line: String) throws(FileError) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
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
    /// The complete lines of a manifest (each parsed), and the byte length they occupy. A trailing line without a
    /// newline, or one that does not parse, is the trace of an interrupted append and is not counted.
    public static func completeLines(at path: String) throws(FileError) -> (lines: [JSONObject], bytes: Int) {
        guard FileIO.exists(path) else { return ([], 0) }
        let data = try FileIO.read(path)
        var lines: [JSONObject] = []
        var start = 0
        var kept = 0
        for i in data.indices where data[i] == 0x0A {
            guard let value = try? JSONParser.parse(Array(data[start..<i])), let o = value.objectValue else { break }
            lines.append(o)
            start = i + 1
            kept = start
        }
        return (lines, kept)
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
