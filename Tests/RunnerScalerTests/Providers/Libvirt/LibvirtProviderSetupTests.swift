import Foundation
import Logging
import Testing
@testable import RunnerScaler

/// Construction (key resolution), dry runs and host choice: nothing here needs a host.
@Suite("The libvirt provider is built once, plans dry runs without SSH, and picks the least busy host")
struct LibvirtProviderSetupTests {
    /// Records calls; answers from a table (only for host-choice logic and to prove that a
    /// dry run makes no call). The real runner is tested against a real sshd elsewhere.
    final class ScriptedRunner: SSHCommandRunning, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [(host: String, script: String)] = []
        let answers: @Sendable (SSHTarget, String) throws -> SSHCommandResult

        init(_ answers: @escaping @Sendable (SSHTarget, String) throws -> SSHCommandResult = { _, _ in
            SSHCommandResult(status: 0, stdout: "", stderr: "")
        }) { self.answers = answers }

        var calls: [(host: String, script: String)] { lock.withLock { recorded } }

        func run(_ command: SSHCommand, on target: SSHTarget, deadline: Deadline) async throws -> SSHCommandResult {
            lock.withLock { recorded.append((target.display, command.stdin.exposedValue)) }
            return try answers(target, command.stdin.exposedValue)
        }
    }

    final class CountingResolver: SecretResolving, @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var resolutions: Int { lock.withLock { count } }
        func resolve(_ reference: SecretReference) async throws -> Secret {
            lock.withLock { count += 1 }
            return try await StandardSecretResolver().resolve(reference)
        }
    }

    // TEST-ONLY: a fake, non-functional key body (note the FAKE filler); never a real credential.
    static let keyPEM = """
    -----BEGIN OPENSSH PRIVATE KEY-----
    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
    QyNTUxOQAAACBFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKEF
    -----END OPENSSH PRIVATE KEY-----
    """

    func settings(hosts: [LibvirtPoolSettings.SSHHost] = [.init(host: "kvm1.example", port: 2222, user: "runner",
                                                                 knownHostsEntry: "kvm1.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKE")],
                  privateKey: SecretReference? = nil) -> LibvirtPoolSettings {
        LibvirtPoolSettings(hosts: hosts, privateKey: privateKey, baseImage: "/var/lib/libvirt/images/runner-base.qcow2",
                            diskGiB: 40, domainType: "kvm")
    }

    func context(dryRun: Bool, env: [String: String] = [:], secrets: any SecretResolving = StandardSecretResolver(),
                 logger: Logger = Logger(label: "test")) -> ProviderContext {
        ProviderContext(environment: env, http: CurlHTTPClient(), secrets: secrets, logger: logger, dryRun: dryRun, managedBy: "rs")
    }

    func spec(_ pool: PoolConfig, userData: String = "#cloud-config\nruncmd: [echo JITCONFIG-SECRET]\n") -> HostSpec {
        let job = JobReference(id: 42, runID: 7, repository: "octo-org/octo-repo", owner: "octo-org", labels: ["self-hosted"])
        return HostSpec(runnerName: RunnerNaming.runnerName(prefix: "rs", pool: pool.name, job: job), pool: pool, job: job,
                        userData: Secret(userData), managedBy: "rs")
    }

    @Test("ProviderSet builds a libvirt provider for a libvirt pool")
    func providerSet() async throws {
        let pool = PoolConfig(name: "kvm", labels: ["self-hosted"], provider: .libvirt(settings()))
        let set = try await ProviderSet.make(for: ScalerConfig(pools: [pool]), context: context(dryRun: true))
        #expect(set.provider(for: pool).kind == "libvirt")
    }

    @Test("Dry run: no SSH at all; launch and terminate show the exact ssh command and script, user data redacted")
    func dryRun() async throws {
        let pool = PoolConfig(name: "kvm", labels: ["self-hosted"], provider: .libvirt(settings()))
        let runner = ScriptedRunner()
        let provider = try await LibvirtProvider.make(config: ScalerConfig(pools: [pool]), context: context(dryRun: true),
                                                      runner: runner)
        let spec = spec(pool)
        guard case let .planned(plan) = try await provider.launch(spec) else { Issue.record("not planned"); return }
        let argv = ["/usr/bin/ssh"] + OpenSSHArguments.make(
            target: SSHTarget(host: "kvm1.example", port: 2222, user: "runner", hostKeys: .strict(knownHosts: ""),
                              privateKey: .placeholder),
            keyFile: "<temp file holding the private key, 0600, removed after>",
            knownHostsFile: "<temp file holding the configured knownHostsEntry>", connectTimeoutSeconds: 15,
            remoteLine: "sh -s")
        #expect(plan.contains("$ " + ShellQuoting.join(argv) + " <<'SCRIPT'\n"))
        #expect(plan.contains("-o StrictHostKeyChecking=yes"))
        #expect(plan.contains("-p 2222 -l runner -- kvm1.example 'sh -s'"))
        #expect(plan.contains("<redacted: \(spec.userData!.exposedValue.utf8.count) bytes>"))
        #expect(!plan.contains("JITCONFIG-SECRET"))
        #expect(plan.contains("qemu-img create -q -f qcow2 -F qcow2 -b \"$base\" \"$overlay\" 40G"))
        #expect(plan.contains("virsh -q -c \"$uri\" create"))
        #expect(plan.contains("<name>rs-kvm-42-1</name>"))

        // The planned script is valid sh.
        let script = String(plan[plan.range(of: "<<'SCRIPT'\n")!.upperBound...].dropLast("SCRIPT".count))
        #expect(LibvirtTestHost.run("/bin/sh", ["-n", "-c", script]).status == 0)

        let host = RunnerHost(id: "runner@kvm1.example:2222/rs-kvm-42-1", runnerName: "rs-kvm-42-1", pool: "kvm")
        guard case let .planned(stop) = try await provider.terminate(host) else { Issue.record("not planned"); return }
        #expect(stop.contains("virsh -q -c \"$uri\" destroy \"$name\""))
        #expect(stop.contains("-- kvm1.example 'sh -s'"))
        #expect(try await provider.list(pool: pool).isEmpty)
        #expect(try await provider.removeOrphanedFiles(pool: pool).isEmpty)
        #expect(runner.calls.isEmpty)
    }

    @Test("The key is resolved once per reference at construction: privateKey, else SSH_PRIVATE_KEY (PEM or base64)")
    func keyResolvedOnce() async throws {
        let dir = try LibvirtTestHost.makeTempDirectory(prefix: "rs-key")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.path + "/id"
        try Self.keyPEM.write(toFile: file, atomically: true, encoding: .utf8)
        let a = PoolConfig(name: "a", labels: ["x"], provider: .libvirt(settings(privateKey: .file(path: file))))
        let b = PoolConfig(name: "b", labels: ["y"], provider: .libvirt(settings(privateKey: .file(path: file))))
        let c = PoolConfig(name: "c", labels: ["z"], provider: .libvirt(settings()))
        let resolver = CountingResolver()
        let base64 = Data(Self.keyPEM.utf8).base64EncodedString()
        let provider = try await LibvirtProvider.make(
            config: ScalerConfig(pools: [a, b, c]), context: context(dryRun: false, env: ["SSH_PRIVATE_KEY": base64], secrets: resolver))
        #expect(resolver.resolutions == 2)
        #expect(provider.keys["a"]?.pem.exposedValue == Self.keyPEM + "\n")
        #expect(provider.keys["b"] == provider.keys["a"])
        #expect(provider.keys["c"] == provider.keys["a"])
    }

    @Test("A missing or unreadable key fails construction with what to set, never the value")
    func keyErrors() async throws {
        let pool = PoolConfig(name: "kvm", labels: ["x"], provider: .libvirt(settings()))
        await #expect(throws: LibvirtError.missingPrivateKey(pool: "kvm")) {
            try await LibvirtProvider.make(config: ScalerConfig(pools: [pool]), context: context(dryRun: false))
        }
        do {
            _ = try await LibvirtProvider.make(config: ScalerConfig(pools: [pool]),
                                               context: context(dryRun: false, env: ["SSH_PRIVATE_KEY": "hunter2-not-a-key"]))
            Issue.record("accepted a key that is not one")
        } catch {
            #expect("\(error)".contains("SSH_PRIVATE_KEY"))
            #expect(!"\(error)".contains("hunter2"))
        }
        let missingFile = PoolConfig(name: "kvm", labels: ["x"],
                                     provider: .libvirt(settings(privateKey: .file(path: "/nonexistent/key"))))
        await #expect(throws: LibvirtError.self) {
            try await LibvirtProvider.make(config: ScalerConfig(pools: [missingFile]), context: context(dryRun: false))
        }
    }

    @Test("Launch goes to the reachable host with the fewest running runner domains, and finds a duplicate on any host")
    func hostChoice() async throws {
        func line(_ name: String, pool: String = "kvm", managedBy: String = "rs") -> String {
            let meta = LibvirtRunnerMetadata(managedBy: managedBy, pool: pool, runnerName: name).xml
            return ["domain", Data(name.utf8).base64EncodedString(), Data("running".utf8).base64EncodedString(),
                    Data(meta.utf8).base64EncodedString()].joined(separator: " ")
        }
        // Runners of every pool count (they share the host); another scaler's (managed-by x) do not.
        // busy: 2, down: unreachable, quiet: 1, mixed: 2 ours + 1 foreign.
        let hosts = ["busy", "down", "quiet", "mixed"].map {
            LibvirtPoolSettings.SSHHost(host: "\($0).example", user: "runner", knownHostsEntry: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKE")
        }
        let listings: [String: String] = [
            "busy.example": [line("rs-kvm-1-1"), line("rs-other-2-1", pool: "other")].joined(separator: "\n"),
            "quiet.example": line("rs-kvm-3-1"),
            "mixed.example": [line("x-kvm-4-1", managedBy: "x"), line("rs-kvm-5-1"), line("rs-kvm-6-1")].joined(separator: "\n"),
        ]
        let runner = ScriptedRunner { target, script in
            if target.host == "down.example" {
                throw SSHError.connectionFailed(target: target.display, detail: "Connection refused", hint: "")
            }
            if script.contains("list --all --name") && !script.contains("create") {
                return SSHCommandResult(status: 0, stdout: listings[target.host] ?? "", stderr: "")
            }
            return SSHCommandResult(status: 0, stdout: "", stderr: "")
        }
        let pool = PoolConfig(name: "kvm", labels: ["x"], provider: .libvirt(settings(hosts: hosts)))
        let key = try SSHPrivateKey(Secret(Self.keyPEM), source: "test")
        let provider = LibvirtProvider(pools: [pool], keys: ["kvm": key], runner: runner, logger: Logger(label: "test"), managedBy: "rs")

        guard case let .launched(host) = try await provider.launch(spec(pool)) else { Issue.record("not launched"); return }
        #expect(host.id == "runner@quiet.example:22/rs-kvm-42-1")
        #expect(runner.calls.last?.host == "runner@quiet.example:22")
        #expect(runner.calls.last?.script.contains("JITCONFIG-SECRET") == true)

        // The same name already running on any host: nothing is launched.
        let existing = PoolConfig(name: "kvm", labels: ["x"], provider: .libvirt(settings(hosts: hosts)))
        var duplicate = spec(existing)
        duplicate.runnerName = "rs-kvm-5-1"
        let before = runner.calls.count
        guard case let .alreadyExists(found) = try await provider.launch(duplicate) else { Issue.record("launched a duplicate"); return }
        #expect(found.id == "runner@mixed.example:22/rs-kvm-5-1")
        #expect(runner.calls.count == before + hosts.count)
    }
}
