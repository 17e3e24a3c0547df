import Foundation
import Testing
@testable import RunnerScaler

@Suite("The scaler carries out decisions against GitHub and a provider")
struct ScalerTests {
    let pool = Fixtures.pool("linux", labels: ["self-hosted", "linux"], maxRunners: 2)
    var config: ScalerConfig { ScalerConfig(pools: [pool]) }
    let org = RunnerTarget.organization("octo-org")

    func scaler(_ github: InMemoryGitHub, _ provider: InMemoryProvider, config: ScalerConfig? = nil) -> Scaler {
        Scaler(config: config ?? self.config, github: github) { _ in provider }
    }

    @Test("queued: one list (cap and duplicate guard), one JIT config, one launch carrying it in user data")
    func launch() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let report = try await scaler(github, provider).execute(.launch(pool: "linux", job: Fixtures.job()))
        #expect(report.result == .launched)
        #expect(provider.calls == ["list", "launch"])
        #expect(github.calls == ["jit"])
        let spec = try #require(provider.launched.first)
        #expect(spec.runnerName == "rs-linux-1001-1")
        let userData = try #require(spec.userData).exposedValue
        #expect(userData.contains("JIT_CONFIG='JITCONFIG-rs-linux-1001-1-single-use'"))
        #expect(userData.contains("RUNNER_NAME='rs-linux-1001-1'"))
        #expect(spec.tags.contains { $0.key == "runner-scaler:job-id" && $0.value == "1001" })
    }

    @Test("A duplicate queued delivery finds the host by name and launches nothing")
    func duplicate() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let scaler = scaler(github, provider)
        _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job()))
        let again = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job()))
        #expect(again.result == .alreadyRunning)
        #expect(provider.live.count == 1)
        #expect(github.count("jit") == 1)
    }

    @Test("A 409 on the JIT name means another delivery of the job is launching it: a duplicate, not a failure")
    func conflictIsDuplicate() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        github.failNext = HTTPStatusError(status: 409, method: "POST", path: "/orgs/octo-org/actions/runners/generate-jitconfig",
                                          message: "Already exists")
        let report = try await scaler(github, provider).execute(.launch(pool: "linux", job: Fixtures.job()))
        #expect(report.result == .alreadyRunning)
        #expect(provider.launched.isEmpty)
    }

    @Test("At maxRunners a queued job is not dropped: 503, so the delivery counts as failed and is redelivered")
    func cap() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let scaler = scaler(github, provider)
        _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 1)))
        _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 2)))
        await #expect(throws: ScalerError.self) { try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 3))) }
        do { _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 3))) } catch {
            #expect(error.status == 503)
            #expect(error.message.contains("maxRunners"))
        }
        #expect(provider.live.count == 2)
        #expect(github.count("jit") == 2)
    }

    @Test("Registration-token pools get config.sh --ephemeral with the scope's URL")
    func registrationToken() async throws {
        var tokenPool = pool
        tokenPool.registration = .registrationToken
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        _ = try await Scaler(config: ScalerConfig(pools: [tokenPool]), github: github, apiURL: "https://ghes.example.com/api/v3") { _ in provider }
            .execute(.launch(pool: "linux", job: Fixtures.job()))
        #expect(github.calls == ["registration-token"])
        let userData = try #require(provider.launched.first?.userData).exposedValue
        #expect(userData.contains("RUNNER_MODE='token'"))
        #expect(userData.contains("REGISTRATION_URL='https://ghes.example.com/octo-org'"))
        #expect(userData.contains("--ephemeral"))
    }

    @Test("A configured runner group is resolved and used for the JIT config")
    func runnerGroup() async throws {
        var grouped = pool
        grouped.runnerGroup = "Linux Fleet"
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        _ = try await Scaler(config: ScalerConfig(pools: [grouped]), github: github) { _ in provider }
            .execute(.launch(pool: "linux", job: Fixtures.job()))
        #expect(github.calls == ["runner-group", "jit"])
    }

    @Test("A failed launch removes the JIT registration it just made and answers 502")
    func launchFailure() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        provider.failLaunches = 1
        do { _ = try await scaler(github, provider).execute(.launch(pool: "linux", job: Fixtures.job())); Issue.record("launched") } catch {
            #expect(error.status == 502)
            #expect(error.message.contains("injected launch failure"))
        }
        #expect(github.all(org).isEmpty)
        #expect(github.count("delete-runner") == 1)
    }

    @Test("A GitHub failure on queued answers 502 and launches nothing")
    func githubFailure() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        github.failNext = HTTPStatusError(status: 500, method: "POST", path: "/x", message: "boom")
        await #expect(throws: ScalerError.self) { try await scaler(github, provider).execute(.launch(pool: "linux", job: Fixtures.job())) }
        #expect(provider.launched.isEmpty)
    }

    @Test("completed terminates exactly that runner's host and deletes its registration")
    func terminate() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let scaler = scaler(github, provider)
        _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 1)))
        _ = try await scaler.execute(.launch(pool: "linux", job: Fixtures.job(id: 2)))
        let report = try await scaler.execute(.terminate(pool: "linux", runnerName: "rs-linux-1-1", job: Fixtures.job(id: 1)))
        #expect(report.result == .terminated)
        #expect(provider.live.map(\.runnerName) == ["rs-linux-2-1"])
        #expect(github.all(org).map(\.name) == ["rs-linux-2-1"])
    }

    @Test("A runner GitHub reports busy is not terminated")
    func busy() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        provider.seed(RunnerHost(id: "h-9", runnerName: "rs-linux-9-1", pool: "linux", state: .running))
        github.seed(GitHubRunner(id: 9, name: "rs-linux-9-1", status: "online", busy: true), in: org)
        let report = try await scaler(github, provider).execute(.terminate(pool: "linux", runnerName: "rs-linux-9-1", job: Fixtures.job(id: 9)))
        #expect(report.result == .deferred)
        #expect(provider.live.count == 1)
    }

    @Test("An unknown runner name is a no-op, reported as such")
    func unknownRunner() async throws {
        let report = try await scaler(InMemoryGitHub(), InMemoryProvider())
            .execute(.terminate(pool: "linux", runnerName: "rs-linux-404-1", job: Fixtures.job(id: 404)))
        #expect(report.result == .nothingToDo)
        #expect(report.detail.contains("no live host named rs-linux-404-1"))
    }

    @Test("Cancelled before pick-up terminates the newest idle host and its registration")
    func reapIdle() async throws {
        let github = InMemoryGitHub(), provider = InMemoryProvider()
        let now = Date()
        provider.seed(RunnerHost(id: "old", runnerName: "rs-linux-1-1", pool: "linux", state: .running, launchedAt: now.addingTimeInterval(-900)))
        provider.seed(RunnerHost(id: "new", runnerName: "rs-linux-2-1", pool: "linux", state: .running, launchedAt: now.addingTimeInterval(-300)))
        provider.seed(RunnerHost(id: "busy", runnerName: "rs-linux-3-1", pool: "linux", state: .running, launchedAt: now.addingTimeInterval(-60)))
        github.seed(GitHubRunner(id: 1, name: "rs-linux-1-1", status: "online"), in: org)
        github.seed(GitHubRunner(id: 2, name: "rs-linux-2-1", status: "online"), in: org)
        github.seed(GitHubRunner(id: 3, name: "rs-linux-3-1", status: "online", busy: true), in: org)
        let report = try await scaler(github, provider).execute(.reapIdle(pool: "linux", job: Fixtures.job(id: 7)))
        #expect(report.result == .terminated)
        #expect(Set(provider.live.map(\.id)) == ["old", "busy"])
        #expect(github.all(org).map(\.name).sorted() == ["rs-linux-1-1", "rs-linux-3-1"])
    }

    @Test("The installation comes from the payload, then the pool, then discovery by scope")
    func installation() throws {
        let scaler = scaler(InMemoryGitHub(), InMemoryProvider())
        #expect(try scaler.installationLookup(pool: pool, job: Fixtures.job()) == .id(4242))
        var job = Fixtures.job()
        job.installationID = nil
        var configured = pool
        configured.installationID = 77
        #expect(try scaler.installationLookup(pool: configured, job: job) == .id(77))
        #expect(try scaler.installationLookup(pool: pool, job: job) == .organization("octo-org"))
        var repoPool = pool
        repoPool.scope = .repository
        #expect(try scaler.installationLookup(pool: repoPool, job: job) == .repository(owner: "octo-org", name: "octo-repo"))
        var enterprise = pool
        enterprise.scope = .enterprise(slug: "acme")
        #expect(throws: ScalerError.self) { try scaler.installationLookup(pool: enterprise, job: job) }
    }
}

@Suite("Choosing the idle host to reap")
struct IdleSelectionTests {
    let now = Date(timeIntervalSince1970: 1_000_000)
    func host(_ name: String, age: TimeInterval?) -> RunnerHost {
        RunnerHost(id: name, runnerName: name, pool: "p", state: .running, launchedAt: age.map { now.addingTimeInterval(-$0) })
    }

    @Test("Registered and not busy is idle; the newest wins")
    func registeredIdle() {
        let hosts = [host("a", age: 600), host("b", age: 100)]
        let runners = [GitHubRunner(id: 1, name: "a"), GitHubRunner(id: 2, name: "b")]
        #expect(IdleSelection.newestIdle(hosts: hosts, runners: runners, now: now, bootGrace: .seconds(120))?.id == "b")
    }

    @Test("Busy runners are never idle")
    func busy() {
        let hosts = [host("a", age: 600)]
        #expect(IdleSelection.newestIdle(hosts: hosts, runners: [GitHubRunner(id: 1, name: "a", busy: true)], now: now,
                                         bootGrace: .seconds(120)) == nil)
    }

    @Test("Unregistered hosts count as idle only after the boot grace")
    func bootGrace() {
        #expect(IdleSelection.newestIdle(hosts: [host("young", age: 60)], runners: [], now: now, bootGrace: .seconds(120)) == nil)
        #expect(IdleSelection.newestIdle(hosts: [host("old", age: 600)], runners: [], now: now, bootGrace: .seconds(120))?.id == "old")
        #expect(IdleSelection.newestIdle(hosts: [host("unknown", age: nil)], runners: [], now: now, bootGrace: .seconds(120)) == nil)
    }
}

@Suite("User data")
struct UserDataTests {
    let pool = Fixtures.pool("linux", labels: ["self-hosted", "linux"])

    @Test("Values are shell-quoted so hostile strings stay data")
    func quoting() {
        var hostile = pool
        hostile.labels = ["self-hosted", "x'; rm -rf / #", "$(touch /tmp/pwned)"]
        let text = UserDataTemplate.builtIn.render(runnerName: "rs-linux-1-1", pool: hostile, registration: .planned).exposedValue
        #expect(text.contains(#"RUNNER_LABELS='self-hosted,x'\''; rm -rf / #,$(touch /tmp/pwned)'"#))
        #expect(ShellQuoting.singleQuoted("a'b") == #"'a'\''b'"#)
    }

    @Test("The built-in template powers off on exit and uses --ephemeral for tokens")
    func builtIn() {
        let text = UserDataTemplate.builtIn.text
        #expect(text.contains("shutdown -h now"))
        #expect(text.contains("trap "))
        #expect(text.contains("--ephemeral"))
        #expect(text.contains("--jitconfig"))
        #expect(text.contains("if [ ! -x \"$RUNNER_DIR/run.sh\" ]"))
    }

    @Test("The built-in template is valid bash")
    func bashSyntax() throws {
        let rendered = UserDataTemplate.builtIn.render(runnerName: "rs-linux-1-1", pool: pool,
            registration: .jit(JITConfig(runner: GitHubRunner(id: 1, name: "n"), encodedConfig: Secret("abc")))).exposedValue
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rs-userdata-\(UUID().uuidString).sh")
        try rendered.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try ChildProcess.run("/bin/bash", ["-n", file.path]) == 0)
    }

    @Test("A custom template replaces the built-in one")
    func custom() {
        let text = UserDataTemplate(text: "#!/bin/sh\necho {{RUNNER_NAME}} {{RUNNER_VERSION}}\n")
            .render(runnerName: "rs-a-1-1", pool: pool, registration: .planned).exposedValue
        #expect(text == "#!/bin/sh\necho 'rs-a-1-1' '\(PoolConfig.defaultRunnerVersion)'\n")
    }
}
