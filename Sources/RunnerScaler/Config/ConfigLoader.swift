#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads and validates the pools file. Every problem is collected with its key path, so one
/// failed start lists all of them.
public enum ConfigLoader {
    public static let defaultPath = "config.yml"

    /// `RUNNER_SCALER_CONFIG` (inline YAML) wins over `CONFIG_PATH` (default `config.yml`).
    public static func load(environment: [String: String]) throws(ConfigError) -> ScalerConfig {
        if let inline = environment["RUNNER_SCALER_CONFIG"], !inline.isEmpty {
            return try parse(yaml: inline, source: "RUNNER_SCALER_CONFIG", environment: environment)
        }
        let path = environment["CONFIG_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        return try load(path: path, environment: environment)
    }

    public static func load(path: String, environment: [String: String] = [:]) throws(ConfigError) -> ScalerConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError([ConfigProblem(path, FileManager.default.fileExists(atPath: path)
                ? "cannot be read"
                : "no such file; set CONFIG_PATH to your pools file or put the YAML in RUNNER_SCALER_CONFIG (see config.example.yml)")])
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), source: path, environment: environment)
    }

    public static func parse(yaml: String, source: String = "config", environment: [String: String] = [:]) throws(ConfigError) -> ScalerConfig {
        let root: Any?
        do { root = try YAMLValues.load(yaml) } catch {
            throw ConfigError([ConfigProblem(source, "is not valid YAML: \(error)")])
        }
        var reader = NodeReader(source: source, environment: environment)
        let config = reader.config(root)
        guard reader.problems.isEmpty, let config else { throw ConfigError(reader.problems) }
        return config
    }
}

/// Walks the untyped YAML tree, recording problems instead of stopping at the first.
struct NodeReader {
    let source: String
    let environment: [String: String]
    var problems: [ConfigProblem] = []

    init(source: String, environment: [String: String] = [:]) {
        self.source = source
        self.environment = environment
    }

    mutating func problem(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path, message))
    }

    mutating func config(_ root: Any?) -> ScalerConfig? {
        guard let map = root as? [String: Any] else {
            problem(source, "must be a mapping with a pools: list")
            return nil
        }
        unknownKeys(map, allowed: ["runnerNamePrefix", "pools"], at: "")
        let prefix = string(map, "runnerNamePrefix", at: "") ?? ScalerConfig.defaultRunnerNamePrefix
        if !RunnerNaming.isValidComponent(prefix) {
            problem("runnerNamePrefix", "must be 1-24 characters of a-z, 0-9 and '-', not starting or ending with '-'")
        }
        guard let rawPools = map["pools"] else {
            problem("pools", "is required: a list of at least one pool")
            return nil
        }
        guard let list = rawPools as? [Any], !list.isEmpty else {
            problem("pools", "must be a list of at least one pool")
            return nil
        }
        var pools: [PoolConfig] = []
        for (i, item) in list.enumerated() {
            if let pool = pool(item, at: "pools[\(i)]") { pools.append(pool) }
        }
        var seen = Set<String>()
        for (i, pool) in pools.enumerated() where !seen.insert(pool.name).inserted {
            problem("pools[\(i)].name", "duplicates pool name \(pool.name)")
        }
        return ScalerConfig(runnerNamePrefix: prefix, pools: pools)
    }

    static let poolKeys: Set<String> = [
        "name", "labels", "requireSelfHostedLabel", "maxRunners", "scope", "enterprise",
        "runnerGroup", "allow", "provider", "ec2", "metal", "libvirt", "registration", "installationId", "workFolder",
        "runnerVersion", "userDataTemplate", "bootTimeoutSeconds", "bootGraceSeconds", "maxLifetimeSeconds", "minIdle",
    ]

    mutating func pool(_ node: Any, at path: String) -> PoolConfig? {
        guard let map = node as? [String: Any] else {
            problem(path, "must be a mapping")
            return nil
        }
        let before = problems.count
        unknownKeys(map, allowed: Self.poolKeys, at: path)
        let name = string(map, "name", at: path, required: true) ?? ""
        if !name.isEmpty && !RunnerNaming.isValidComponent(name) {
            problem("\(path).name", "must be 1-24 characters of a-z, 0-9 and '-' (it becomes part of host names)")
        }
        let labels = stringList(map, "labels", at: path, required: true) ?? []
        if labels.contains(where: { $0.trimmingASCIIWhitespace().isEmpty }) {
            problem("\(path).labels", "must not contain empty labels")
        }
        let requireSelfHosted = bool(map, "requireSelfHostedLabel", at: path) ?? true
        if requireSelfHosted && !labels.isEmpty && !labels.contains(where: { $0.lowercased() == "self-hosted" }) {
            problem("\(path).labels", "must include self-hosted, or set requireSelfHostedLabel: false")
        }
        let maxRunners = int(map, "maxRunners", at: path) ?? 10
        if maxRunners < 1 { problem("\(path).maxRunners", "must be at least 1") }
        let scope = self.scope(map, at: path)
        let group = string(map, "runnerGroup", at: path)
        var owners: [String] = []
        var repositories: [String] = []
        if let allow = map["allow"] {
            if let allowMap = allow as? [String: Any] {
                unknownKeys(allowMap, allowed: ["owners", "repositories"], at: "\(path).allow")
                owners = stringList(allowMap, "owners", at: "\(path).allow") ?? []
                repositories = stringList(allowMap, "repositories", at: "\(path).allow") ?? []
                for (i, repo) in repositories.enumerated() where repo.split(separator: "/").count != 2 {
                    problem("\(path).allow.repositories[\(i)]", "must be owner/name, got \(repo)")
                }
                if owners.isEmpty && repositories.isEmpty {
                    problem("\(path).allow", "must list at least one owner or repository")
                }
            } else {
                problem("\(path).allow", "must be a mapping with owners: and/or repositories:")
            }
        } else {
            problem("\(path).allow", "is required: list the owners and/or owner/name repositories this pool serves")
        }
        let provider = self.provider(map, at: path)
        let registration: RunnerRegistration
        switch string(map, "registration", at: path) ?? "jit" {
        case "jit": registration = .jit
        case "token": registration = .registrationToken
        case let other:
            problem("\(path).registration", "must be jit or token, got \(other)")
            registration = .jit
        }
        let installation = int(map, "installationId", at: path)
        let workFolder = string(map, "workFolder", at: path) ?? "_work"
        let runnerVersion = string(map, "runnerVersion", at: path) ?? PoolConfig.defaultRunnerVersion
        if runnerVersion.split(separator: ".").count != 3 || !runnerVersion.allSatisfy({ $0.isNumber || $0 == "." }) {
            problem("\(path).runnerVersion", "must be a version like \(PoolConfig.defaultRunnerVersion)")
        }
        let template = string(map, "userDataTemplate", at: path)
        let bootTimeout = int(map, "bootTimeoutSeconds", at: path) ?? 600
        let bootGrace = int(map, "bootGraceSeconds", at: path) ?? 120
        let maxLifetime = int(map, "maxLifetimeSeconds", at: path) ?? 8 * 3600
        let minIdle = int(map, "minIdle", at: path) ?? 0
        if bootTimeout < 60 { problem("\(path).bootTimeoutSeconds", "must be at least 60") }
        if bootGrace < 0 { problem("\(path).bootGraceSeconds", "must not be negative") }
        if maxLifetime < bootTimeout { problem("\(path).maxLifetimeSeconds", "must be at least bootTimeoutSeconds") }
        if minIdle < 0 || minIdle > maxRunners { problem("\(path).minIdle", "must be between 0 and maxRunners") }
        guard problems.count == before, let provider, let scope else { return nil }
        var pool = PoolConfig(
            name: name, labels: labels, requireSelfHostedLabel: requireSelfHosted, maxRunners: maxRunners,
            scope: scope, runnerGroup: group, allowOwners: owners, allowRepositories: repositories,
            provider: provider)
        pool.registration = registration
        pool.installationID = installation.map(Int64.init)
        pool.workFolder = workFolder
        pool.runnerVersion = runnerVersion
        pool.userDataTemplate = template
        pool.bootTimeout = .seconds(bootTimeout)
        pool.bootGrace = .seconds(bootGrace)
        pool.maxLifetime = .seconds(maxLifetime)
        pool.minIdle = minIdle
        return pool
    }

    mutating func scope(_ map: [String: Any], at path: String) -> RunnerScope? {
        let raw = string(map, "scope", at: path) ?? "org"
        switch raw {
        case "repo", "repository": return .repository
        case "org", "organization": return .organization
        case "enterprise":
            guard let slug = string(map, "enterprise", at: path), !slug.isEmpty else {
                problem("\(path).enterprise", "is required when scope is enterprise (the enterprise slug)")
                return nil
            }
            return .enterprise(slug: slug)
        default:
            problem("\(path).scope", "must be repo, org or enterprise, got \(raw)")
            return nil
        }
    }

    mutating func provider(_ map: [String: Any], at path: String) -> ProviderConfig? {
        let kind = string(map, "provider", at: path) ?? "dry-run"
        for other in ["ec2", "metal", "libvirt"] where other != kind && map[other] != nil {
            problem("\(path).\(other)", "is set but provider is \(kind)")
        }
        switch kind {
        case "dry-run": return .dryRun
        case "ec2": return ec2Settings(map["ec2"], at: "\(path).ec2").map(ProviderConfig.ec2)
        case "metal": return metalSettings(map["metal"], at: "\(path).metal").map(ProviderConfig.metal)
        case "libvirt": return libvirtSettings(map["libvirt"], at: "\(path).libvirt", environment: environment).map(ProviderConfig.libvirt)
        default:
            problem("\(path).provider", "must be one of \(ProviderConfig.knownKinds.joined(separator: ", ")), got \(kind)")
            return nil
        }
    }

    // MARK: typed accessors

    mutating func unknownKeys(_ map: [String: Any], allowed: Set<String>, at path: String) {
        for key in map.keys.sorted() where !allowed.contains(key) {
            problem(path.isEmpty ? key : "\(path).\(key)", "is not a known key (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    mutating func string(_ map: [String: Any], _ key: String, at path: String, required: Bool = false) -> String? {
        let full = path.isEmpty ? key : "\(path).\(key)"
        guard let value = map[key], !(value is JSONNull) else {
            if required { problem(full, "is required") }
            return nil
        }
        if let s = value as? String { return s }
        if value is Int || value is Double || value is Bool { return "\(value)" }
        problem(full, "must be a string")
        return nil
    }

    mutating func int(_ map: [String: Any], _ key: String, at path: String) -> Int? {
        guard let value = map[key], !(value is JSONNull) else { return nil }
        if let i = value as? Int { return i }
        problem("\(path).\(key)", "must be an integer")
        return nil
    }

    mutating func bool(_ map: [String: Any], _ key: String, at path: String) -> Bool? {
        guard let value = map[key], !(value is JSONNull) else { return nil }
        if let b = value as? Bool { return b }
        problem("\(path).\(key)", "must be true or false")
        return nil
    }

    mutating func stringList(_ map: [String: Any], _ key: String, at path: String, required: Bool = false) -> [String]? {
        let full = path.isEmpty ? key : "\(path).\(key)"
        guard let value = map[key], !(value is JSONNull) else {
            if required { problem(full, "is required") }
            return nil
        }
        guard let list = value as? [Any] else {
            problem(full, "must be a list of strings")
            return nil
        }
        var out: [String] = []
        for (i, item) in list.enumerated() {
            if let s = item as? String { out.append(s) } else if item is Int || item is Double {
                out.append("\(item)")
            } else { problem("\(full)[\(i)]", "must be a string") }
        }
        if required && out.isEmpty { problem(full, "must not be empty") }
        return out
    }
}
