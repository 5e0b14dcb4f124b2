#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure, naming the file and the operating system's reason.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public init(path: String, operation: String, errno code: Int32) {
        self.init(path: path, message: "\(operation) failed: \(String(cString: strerror(code)))")
    }

    public var description: String { "\(path): \(message)" }
}

/// Small, allocation-aware file helpers over POSIX calls.
public enum FileIO {
    /// Reads a whole file into `buffer`, reusing its capacity.
    public static func read(_ path: String, into buffer: inout [UInt8]) throws(FileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw FileError(path: path, message: "is a directory, expected a file") }
        let size = Int(st.st_size)
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(size)
        buffer.append(contentsOf: repeatElement(0, count: size))
        var done = 0
        let err: Int32 = buffer.withUnsafeMutableBytes { raw -> Int32 in
            while done < size {
                let n = Glibc_read(fd, raw.baseAddress! + done, size - done)
                if n < 0 { if errno == EINTR { continue }; return errno }
                if n == 0 { break }
                done += n
            }
            return 0
        }
        if err != 0 { throw FileError(path: path, operation: "read", errno: err) }
        if done < size { buffer.removeLast(size - done) }
    }

    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        var b: [UInt8] = []
        try read(path, into: &b)
        return b
    }

    /// Reads at most `count` leading bytes (for headers).
    public static func readPrefix(_ path: String, count: Int) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { Glibc_read(fd, $0.baseAddress!, count) }
        if n < 0 { throw FileError(path: path, operation: "read", errno: errno) }
        buffer.removeLast(count - n)
        return buffer
    }

    /// Writes `bytes` to `path` atomically: to `path.partial` first, then renamed into place, so a crash leaves either
    /// the complete file or no file (plus at most a `.partial` that `--resume` removes).
    public static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(FileError) {
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", errno: errno) }
        var done = 0
        while done < bytes.count {
            let n = Glibc_write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                unlink(temporary)
                throw FileError(path: temporary, operation: "write", errno: e)
            }
            done += n
        }
        guard close(fd) == 0 else { let e = errno; unlink(temporary); throw FileError(path: temporary, operation: "close", errno: e) }
        guard rename(temporary, path) == 0 else { let e = errno; unlink(temporary); throw FileError(path: path, operation: "rename", errno: e) }
    }

    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
        let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in Result { () throws(FileError) in try writeAtomically(raw, to: path) } }
        try result.get()
    }

    public static func writeAtomically(_ text: String, to path: String) throws(FileError) {
        try writeAtomically(Array(text.utf8), to: path)
    }

    /// Creates a directory and its parents (like `mkdir -p`).
    public static func makeDirectories(_ path: String) throws(FileError) {
        if isDirectory(path) { return }
        var st = stat()
        if stat(path, &st) == 0 { throw FileError(path: path, message: "exists and is not a directory") }
        let parent = parentDirectory(of: path)
        if !parent.isEmpty, parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0, errno != EEXIST { throw FileError(path: path, operation: "mkdir", errno: errno) }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// The entries of a directory, sorted by byte order of their names (deterministic), without `.` and `..`.
    public static func list(_ path: String) throws(FileError) -> [String] {
        guard let dir = opendir(path) else { throw FileError(path: path, operation: "open directory", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Every regular file under `root`, as paths relative to it, sorted.
    public static func walk(_ root: String) throws(FileError) -> [String] {
        var out: [String] = []
        func visit(_ relative: String) throws(FileError) {
            let full = relative.isEmpty ? root : root + "/" + relative
            for name in try list(full) {
                let rel = relative.isEmpty ? name : relative + "/" + name
                if isDirectory(root + "/" + rel) { try visit(rel) } else { out.append(rel) }
            }
        }
        try visit("")
        return out
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    public static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Joins path components with `/`, leaving absolute second components alone.
    public static func join(_ a: String, _ b: String) -> String {
        if b.hasPrefix("/") || a.isEmpty { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }
}

#if canImport(Glibc)
@inline(__always) func Glibc_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, buf, n) }
@inline(__always) func Glibc_write(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, buf, n) }
#else
@inline(__always) func Glibc_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ n: Int) -> Int { Darwin.read(fd, buf, n) }
@inline(__always) func Glibc_write(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, buf, n) }
#endif
