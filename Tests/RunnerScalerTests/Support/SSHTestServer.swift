import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import RunnerScaler

/// A real OpenSSH server (Debian `openssh-server`) on 127.0.0.1 and a free port, with a
/// generated ed25519 host key and a generated ed25519 client key, for the libvirt provider's
/// tests. It logs in as the current user (root here; `PermitRootLogin prohibit-password`).
/// `stop()` (or deinit) kills it: SIGTERM, then SIGKILL, since processes started by
/// Foundation's `Process` may have SIGTERM blocked.
final class SSHTestServer: @unchecked Sendable {
    let directory: URL
    let port: Int
    let user: String
    /// `ssh-ed25519 AAAA…` of the server's host key.
    let hostPublicKey: String
    /// The client's private key (OpenSSH PEM) whose public key is authorized.
    let clientKeyPEM: String
    /// Another client key that the server does not accept.
    let unauthorizedKeyPEM: String
    /// A host key the server does not have (for "wrong known_hosts" tests).
    let otherHostPublicKey: String
    /// The daemonized listener's pid.
    private var listener: pid_t?

    static let sshd = "/usr/sbin/sshd"
    static let keygen = "/usr/bin/ssh-keygen"

    /// `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, as `ssh-keyscan -p PORT 127.0.0.1` prints it.
    var knownHostsEntry: String { "[127.0.0.1]:\(port) \(hostPublicKey)" }

    init() throws {
        for tool in [Self.sshd, Self.keygen] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw PeerError("\(tool) is missing: run scripts/test-env start (installs openssh-server)")
        }
        directory = try LibvirtTestHost.makeTempDirectory(prefix: "rs-sshd")
        user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "root"
        let dir = directory.path
        for name in ["host_key", "client_key", "other_client_key", "other_host_key"] {
            try LibvirtTestHost.check(Self.keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "rs-test", "-f", "\(dir)/\(name)"])
        }
        func read(_ name: String) throws -> String { try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8) }
        func publicKey(_ name: String) throws -> String {
            try read("\(name).pub").split(separator: " ").prefix(2).joined(separator: " ")
        }
        hostPublicKey = try publicKey("host_key")
        otherHostPublicKey = try publicKey("other_host_key")
        clientKeyPEM = try read("client_key")
        unauthorizedKeyPEM = try read("other_client_key")
        try read("client_key.pub").write(toFile: "\(dir)/authorized_keys", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        port = try Loopback.freePort()
        let config = """
        ListenAddress 127.0.0.1
        Port \(port)
        HostKey \(dir)/host_key
        AuthorizedKeysFile \(dir)/authorized_keys
        PidFile \(dir)/sshd.pid
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        StrictModes no
        Subsystem sftp internal-sftp
        MaxStartups 50
        MaxSessions 50
        LogLevel VERBOSE

        """
        try config.write(toFile: "\(dir)/sshd_config", atomically: true, encoding: .utf8)
        // sshd daemonizes (no -D) on purpose: it closes every inherited descriptor at start,
        // including the socket Foundation's Process watches, and Foundation then blocks its one
        // process-monitor thread in waitpid() until that child exits. A long-lived sshd child
        // would stall every other Process in the test run. Daemonized, the child we start exits
        // at once and the listener is found through its PidFile.
        let starter = Process()
        starter.executableURL = URL(fileURLWithPath: Self.sshd)
        starter.arguments = ["-f", "\(dir)/sshd_config", "-E", "\(dir)/sshd.log"]
        starter.standardInput = FileHandle.nullDevice
        starter.standardOutput = FileHandle.nullDevice
        starter.standardError = FileHandle.nullDevice
        try starter.run()
        var pid: pid_t?
        for _ in 0..<200 {
            if let text = try? read("sshd.pid"), let found = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               Loopback.canConnect(port: port) {
                pid = found
                break
            }
            usleep(25_000)
        }
        guard let pid else {
            let log = (try? read("sshd.log")) ?? ""
            listener = nil
            stop()
            throw PeerError("sshd did not start on 127.0.0.1:\(port): \(log)")
        }
        listener = pid
        Self.record(pid)
        try Self.watch(listener: pid, directory: dir)
    }

    /// A killed test run (SIGKILL, a CI timeout, a helper's interrupted run) cannot stop its
    /// sshd, which is daemonized and so outlives it. A small watcher in its own session does:
    /// once this test process is gone it kills the listener, if that pid still is this sshd,
    /// and removes the directory with the generated keys. After a normal `stop()` the
    /// directory is gone and the watcher just exits (within ~1 s).
    private static func watch(listener pid: pid_t, directory dir: String) throws {
        let script = """
        while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 1; done
        if [ -d "$3" ] && tr '\\0' ' ' < "/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$3/sshd_config"; then
          kill -9 "$2"
        fi
        rm -rf -- "$3"
        """
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        watcher.arguments = ["-f", "/bin/sh", "-c", script, "rs-sshd-watch", String(getpid()), String(pid), dir]
        watcher.standardInput = FileHandle.nullDevice
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
    }

    /// A crashed test run cannot stop its sshd; `scripts/test-env stop` (run by .ci/run's
    /// cleanup) kills the pids noted here.
    private static func record(_ pid: pid_t) {
        let dir = Conformance.repoRoot.appendingPathComponent(".ci-work")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("test-sshd.pids").path
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line = Array("\(pid)\n".utf8)
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private static func alive(_ pid: pid_t) -> Bool {
        // Not our child, so it may linger as a zombie until init reaps it: that counts as gone.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    func stop() {
        if let pid = listener {
            listener = nil
            kill(pid, SIGTERM)
            for _ in 0..<50 where Self.alive(pid) { usleep(20_000) }
            if Self.alive(pid) {
                kill(pid, SIGKILL)
                for _ in 0..<100 where Self.alive(pid) { usleep(20_000) }
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    var log: String { (try? String(contentsOfFile: directory.path + "/sshd.log", encoding: .utf8)) ?? "" }
}
