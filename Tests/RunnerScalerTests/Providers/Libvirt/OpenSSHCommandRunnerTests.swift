import Foundation
import Testing
@testable import RunnerScaler

/// The OpenSSH client against a real sshd on 127.0.0.1.
@Suite("The OpenSSH runner runs scripts on a real sshd", .serialized)
struct OpenSSHCommandRunnerTests {
    func target(_ server: SSHTestServer, hostKeys: SSHHostKeyPolicy? = nil, key: String? = nil) throws -> SSHTarget {
        SSHTarget(host: "127.0.0.1", port: server.port, user: server.user,
                  hostKeys: hostKeys ?? .strict(knownHosts: server.knownHostsEntry),
                  privateKey: try SSHPrivateKey(Secret(key ?? server.clientKeyPEM), source: "test"))
    }

    func withServer(_ body: (SSHTestServer, String) async throws -> Void) async throws {
        let server = try SSHTestServer()
        let temp = try LibvirtTestHost.makeTempDirectory(prefix: "rs-sshtmp")
        defer {
            server.stop()
            try? FileManager.default.removeItem(at: temp)
        }
        try await body(server, temp.path)
    }

    @Test("A script on stdin runs on the host and its output comes back")
    func runsScript() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            let result = try await runner.run(SSHCommand(stdin: Secret("echo hello; echo oops >&2; exit 7\n")),
                                              on: try target(server), deadline: .after(.seconds(30)))
            #expect(result.status == 7)
            #expect(result.stdout == "hello\n")
            #expect(result.stderr == "oops\n")
        }
    }

    @Test("The key file is 0600 while ssh runs and is gone afterwards, after success and after failure")
    func keyFileLifecycle() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            // sshd is on this machine, so the remote script can look at our temp directory.
            let look = "stat -c '%a %n' \(ShellQuoting.quote(temp))/runner-scaler-ssh.*/id\n"
            let result = try await runner.run(SSHCommand(stdin: Secret(look)), on: try target(server),
                                              deadline: .after(.seconds(30)))
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("600 \(temp)/runner-scaler-ssh."))
            #expect(try FileManager.default.contentsOfDirectory(atPath: temp).isEmpty)

            let wrong = try target(server, hostKeys: .strict(knownHosts: server.otherHostPublicKey))
            await #expect(throws: SSHError.self) {
                try await runner.run(SSHCommand(stdin: Secret("true\n")), on: wrong, deadline: .after(.seconds(30)))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: temp).isEmpty)
        }
    }

    @Test("Host key checking rejects a host whose key is not the configured one")
    func wrongHostKey() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            let wrong = try target(server, hostKeys: .strict(knownHosts: "[127.0.0.1]:\(server.port) \(server.otherHostPublicKey)"))
            do {
                _ = try await runner.run(SSHCommand(stdin: Secret("touch /tmp/should-not-run\n")), on: wrong,
                                         deadline: .after(.seconds(30)))
                Issue.record("connected despite a wrong host key")
            } catch let error as SSHError {
                guard case let .connectionFailed(_, detail, hint) = error else { Issue.record("\(error)"); return }
                #expect(detail.contains("Host key verification failed"))
                #expect(hint.contains("knownHostsEntry"))
            }
        }
    }

    @Test("The known_hosts line works as ssh-keyscan prints it, as `host type key`, and as a bare key")
    func knownHostsForms() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            for entry in [server.knownHostsEntry, "127.0.0.1 \(server.hostPublicKey) comment",
                          server.hostPublicKey, "# scanned\n\(server.otherHostPublicKey)\n\(server.hostPublicKey)\n"] {
                let result = try await runner.run(SSHCommand(stdin: Secret("echo ok\n")),
                                                  on: try target(server, hostKeys: .strict(knownHosts: entry)),
                                                  deadline: .after(.seconds(30)))
                #expect(result.stdout == "ok\n", "entry: \(entry)")
            }
        }
    }

    @Test("A known_hosts entry that is not a key line is refused before connecting")
    func badKnownHosts() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            for entry in ["", "not a key", "@cert-authority * \(server.hostPublicKey)"] {
                await #expect(throws: SSHError.self) {
                    try await runner.run(SSHCommand(stdin: Secret("true\n")),
                                         on: try target(server, hostKeys: .strict(knownHosts: entry)),
                                         deadline: .after(.seconds(30)))
                }
            }
        }
    }

    @Test("The opt-out accepts any host key")
    func insecureOptOut() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            let result = try await runner.run(SSHCommand(stdin: Secret("echo ok\n")),
                                              on: try target(server, hostKeys: .insecureAcceptAny),
                                              deadline: .after(.seconds(30)))
            #expect(result.stdout == "ok\n")
            #expect(result.stderr.isEmpty)
        }
    }

    @Test("A refused key is an SSH failure that says to check authorized_keys, without key material")
    func refusedKey() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            let t = try target(server, key: server.unauthorizedKeyPEM)
            do {
                _ = try await runner.run(SSHCommand(stdin: Secret("true\n")), on: t, deadline: .after(.seconds(30)))
                Issue.record("logged in with an unauthorized key")
            } catch {
                let text = "\(error)"
                #expect(text.contains("authorized_keys"))
                #expect(!text.contains("PRIVATE KEY"))
                for line in t.privateKey.sensitiveLines { #expect(!text.contains(line)) }
            }
        }
    }

    @Test("A host that does not finish before the deadline is killed and reported as a timeout")
    func timeout() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            do {
                _ = try await runner.run(SSHCommand(stdin: Secret("sleep 60\n")), on: try target(server),
                                         deadline: .after(.seconds(2)))
                Issue.record("a 60 s sleep finished within a 2 s deadline")
            } catch let error as SSHError {
                guard case .timedOut = error else { Issue.record("\(error)"); return }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: temp).isEmpty)
        }
    }

    @Test("A passed deadline means no connection attempt")
    func deadlinePassed() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            await #expect(throws: SSHError.deadlinePassed(target: "\(server.user)@127.0.0.1:\(server.port)")) {
                try await runner.run(SSHCommand(stdin: Secret("true\n")), on: try target(server),
                                     deadline: .after(.seconds(-1)))
            }
        }
    }

    @Test("Megabytes on stdin, stdout and stderr at once do not deadlock")
    func largeStreams() async throws {
        try await withServer { server, temp in
            let runner = OpenSSHCommandRunner(temporaryDirectory: temp)
            let payload = String(repeating: "0123456789abcdef", count: 65_536)  // 1 MiB
            let script = """
            x=\(ShellQuoting.quote(payload))
            i=0
            while [ $i -lt 4 ]; do printf '%s' "$x"; printf '%s' "$x" >&2; i=$((i+1)); done

            """
            let result = try await runner.run(SSHCommand(stdin: Secret(script)), on: try target(server),
                                              deadline: .after(.seconds(120)))
            #expect(result.status == 0)
            #expect(result.stdout.utf8.count == 4 * payload.utf8.count)
            #expect(result.stderr.utf8.count == 4 * payload.utf8.count)
        }
    }

    @Test("A host or user that looks like an ssh option is refused before ssh runs")
    func optionLikeTarget() async throws {
        let canary = "/tmp/rs-ssh-pwned-\(UUID().uuidString.prefix(8))"
        let key = try SSHPrivateKey(Secret(LibvirtProviderSetupTests.keyPEM), source: "test")
        for (host, user) in [("-oProxyCommand=touch \(canary)", "root"), ("127.0.0.1", "-oProxyCommand=touch \(canary)"),
                             ("a b", "root"), ("127.0.0.1", "ro ot"), ("", "root")] {
            let target = SSHTarget(host: host, port: 22, user: user, hostKeys: .insecureAcceptAny, privateKey: key)
            await #expect(throws: SSHError.self) {
                try await OpenSSHCommandRunner().run(SSHCommand(stdin: Secret("true\n")), on: target, deadline: .after(.seconds(5)))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: canary))
    }

    @Test("The private key is accepted as PEM, as base64 of PEM and with literal \\n, and prints redacted")
    func keyForms() throws {
        let server = try SSHTestServer()
        defer { server.stop() }
        let pem = server.clientKeyPEM
        let forms = [pem, Data(pem.utf8).base64EncodedString(), pem.replacingOccurrences(of: "\n", with: "\\n"),
                     "  \n" + pem + "\n\n"]
        for form in forms {
            let key = try SSHPrivateKey(Secret(form), source: "test")
            #expect(key.pem.exposedValue == pem.trimmingCharacters(in: .whitespacesAndNewlines) + "\n")
            #expect("\(key)" == "<redacted>")
        }
        do {
            _ = try SSHPrivateKey(Secret("c2VjcmV0LXZhbHVlLW5vdC1hLWtleQ=="), source: "SSH_PRIVATE_KEY")
            Issue.record("accepted base64 of something that is not a key")
        } catch {
            #expect("\(error)".contains("SSH_PRIVATE_KEY"))
            #expect(!"\(error)".contains("c2VjcmV0"))
        }
    }
}
