import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif
@testable import RunnerScaler

/// The libvirt side of the test peer: the machine's own libvirtd (started by
/// `scripts/test-env start`), reached through a per-test `SSHTestServer`. It owns a temp
/// image directory with a tiny generated base image, and inspects the results locally with
/// `virsh`, `qemu-img` and `isoinfo` (never through the code under test). `cleanup()`
/// destroys every domain whose files live in its directory and removes the directory.
final class LibvirtTestHost: @unchecked Sendable {
    static let uri = "qemu:///system"
    let ssh: SSHTestServer
    let root: URL
    /// Where overlays and seeds go (the pool's imageDirectory).
    let imageDirectory: String
    let baseImage: String
    let domainType: String
    let key: SSHPrivateKey
    /// A fresh job id range per host so parallel runs never share a runner name.
    let jobBase: Int64
    private let lock = NSLock()
    private var names: Set<String> = []

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/virsh"),
              Self.run("/usr/bin/virsh", ["-c", Self.uri, "version"]).status == 0 else {
            throw PeerError("libvirtd is not answering on \(Self.uri): run scripts/test-env start")
        }
        ssh = try SSHTestServer()
        root = try Self.makeTempDirectory(prefix: "rs-libvirt")
        // The qemu process runs as libvirt-qemu and must traverse to the images.
        chmod(root.path, 0o755)
        imageDirectory = root.path + "/images"
        baseImage = root.path + "/base.qcow2"
        try Self.check("/usr/bin/qemu-img", ["create", "-q", "-f", "qcow2", baseImage, "64M"])
        domainType = ProcessInfo.processInfo.environment["RUNNER_SCALER_LIBVIRT_DOMAIN_TYPE"] ?? (Self.kvmUsable() ? "kvm" : "qemu")
        key = try SSHPrivateKey(Secret(ssh.clientKeyPEM), source: "test")
        jobBase = Int64.random(in: 1_000_000...9_000_000) * 1000
    }

    /// /dev/kvm is usable by qemu (user libvirt-qemu, group kvm) only if its mode lets it.
    private static func kvmUsable() -> Bool {
        var st = stat()
        guard stat("/dev/kvm", &st) == 0 else { return false }
        let kvmGroup = getgrnam("kvm").map { $0.pointee.gr_gid }
        return st.st_mode & 0o006 == 0o006 || (st.st_gid == kvmGroup && st.st_mode & 0o060 == 0o060)
    }

    func settings(hosts: [LibvirtPoolSettings.SSHHost]? = nil, insecure: Bool = false,
                  imageDirectory: String? = nil, diskGiB: Int = 1) -> LibvirtPoolSettings {
        LibvirtPoolSettings(
            hosts: hosts ?? [.init(host: "127.0.0.1", port: ssh.port, user: ssh.user,
                                   knownHostsEntry: insecure ? nil : ssh.knownHostsEntry)],
            insecureIgnoreHostKeys: insecure, libvirtURI: Self.uri, baseImage: baseImage,
            imageDirectory: imageDirectory ?? self.imageDirectory, vcpus: 1, memoryMiB: 128, diskGiB: diskGiB,
            network: "none", domainType: domainType)
    }

    func pool(_ name: String = "test", _ settings: LibvirtPoolSettings? = nil) -> PoolConfig {
        PoolConfig(name: name, labels: ["self-hosted", "linux"], provider: .libvirt(settings ?? self.settings()))
    }

    func provider(_ pools: [PoolConfig], logger: Logger = Logger(label: "test"), dryRun: Bool = false,
                  runner: any SSHCommandRunning = OpenSSHCommandRunner(), orphanGrace: Duration = .zero) -> LibvirtProvider {
        var keys: [String: SSHPrivateKey] = [:]
        for pool in pools { keys[pool.name] = key }
        return LibvirtProvider(pools: pools, keys: dryRun ? [:] : keys, runner: runner, logger: logger, dryRun: dryRun,
                               managedBy: "rs", orphanGrace: orphanGrace)
    }

    /// A spec for a new runner of `pool`; remembered for cleanup.
    func spec(_ pool: PoolConfig, job offset: Int64 = 1, labels: [String] = ["self-hosted", "linux"],
              repository: String = "octo-org/octo-repo", userData: String = "#cloud-config\n") -> HostSpec {
        let job = JobReference(id: jobBase + offset, runID: 77, runAttempt: 1, repository: repository,
                               owner: "octo-org", labels: labels)
        let name = RunnerNaming.runnerName(prefix: "rs", pool: pool.name, job: job)
        remember(name)
        return HostSpec(runnerName: name, pool: pool, job: job, userData: Secret(userData), managedBy: "rs")
    }

    func remember(_ name: String) { lock.withLock { _ = names.insert(name) } }

    // MARK: local inspection

    func virsh(_ args: String...) -> (status: Int32, out: String, err: String) {
        Self.run("/usr/bin/virsh", ["-q", "-c", Self.uri] + args)
    }

    func domainExists(_ name: String) -> Bool { virsh("domstate", name).status == 0 }

    func domainState(_ name: String) -> String? {
        let r = virsh("domstate", name)
        return r.status == 0 ? r.out.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    func files(in directory: String? = nil) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory ?? imageDirectory)) ?? []).sorted()
    }

    /// Destroys the domains this host created (by remembered name or by file in its
    /// directories), removes the directories and stops sshd.
    func cleanup() {
        var all = lock.withLock { names }
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            for case let path as String in walker {
                if let name = LibvirtHostFiles.runnerName(ofFile: (path as NSString).lastPathComponent) { all.insert(name) }
            }
        }
        for name in all where domainExists(name) { _ = virsh("destroy", name) }
        try? FileManager.default.removeItem(at: root)
        ssh.stop()
    }

    deinit { cleanup() }

    // MARK: processes

    static func makeTempDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a local program and waits (no shell involved). Outputs are small here.
    static func run(_ executable: String, _ args: [String]) -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("rs-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("rs-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        guard let outHandle = try? FileHandle(forWritingTo: out), let errHandle = try? FileHandle(forWritingTo: err) else {
            return (-1, "", "cannot open temp files")
        }
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = outHandle
        p.standardError = errHandle
        do { try p.run() } catch { return (-1, "", "\(error)") }
        p.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        let o = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let e = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        return (p.terminationStatus, o, e)
    }

    static func check(_ executable: String, _ args: [String]) throws {
        let r = run(executable, args)
        guard r.status == 0 else { throw PeerError("\(executable) \(args.joined(separator: " ")) failed: \(r.err)") }
    }
}
