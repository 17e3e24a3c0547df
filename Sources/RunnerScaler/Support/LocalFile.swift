#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small local-file and standard-error I/O on POSIX calls, with the system's own reason when
/// it fails ("No such file or directory", "Permission denied"). Foundation's readers report
/// errors through `NSError.localizedDescription`, which needs the legacy `Foundation` module
/// this library does not link (see BENCHMARKS.md).
enum LocalFile {
    struct ReadError: Error, Sendable, CustomStringConvertible {
        var path: String
        /// strerror text for the failing call.
        var reason: String
        var description: String { "cannot read \(path): \(reason)" }
    }

    /// Files we read are config, keys, secrets and templates; anything larger is a mistake.
    static let maximumSize = 16 << 20

    static func read(_ path: String) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(path: path, reason: lastError()) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { readBytes(fd, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, reason: lastError())
            }
            out.append(contentsOf: chunk[0..<n])
            guard out.count <= maximumSize else {
                throw ReadError(path: path, reason: "larger than \(maximumSize >> 20) MiB")
            }
        }
    }

    /// Writes `text` to standard error in full (retrying short writes), ignoring failures:
    /// there is nowhere else to report them.
    static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// The user's home from the password database, for when HOME is unset.
    static func homeDirectory() -> String {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return "/" }
        return String(cString: dir)
    }

    /// TMPDIR when set, else /tmp, with one trailing slash (as NSTemporaryDirectory gives it).
    static func temporaryDirectory() -> String {
        var dir = getenv("TMPDIR").map { String(cString: $0) } ?? ""
        if dir.isEmpty { dir = "/tmp" }
        return dir.hasSuffix("/") ? dir : dir + "/"
    }

    /// strerror text for the current errno, for messages about a failed local call.
    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// POSIX read(2), under a name `LocalFile.read` does not shadow.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
