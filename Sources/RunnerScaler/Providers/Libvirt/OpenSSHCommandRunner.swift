#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command on a host with the OpenSSH client (`/usr/bin/ssh`, Debian's
/// `openssh-client`). Per call, the private key and the known_hosts line are written to a
/// fresh 0700 directory (key file 0600) and removed when the call ends, whether it succeeded,
/// failed or timed out. The script travels on ssh's stdin, never on a command line.
public struct OpenSSHCommandRunner: SSHCommandRunning {
    public var executable: String
    /// Parent of the per-call private directory.
    public var temporaryDirectory: String
    /// Upper bound for `ConnectTimeout`; the caller's deadline may make it shorter.
    public var connectTimeoutCap: Duration

    /// `temporaryDirectory` defaults to TMPDIR, else /tmp.
    public init(executable: String = "/usr/bin/ssh", temporaryDirectory: String? = nil,
                connectTimeoutCap: Duration = .seconds(15)) {
        self.executable = executable
        self.temporaryDirectory = temporaryDirectory ?? LocalFile.temporaryDirectory()
        self.connectTimeoutCap = connectTimeoutCap
    }

    public func run(_ command: SSHCommand, on target: SSHTarget, deadline: Deadline) async throws -> SSHCommandResult {
        try LibvirtValidation.sshTarget(target)
        let knownHosts: String? = switch target.hostKeys {
        case let .strict(entry): try SSHHostKeyPolicy.knownHostsFile(from: entry)
        case .insecureAcceptAny: nil
        }
        guard !deadline.hasPassed else { throw SSHError.deadlinePassed(target: target.display) }

        let dir = try PrivateDirectory(parent: temporaryDirectory)
        defer { dir.remove() }
        let keyFile = try dir.write("id", target.privateKey.pem.exposedValue)
        let knownHostsFile = try knownHosts.map { try dir.write("known_hosts", $0) }

        let remaining = deadline.remaining
        let connectTimeout = max(1, Int(min(remaining, connectTimeoutCap).seconds.rounded(.up)))
        let args = OpenSSHArguments.make(target: target, keyFile: keyFile, knownHostsFile: knownHostsFile,
                                         connectTimeoutSeconds: connectTimeout, remoteLine: command.remoteLine)
        let output: LocalProcess.Output
        do {
            output = try await LocalProcess(executable: executable, arguments: args)
                .run(input: Data(command.stdin.exposedValue.utf8), timeout: remaining)
        } catch {
            throw SSHError.cannotRun("\(error) (is openssh-client installed?)")
        }
        let scrub = Scrubber(target.privateKey)
        let stderr = scrub(String(decoding: output.stderr, as: UTF8.self))
        if output.killed { throw SSHError.timedOut(target: target.display, after: remaining) }
        // 255 is ssh's own failure; our scripts never exit with it.
        if output.status == 255 {
            let detail = stderr.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / ")
            throw SSHError.connectionFailed(target: target.display, detail: detail.isEmpty ? "exit 255" : detail,
                                            hint: SSHError.hint(for: stderr, target: target))
        }
        return SSHCommandResult(status: output.status, stdout: scrub(String(decoding: output.stdout, as: UTF8.self)),
                                stderr: stderr)
    }
}

/// Whatever a host prints, the key body never reaches a result, log or error.
private struct Scrubber {
    let lines: [String]
    init(_ key: SSHPrivateKey) { lines = key.sensitiveLines }
    func callAsFunction(_ text: String) -> String {
        lines.reduce(text) { $0.replacing($1, with: "<redacted>") }
    }
}

/// A directory only we can read (mkdtemp: 0700), for the key and known_hosts files.
private struct PrivateDirectory {
    let path: String

    init(parent: String) throws(SSHError) {
        var template = Array((parent.hasSuffix("/") ? parent : parent + "/").utf8CString.dropLast())
            + Array("runner-scaler-ssh.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .cannotRun("cannot create a private temp directory in \(parent): \(LocalFile.lastError())")
        }
        path = String(cString: made)
    }

    /// Creates `name` exclusively with mode 0600 (no umask race: the mode is set at open).
    func write(_ name: String, _ contents: String) throws(SSHError) -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotRun("cannot create \(file): \(LocalFile.lastError())") }
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Self.posixWrite(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .cannotRun("cannot write \(file): \(LocalFile.lastError())") }
            offset += n
        }
        return file
    }

    private static func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, bytes, count)
        #else
        Darwin.write(fd, bytes, count)
        #endif
    }

    func remove() {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
    }
}
