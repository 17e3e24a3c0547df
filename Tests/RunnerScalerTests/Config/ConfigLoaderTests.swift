import Foundation
import Testing
@testable import RunnerScaler

@Suite("Config loading and startup checks")
struct ConfigLoaderTests {
    @Test("config.example.yml parses into its documented pool")
    func example() throws {
        let config = try ConfigLoader.load(path: Repo.url("config.example.yml").path)
        #expect(config.runnerNamePrefix == "rs")
        #expect(config.pools.count == 1)
        let pool = config.pools[0]
        #expect(pool.name == "linux-x64")
        #expect(pool.labels == ["self-hosted", "linux", "x64"])
        #expect(pool.maxRunners == 10)
        #expect(pool.scope == .organization)
        #expect(pool.allowOwners == ["octo-org"])
        #expect(pool.provider == .dryRun)
    }

    @Test("Defaults apply to keys left out")
    func defaults() throws {
        let config = try ConfigLoader.parse(yaml: """
            pools:
              - name: a
                labels: [self-hosted]
                allow: {owners: [o]}
            """)
        let pool = config.pools[0]
        #expect(config.runnerNamePrefix == "rs")
        #expect(pool.maxRunners == 10)
        #expect(pool.requireSelfHostedLabel)
        #expect(pool.scope == .organization)
        #expect(pool.runnerGroup == nil)
        #expect(pool.provider == .dryRun)
    }

    /// A config with a problem in nearly every field (also in the YAML parser's corpus).
    static let manyProblems = """
        runnerNamePrefix: Bad_Prefix
        colour: blue
        pools:
          - name: ok
            labels: [self-hosted]
            allow: {owners: [o]}
          - name: Not Valid
            labels: []
            maxRunners: 0
            scope: galaxy
            provider: teleporter
            allow: {}
          - labels: [linux]
            maxRunners: many
          - name: ok
            labels: [self-hosted]
            allow: {repositories: [noslash]}
        """

    @Test("Every problem is reported at once, each with its key path")
    func allProblems() {
        do {
            _ = try ConfigLoader.parse(yaml: Self.manyProblems)
            Issue.record("accepted a bad config")
        } catch {
            let paths = Set(error.problems.map(\.keyPath))
            for expected in [
                "runnerNamePrefix", "colour", "pools[1].name", "pools[1].labels", "pools[1].maxRunners", "pools[1].scope",
                "pools[1].provider", "pools[1].allow", "pools[2].name", "pools[2].labels", "pools[2].maxRunners",
                "pools[2].allow", "pools[3].allow.repositories[0]",
            ] {
                #expect(paths.contains(expected), "missing \(expected) in \(error)")
            }
            #expect(error.description.contains("pools[1].scope: must be repo, org or enterprise, got galaxy"))
        }
    }

    @Test("Enterprise scope needs the enterprise slug")
    func enterpriseScope() throws {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: "pools: [{name: e, labels: [self-hosted], scope: enterprise, allow: {owners: [o]}}]")
        }
        let config = try ConfigLoader.parse(
            yaml: "pools: [{name: e, labels: [self-hosted], scope: enterprise, enterprise: acme, allow: {owners: [o]}}]")
        #expect(config.pools[0].scope == .enterprise(slug: "acme"))
    }

    @Test("Duplicate pool names are refused")
    func duplicatePools() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(yaml: """
                pools:
                  - {name: a, labels: [self-hosted], allow: {owners: [o]}}
                  - {name: a, labels: [self-hosted], allow: {owners: [o]}}
                """)
        }
    }

    @Test("YAML syntax errors name the source")
    func yamlSyntax() {
        do { _ = try ConfigLoader.parse(yaml: "pools: [", source: "my.yml"); Issue.record("parsed") } catch {
            #expect(error.problems.first?.keyPath == "my.yml")
        }
    }

    @Test("Inline RUNNER_SCALER_CONFIG wins over CONFIG_PATH")
    func inlineWins() throws {
        let config = try ConfigLoader.load(environment: [
            "RUNNER_SCALER_CONFIG": "pools: [{name: inline, labels: [self-hosted], allow: {owners: [o]}}]",
            "CONFIG_PATH": "/nonexistent.yml",
        ])
        #expect(config.pools[0].name == "inline")
    }

    @Test("A missing config file says how to provide one")
    func missingFile() {
        do { _ = try ConfigLoader.load(environment: ["CONFIG_PATH": "/nonexistent/config.yml"]); Issue.record("loaded") } catch {
            #expect(error.description.contains("CONFIG_PATH"))
        }
    }

    static let goodYAML = "pools: [{name: a, labels: [self-hosted], allow: {owners: [o]}}]"

    @Test("An unset or empty webhook secret is a startup error naming the variable", arguments: [nil, ""] as [String?])
    func webhookSecretRequired(value: String?) async {
        var env = ["RUNNER_SCALER_CONFIG": Self.goodYAML]
        env["GITHUB_WEBHOOK_SECRET"] = value
        do { _ = try await Settings.load(environment: env, resolver: StandardSecretResolver()); Issue.record("started") } catch {
            let text = "\(error)"
            #expect(text.contains("GITHUB_WEBHOOK_SECRET: is not set"))
        }
    }

    @Test("Config and environment problems are listed together")
    func together() {
        do {
            _ = try Settings.references(environment: ["RUNNER_SCALER_CONFIG": "pools: []", "GITHUB_API_URL": "ftp://x"])
            Issue.record("accepted")
        } catch {
            let paths = error.problems.map(\.keyPath)
            #expect(paths.contains("pools"))
            #expect(paths.contains("GITHUB_WEBHOOK_SECRET"))
            #expect(paths.contains("GITHUB_API_URL"))
        }
    }

    @Test("Secrets may come from a file: reference, trailing newline removed")
    func fileReference() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rs-secret-\(UUID().uuidString)").path
        try "from-a-file\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let settings = try await Settings.load(
            environment: ["RUNNER_SCALER_CONFIG": Self.goodYAML, "GITHUB_WEBHOOK_SECRET": "file:\(path)"],
            resolver: StandardSecretResolver())
        #expect(settings.webhookSecret.exposedValue == "from-a-file")
        #expect(settings.apiURL == "https://api.github.com")
    }

    @Test("An unreadable secret file is a startup error that names the file but not a value")
    func unreadableFile() async {
        do {
            _ = try await Settings.load(
                environment: ["RUNNER_SCALER_CONFIG": Self.goodYAML, "GITHUB_WEBHOOK_SECRET": "file:/nonexistent/secret"],
                resolver: StandardSecretResolver())
            Issue.record("started")
        } catch {
            #expect("\(error)".contains("/nonexistent/secret"))
        }
    }

    @Test("Secret references parse into their kinds")
    func referenceParsing() {
        #expect(SecretReference(parsing: "file:/a") == .file(path: "/a"))
        #expect(SecretReference(parsing: "aws-sm:arn:aws:secretsmanager:us-east-1:1:secret:x#key")
            == .awsSecretsManager(id: "arn:aws:secretsmanager:us-east-1:1:secret:x", jsonKey: "key"))
        #expect(SecretReference(parsing: "aws-sm:name") == .awsSecretsManager(id: "name", jsonKey: nil))
        #expect(SecretReference(parsing: "aws-ssm:/runner/key") == .awsParameterStore(name: "/runner/key"))
        #expect(SecretReference(parsing: "plain") == .literal(Secret("plain")))
        #expect(SecretReference(parsing: "file:relative").syntaxProblem != nil)
        #expect("\(SecretReference(parsing: "plain"))" == "<literal>")
    }

    @Test("AWS references fail clearly until AWS resolution is configured")
    func awsWithoutResolver() async {
        await #expect(throws: SecretResolutionError.self) {
            try await StandardSecretResolver().resolve(.awsParameterStore(name: "/x"))
        }
    }

    @Test("A secret never prints its value")
    func redaction() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }

    @Test("The dry-run provider starts without App credentials")
    func dryRunNeedsNoApp() {
        #expect(throws: Never.self) {
            try Settings.references(environment: ["RUNNER_SCALER_CONFIG": Self.goodYAML, "GITHUB_WEBHOOK_SECRET": "x"])
        }
    }
}
