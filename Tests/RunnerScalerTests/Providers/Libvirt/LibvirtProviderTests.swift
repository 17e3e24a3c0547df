import Foundation
import Logging
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import RunnerScaler

/// launch → list → terminate against this machine's libvirtd, reached through a real sshd on
/// 127.0.0.1. The guest need not boot: the domain, its overlay and its seed must exist while
/// the runner lives and be gone after terminate.
@Suite("The libvirt provider drives a real libvirtd over a real sshd", .serialized)
struct LibvirtProviderTests {
    func withHost(_ body: (LibvirtTestHost) async throws -> Void) async throws {
        let host = try LibvirtTestHost()
        defer { host.cleanup() }
        try await body(host)
    }

    @Test("Launch starts a transient domain with overlay and seed, list finds it, terminate removes all three")
    func lifecycle() async throws {
        try await withHost { env in
            let pool = env.pool()
            let provider = env.provider([pool])
            let userData = "#!/bin/sh\necho 'it''s' \"$HOME\" $(id) `date` ; exit 0\n"
            let spec = env.spec(pool, userData: userData)
            let files = LibvirtHostFiles(directory: env.imageDirectory, runnerName: spec.runnerName)

            guard case let .launched(host) = try await provider.launch(spec) else { Issue.record("not launched"); return }
            #expect(host.id == "\(env.ssh.user)@127.0.0.1:\(env.ssh.port)/\(spec.runnerName)")
            #expect(host.runnerName == spec.runnerName)
            #expect(host.jobID == spec.job?.id)
            #expect(env.domainState(spec.runnerName) == "running")
            #expect(env.files() == [files.overlay, files.seed].map { ($0 as NSString).lastPathComponent }.sorted())

            // The overlay is a qcow2 on the base image.
            let info = LibvirtTestHost.run("/usr/bin/qemu-img", ["info", "-U", "--output=json", files.overlay])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
            #expect(json["format"] as? String == "qcow2")
            #expect(json["backing-filename"] as? String == env.baseImage)
            #expect(json["backing-filename-format"] as? String == "qcow2")
            #expect(json["virtual-size"] as? Int == 1 << 30)

            // The seed is a cidata ISO carrying the user data byte for byte.
            let pvd = LibvirtTestHost.run("/usr/bin/isoinfo", ["-d", "-i", files.seed])
            #expect(pvd.out.contains("Volume id: cidata"))
            let carried = LibvirtTestHost.run("/usr/bin/isoinfo", ["-R", "-i", files.seed, "-x", "/user-data"])
            #expect(carried.out == userData)
            let meta = LibvirtTestHost.run("/usr/bin/isoinfo", ["-R", "-i", files.seed, "-x", "/meta-data"])
            #expect(meta.out == "instance-id: \(spec.runnerName)\nlocal-hostname: \(spec.runnerName)\n")

            // The domain is what we asked for, and carries our metadata.
            let xml = env.virsh("dumpxml", spec.runnerName).out
            #expect(xml.contains("<domain type='\(env.domainType)'"))
            #expect(xml.contains("<on_poweroff>destroy</on_poweroff>"))
            let metadata = try #require(LibvirtRunnerMetadata(
                parsing: env.virsh("metadata", spec.runnerName, LibvirtRunnerMetadata.namespace).out))
            #expect(metadata.pool == "test")
            #expect(metadata.managedBy == "rs")
            #expect(metadata.jobID == spec.job?.id)
            #expect(metadata.runID == 77)
            #expect(metadata.repository == "octo-org/octo-repo")
            #expect(metadata.labels == ["self-hosted", "linux"])

            let listed = try await provider.list(pool: pool)
            #expect(listed.map(\.runnerName) == [spec.runnerName])
            #expect(listed.first?.id == host.id)
            #expect(listed.first?.state == .running)
            #expect(listed.first?.jobID == spec.job?.id)
            #expect(try await provider.find(runnerName: spec.runnerName, pool: pool).count == 1)

            guard case let .terminated(gone) = try await provider.terminate(try #require(listed.first)) else {
                Issue.record("not terminated"); return
            }
            #expect(gone.state == .terminated)
            #expect(!env.domainExists(spec.runnerName))
            #expect(env.files().isEmpty)
            #expect(try await provider.list(pool: pool).isEmpty)
            // Terminating again is harmless.
            _ = try await provider.terminate(gone)
        }
    }

    @Test("domainType qemu starts a TCG domain, for hosts without a usable /dev/kvm")
    func tcg() async throws {
        try await withHost { env in
            var settings = env.settings()
            settings.domainType = "qemu"
            let pool = env.pool("test", settings)
            let provider = env.provider([pool])
            let spec = env.spec(pool)
            guard case .launched = try await provider.launch(spec) else { Issue.record("not launched"); return }
            #expect(env.virsh("dumpxml", spec.runnerName).out.contains("<domain type='qemu'"))
            #expect(env.domainState(spec.runnerName) == "running")
            _ = try await provider.terminate(try #require(try await provider.list(pool: pool).first))
            #expect(!env.domainExists(spec.runnerName))
        }
    }

    @Test("A duplicate launch creates nothing; after the guest powers off, its files keep the name taken until swept")
    func duplicateAndOrphans() async throws {
        try await withHost { env in
            let pool = env.pool()
            let provider = env.provider([pool])
            let spec = env.spec(pool)
            guard case .launched = try await provider.launch(spec) else { Issue.record("not launched"); return }
            let before = env.files()
            let overlay = LibvirtHostFiles(directory: env.imageDirectory, runnerName: spec.runnerName).overlay
            let modified = try FileManager.default.attributesOfItem(atPath: overlay)[.modificationDate] as? Date

            guard case let .alreadyExists(existing) = try await provider.launch(spec) else {
                Issue.record("a duplicate launch did not report the existing host"); return
            }
            #expect(existing.runnerName == spec.runnerName)
            #expect(env.files() == before)
            #expect(try FileManager.default.attributesOfItem(atPath: overlay)[.modificationDate] as? Date == modified)
            #expect(try await provider.list(pool: pool).count == 1)

            // The guest powering off ends the transient domain; the files stay behind.
            #expect(env.virsh("destroy", spec.runnerName).status == 0)
            #expect(!env.domainExists(spec.runnerName))
            guard case let .alreadyExists(finished) = try await provider.launch(spec) else {
                Issue.record("a late duplicate of a finished runner started a new domain"); return
            }
            #expect(finished.state == .terminated)
            #expect(!env.domainExists(spec.runnerName))
            #expect(try await provider.list(pool: pool).isEmpty)

            // A running runner of the same pool and a file of another pool are left alone.
            let other = env.spec(pool, job: 2)
            guard case .launched = try await provider.launch(other) else { Issue.record("not launched"); return }
            let foreign = env.imageDirectory + "/rs-other-1-1.qcow2"
            #expect(FileManager.default.createFile(atPath: foreign, contents: Data()))

            let removed = try await provider.removeOrphanedFiles(pool: pool)
            let prefix = "\(env.ssh.user)@127.0.0.1:\(env.ssh.port):\(env.imageDirectory)/"
            #expect(removed.sorted() == ["\(spec.runnerName)-seed.iso", "\(spec.runnerName).qcow2"].map { prefix + $0 })
            let otherFiles = LibvirtHostFiles(directory: env.imageDirectory, runnerName: other.runnerName)
            #expect(env.files() == ["rs-other-1-1.qcow2", (otherFiles.overlay as NSString).lastPathComponent,
                                    (otherFiles.seed as NSString).lastPathComponent].sorted())

            // With a grace period, young leftovers stay (a launch may be in progress).
            #expect(env.virsh("destroy", other.runnerName).status == 0)
            let patient = env.provider([pool], orphanGrace: .seconds(3600))
            #expect(try await patient.removeOrphanedFiles(pool: pool).isEmpty)
            #expect(try await provider.removeOrphanedFiles(pool: pool).count == 2)
        }
    }

    @Test("List returns only this pool's domains that carry our metadata")
    func listFiltersByPool() async throws {
        try await withHost { env in
            let a = env.pool("test"), b = env.pool("test2")
            let provider = env.provider([a, b])
            let inA = env.spec(a), inB = env.spec(b)
            _ = try await provider.launch(inA)
            _ = try await provider.launch(inB)
            // A domain of the same naming scheme without our metadata is not ours.
            let stranger = "rs-test-\(env.jobBase + 99)-1"
            env.remember(stranger)
            let xml = """
            <domain type='\(env.domainType)'><name>\(stranger)</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
            <os><type>hvm</type></os><devices/></domain>
            """
            let file = env.root.path + "/stranger.xml"
            try xml.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(env.virsh("create", file).status == 0)

            #expect(try await provider.list(pool: a).map(\.runnerName) == [inA.runnerName])
            #expect(try await provider.list(pool: b).map(\.runnerName) == [inB.runnerName])

            // Terminate refuses to destroy a same-named domain that is not ours.
            let host = RunnerHost(id: "x", runnerName: stranger, pool: "test")
            await #expect(throws: LibvirtError.self) { try await provider.terminate(host) }
            #expect(env.domainExists(stranger))
        }
    }

    @Test("An unreachable host is skipped when choosing where to launch")
    func skipsUnreachableHost() async throws {
        try await withHost { env in
            let closed = LibvirtPoolSettings.SSHHost(host: "127.0.0.1", port: 1, user: env.ssh.user,
                                                      knownHostsEntry: env.ssh.hostPublicKey)
            let real = LibvirtPoolSettings.SSHHost(host: "127.0.0.1", port: env.ssh.port, user: env.ssh.user,
                                                    knownHostsEntry: env.ssh.knownHostsEntry)
            let pool = env.pool("test", env.settings(hosts: [closed, real]))
            let logs = LogCapture()
            let provider = env.provider([pool], logger: logs.logger())
            let spec = env.spec(pool)
            guard case let .launched(host) = try await provider.launch(spec) else { Issue.record("not launched"); return }
            #expect(host.id.hasPrefix("\(env.ssh.user)@127.0.0.1:\(env.ssh.port)/"))
            #expect(logs.lines.contains { $0.contains("unreachable") && $0.contains("127.0.0.1:1") })
            // list is all-or-nothing: a missing host would look like missing runners.
            await #expect(throws: (any Error).self) { try await provider.list(pool: pool) }
        }
    }

    @Test("Host key checking rejects a wrong known_hosts entry and nothing is created")
    func wrongHostKey() async throws {
        try await withHost { env in
            let wrong = LibvirtPoolSettings.SSHHost(host: "127.0.0.1", port: env.ssh.port, user: env.ssh.user,
                                                     knownHostsEntry: env.ssh.otherHostPublicKey)
            let pool = env.pool("test", env.settings(hosts: [wrong]))
            let spec = env.spec(pool)
            do {
                _ = try await env.provider([pool]).launch(spec)
                Issue.record("launched through a host with the wrong key")
            } catch let error as SSHError {
                #expect("\(error)".contains("Host key verification failed"))
            }
            #expect(!env.domainExists(spec.runnerName))
            #expect(env.files().isEmpty)
        }
    }

    @Test("insecureIgnoreHostKeys connects without a known_hosts entry")
    func insecureOptOut() async throws {
        try await withHost { env in
            let pool = env.pool("test", env.settings(insecure: true))
            let provider = env.provider([pool])
            let spec = env.spec(pool)
            guard case .launched = try await provider.launch(spec) else { Issue.record("not launched"); return }
            #expect(try await provider.list(pool: pool).count == 1)
        }
    }

    static let canary = "/tmp/rs-pwned-\(UUID().uuidString.prefix(8))"
    static var hostile: [String] {
        ["'; touch \(canary) #", "$(touch \(canary))", "`touch \(canary)`", "\"; touch \(canary); \"",
         "x\ntouch \(canary)\n", "</name><evil/>", "]]><evil/><![CDATA[", "&amp; &lt;", "a'b\"c\\d",
         "--help", "-oProxyCommand=touch \(canary)", "$((1+1)) ${HOME} ~root *", "\u{1F600} ü"]
    }

    @Test("Hostile runner names are refused before anything reaches the host")
    func hostileNames() async throws {
        try await withHost { env in
            let pool = env.pool()
            let provider = env.provider([pool])
            for name in Self.hostile + ["", "-rf", ".hidden", String(repeating: "a", count: 64), "a/b", "a b"] {
                let spec = HostSpec(runnerName: name, pool: pool, job: nil, userData: Secret("x"), managedBy: "rs")
                await #expect(throws: LibvirtError.self, "name: \(name)") { try await provider.launch(spec) }
                await #expect(throws: LibvirtError.self, "name: \(name)") {
                    try await provider.terminate(RunnerHost(id: name, runnerName: name, pool: "test"))
                }
            }
            #expect(!FileManager.default.fileExists(atPath: Self.canary))
            #expect(env.files().isEmpty)
        }
    }

    @Test("Hostile labels, repository and user data travel as data: stored verbatim, XML well-formed, nothing injected")
    func hostileLabels() async throws {
        try await withHost { env in
            let pool = env.pool()
            let provider = env.provider([pool])
            let labels = Self.hostile
            let repository = "octo-org/</repository><rs:pool>evil</rs:pool>$(touch \(Self.canary))"
            let userData = Self.hostile.joined(separator: "\n")
            let spec = env.spec(pool, labels: labels, repository: repository, userData: userData)
            guard case .launched = try await provider.launch(spec) else { Issue.record("not launched"); return }

            #expect(!FileManager.default.fileExists(atPath: Self.canary))
            let xml = env.virsh("dumpxml", spec.runnerName).out
            let parser = XMLParser(data: Data(xml.utf8))
            #expect(parser.parse(), "dumpxml is not well-formed")
            #expect(!xml.contains("<evil"))
            let metadata = try #require(LibvirtRunnerMetadata(
                parsing: env.virsh("metadata", spec.runnerName, LibvirtRunnerMetadata.namespace).out))
            #expect(metadata.labels == labels)
            #expect(metadata.repository == repository)
            #expect(metadata.pool == "test")
            let files = LibvirtHostFiles(directory: env.imageDirectory, runnerName: spec.runnerName)
            #expect(LibvirtTestHost.run("/usr/bin/isoinfo", ["-R", "-i", files.seed, "-x", "/user-data"]).out == userData)
            #expect(try await provider.list(pool: pool).map(\.runnerName) == [spec.runnerName])
            #expect(!FileManager.default.fileExists(atPath: Self.canary))
        }
    }

    @Test("Config strings with shell and XML metacharacters are quoted: the odd directory is used literally")
    func hostilePaths() async throws {
        try await withHost { env in
            let odd = env.root.path + "/it's $(touch \(Self.canary)) `touch \(Self.canary)`; & <x> \"q\""
            let pool = env.pool("test", env.settings(imageDirectory: odd))
            let provider = env.provider([pool])
            let spec = env.spec(pool)
            guard case .launched = try await provider.launch(spec) else { Issue.record("not launched"); return }
            #expect(!FileManager.default.fileExists(atPath: Self.canary))
            #expect(env.files(in: odd).count == 2)
            #expect(env.domainState(spec.runnerName) == "running")
            _ = try await provider.terminate(try #require(try await provider.list(pool: pool).first))
            #expect(env.files(in: odd).isEmpty)
            #expect(!FileManager.default.fileExists(atPath: Self.canary))
        }
    }

    @Test("Values no shell or XML can carry (NUL, control characters) are refused")
    func controlCharacters() async throws {
        try await withHost { env in
            let pool = env.pool()
            let provider = env.provider([pool])
            for label in ["a\u{0}b", "bell\u{7}", "esc\u{1B}[31m"] {
                let spec = env.spec(pool, labels: [label])
                await #expect(throws: LibvirtError.self) { try await provider.launch(spec) }
            }
            #expect(env.files().isEmpty)
        }
    }

    @Test("Keys never appear in logs or errors, on success or failure")
    func noKeyMaterial() async throws {
        try await withHost { env in
            let logs = LogCapture()
            let pool = env.pool()
            let provider = env.provider([pool], logger: logs.logger())
            let spec = env.spec(pool)
            _ = try await provider.launch(spec)
            _ = try await provider.terminate(try #require(try await provider.list(pool: pool).first))

            var errors: [String] = []
            let wrongHost = env.pool("test", env.settings(hosts: [.init(host: "127.0.0.1", port: env.ssh.port, user: env.ssh.user,
                                                                         knownHostsEntry: env.ssh.otherHostPublicKey)]))
            do { _ = try await env.provider([wrongHost], logger: logs.logger()).launch(env.spec(wrongHost)) } catch { errors.append("\(error)") }
            let refusedKey = try SSHPrivateKey(Secret(env.ssh.unauthorizedKeyPEM), source: "test")
            let refused = LibvirtProvider(pools: [pool], keys: ["test": refusedKey], logger: logs.logger(), managedBy: "rs")
            do { _ = try await refused.list(pool: pool) } catch { errors.append("\(error)") }
            #expect(errors.count == 2)

            let everything = (logs.lines + errors + ["\(provider)", "\(refused)"]).joined(separator: "\n")
            #expect(!everything.contains("PRIVATE KEY"))
            for line in env.key.sensitiveLines + refusedKey.sensitiveLines { #expect(!everything.contains(line)) }
        }
    }
}
