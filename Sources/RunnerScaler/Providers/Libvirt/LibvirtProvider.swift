#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runner hosts as transient libvirt domains on the user's own machines, driven over SSH with
/// the OpenSSH client. One provider serves every libvirt pool of the configuration; each
/// pool's settings travel in its `HostSpec` / `PoolConfig`, and its private key was resolved
/// once, when the provider was made (`make(config:context:)`).
///
/// On a host, per runner: `<imageDirectory>/<name>.qcow2` (overlay on the base image),
/// `<name>-seed.iso` (NoCloud seed, label `cidata`) and a transient domain `<name>` carrying
/// our metadata. The host's state is the only state: list reads it back with `virsh`.
public struct LibvirtProvider: HostProvider {
    public var kind: String { "libvirt" }

    /// Settings of every libvirt pool by name, for terminating a `RunnerHost` (which names only its pool).
    let pools: [String: LibvirtPoolSettings]
    /// Private key per pool name; empty in a dry run.
    let keys: [String: SSHPrivateKey]
    let runner: any SSHCommandRunning
    let logger: Logger
    let dryRun: Bool
    let managedBy: String
    /// Each SSH call gets this long (HostProvider calls carry no deadline of their own).
    let commandTimeout: Duration
    /// Leftover files younger than this may belong to a launch in progress.
    let orphanGrace: Duration
    let now: @Sendable () -> Date

    public init(pools: [PoolConfig], keys: [String: SSHPrivateKey], runner: any SSHCommandRunning = OpenSSHCommandRunner(),
                logger: Logger, dryRun: Bool = false, managedBy: String = ScalerConfig.defaultRunnerNamePrefix,
                commandTimeout: Duration = .seconds(60), orphanGrace: Duration = .seconds(600),
                now: @escaping @Sendable () -> Date = { Date() }) {
        var settings: [String: LibvirtPoolSettings] = [:]
        for pool in pools { if case let .libvirt(s) = pool.provider { settings[pool.name] = s } }
        self.pools = settings
        self.keys = keys
        self.runner = runner
        self.logger = logger
        self.dryRun = dryRun
        self.managedBy = managedBy
        self.commandTimeout = commandTimeout
        self.orphanGrace = orphanGrace
        self.now = now
    }

    /// Resolves each libvirt pool's private key once (the pool's `privateKey` reference, else
    /// the `SSH_PRIVATE_KEY` variable, which may itself be a reference such as `file:/…`).
    /// A dry run resolves nothing: it never connects.
    public static func make(config: ScalerConfig, context: ProviderContext,
                            runner: any SSHCommandRunning = OpenSSHCommandRunner()) async throws -> LibvirtProvider {
        var keys: [String: SSHPrivateKey] = [:]
        if !context.dryRun {
            var resolved: [(SecretReference, SSHPrivateKey)] = []
            for pool in config.pools {
                guard case let .libvirt(settings) = pool.provider else { continue }
                guard let reference = settings.privateKey
                        ?? context.environment["SSH_PRIVATE_KEY"].flatMap({ $0.isEmpty ? nil : SecretReference(parsing: $0) })
                else { throw LibvirtError.missingPrivateKey(pool: pool.name) }
                if let known = resolved.first(where: { $0.0 == reference }) {
                    keys[pool.name] = known.1
                    continue
                }
                let source = settings.privateKey == nil ? "SSH_PRIVATE_KEY" : "libvirt.privateKey (\(reference))"
                let secret: Secret
                do { secret = try await context.secrets.resolve(reference) } catch {
                    throw LibvirtError.unreadablePrivateKey(reference: source, why: "cannot be resolved: \(error)")
                }
                let key = try SSHPrivateKey(secret, source: source)
                resolved.append((reference, key))
                keys[pool.name] = key
            }
        }
        return LibvirtProvider(pools: config.pools, keys: keys, runner: runner, logger: context.logger,
                               dryRun: context.dryRun, managedBy: context.managedBy)
    }

    // MARK: launch

    public func launch(_ spec: HostSpec) async throws -> LaunchOutcome {
        let settings = try settings(of: spec.pool)
        try LibvirtValidation.runnerName(spec.runnerName)
        let metadata = LibvirtRunnerMetadata(spec: spec, created: now())
        for (field, value) in metadata.textFields { try LibvirtValidation.text(value, field: field) }
        try validate(settings)

        let files = LibvirtHostFiles(directory: settings.imageDirectory, runnerName: spec.runnerName)
        let domain = LibvirtDomainXML(
            name: spec.runnerName, type: settings.domainType, vcpus: settings.vcpus, memoryMiB: settings.memoryMiB,
            overlayPath: files.overlay, seedPath: files.seed, network: LibvirtNetwork(setting: settings.network),
            metadata: metadata)
        let metaData = "instance-id: \(spec.runnerName)\nlocal-hostname: \(spec.runnerName)\n"
        func script(userData: String) -> String {
            LibvirtHostScripts.launch(.init(uri: settings.libvirtURI, files: files, baseImage: settings.baseImage,
                                            diskGiB: settings.diskGiB, userData: userData, metaData: metaData,
                                            domainXML: domain.xml))
        }
        let userData = spec.userData?.exposedValue ?? ""

        if dryRun {
            let host = try settings.hosts.first.map(address) ?? { throw LibvirtError.noHosts(pool: spec.pool.name) }()
            let choice = settings.hosts.count > 1
                ? " (of \(settings.hosts.count) hosts, the one with the fewest running runners; shown: the first)" : ""
            return .planned("would launch libvirt domain \(spec.runnerName) on \(host)\(choice):\n"
                + plan(on: settings.hosts[0], settings: settings,
                       script: script(userData: "<redacted: \(userData.utf8.count) bytes>")))
        }

        let targets = try targets(of: spec.pool.name, settings)
        let chosen: SSHTarget
        switch try await choose(among: targets, for: spec.runnerName, pool: spec.pool.name, uri: settings.libvirtURI) {
        case let .existing(host): return .alreadyExists(host)
        case let .target(target): chosen = target
        }

        let result = try await runner.run(SSHCommand(stdin: Secret(script(userData: userData))), on: chosen,
                                          deadline: .after(commandTimeout))
        let host = RunnerHost(id: Self.hostID(chosen, spec.runnerName), runnerName: spec.runnerName, pool: spec.pool.name,
                              jobID: spec.job?.id, state: .pending, launchedAt: metadata.created)
        switch result.status {
        case 0:
            logger.info("launched libvirt domain", metadata: ["runner": "\(spec.runnerName)", "host": "\(chosen.display)"])
            return .launched(host)
        case LibvirtHostScripts.exitExists, LibvirtHostScripts.exitInProgress:
            return .alreadyExists(host)
        case LibvirtHostScripts.exitFinished:
            var done = host
            done.state = .terminated
            return .alreadyExists(done)
        default:
            throw LibvirtError.remoteCommandFailed(host: chosen.display, step: "launch of \(spec.runnerName)",
                                                   status: result.status, stderr: Self.trimmed(result.stderr))
        }
    }

    private enum Choice { case target(SSHTarget), existing(RunnerHost) }

    /// The host with the fewest running runner domains (ours, any pool); unreachable hosts
    /// are skipped. With several hosts the listing also finds the name on another host, so a
    /// duplicate delivery does not start a second domain elsewhere. With one host the launch
    /// script's own check is enough and saves a round trip.
    private func choose(among targets: [SSHTarget], for name: String, pool: String, uri: String) async throws -> Choice {
        if targets.count == 1 { return .target(targets[0]) }
        let listings = await listAll(targets, uri: uri)
        var best: (target: SSHTarget, running: Int)?
        var reasons: [String] = []
        for (target, listing) in zip(targets, listings) {
            switch listing {
            case let .failure(error):
                reasons.append("\(target.display): \(error)")
                logger.warning("libvirt host unreachable, skipped", metadata: ["host": "\(target.display)", "error": "\(error)"])
            case let .success(domains):
                if let existing = domains.first(where: { $0.name == name }) {
                    return .existing(host(existing, on: target, pool: pool))
                }
                let running = domains.filter { $0.metadata.managedBy == managedBy && $0.hostState != .terminated }.count
                if best.map({ running < $0.running }) ?? true { best = (target, running) }
            }
        }
        guard let best else { throw LibvirtError.noReachableHost(pool: pool, reasons: reasons) }
        return .target(best.target)
    }

    // MARK: list

    public func list(pool: PoolConfig) async throws -> [RunnerHost] {
        let settings = try settings(of: pool)
        if dryRun { return [] }
        let targets = try targets(of: pool.name, settings)
        var hosts: [RunnerHost] = []
        // All or nothing: a partial list would make the sweeper think the missing hosts gone.
        for (target, listing) in zip(targets, await listAll(targets, uri: settings.libvirtURI)) {
            let domains = try listing.get()
            hosts += domains
                .filter { $0.metadata.pool == pool.name && $0.metadata.managedBy == managedBy }
                .map { host($0, on: target, pool: pool.name) }
                .filter { $0.state == .pending || $0.state == .running }
        }
        return hosts
    }

    private func listAll(_ targets: [SSHTarget], uri: String) async -> [Result<[LibvirtDomain], any Error>] {
        await withTaskGroup(of: (Int, Result<[LibvirtDomain], any Error>).self) { group in
            for (i, target) in targets.enumerated() {
                group.addTask {
                    do { return (i, .success(try await domains(on: target, uri: uri))) } catch { return (i, .failure(error)) }
                }
            }
            var results = [Result<[LibvirtDomain], any Error>](repeating: .success([]), count: targets.count)
            for await (i, result) in group { results[i] = result }
            return results
        }
    }

    /// Every domain on the host that carries our metadata (any pool, any prefix).
    func domains(on target: SSHTarget, uri: String) async throws -> [LibvirtDomain] {
        let result = try await runner.run(SSHCommand(stdin: Secret(LibvirtHostScripts.list(uri: uri))), on: target,
                                          deadline: .after(commandTimeout))
        guard result.status == 0 else {
            throw LibvirtError.remoteCommandFailed(host: target.display, step: "listing domains", status: result.status,
                                                   stderr: Self.trimmed(result.stderr))
        }
        return LibvirtDomain.parse(listOutput: result.stdout)
    }

    private func host(_ domain: LibvirtDomain, on target: SSHTarget, pool: String) -> RunnerHost {
        RunnerHost(id: Self.hostID(target, domain.name), runnerName: domain.name, pool: domain.metadata.pool,
                   jobID: domain.metadata.jobID, state: domain.hostState, launchedAt: domain.metadata.created)
    }

    // MARK: terminate

    public func terminate(_ host: RunnerHost) async throws -> TerminateOutcome {
        guard let settings = pools[host.pool] else { throw LibvirtError.unknownPool(host.pool) }
        try LibvirtValidation.runnerName(host.runnerName)
        try validate(settings)
        let files = LibvirtHostFiles(directory: settings.imageDirectory, runnerName: host.runnerName)
        let script = LibvirtHostScripts.terminate(uri: settings.libvirtURI, files: files)
        // The id names the SSH host; an id we cannot place (renamed host, foreign id) means
        // trying every host of the pool, which is harmless: destroy is idempotent.
        let address = Self.address(inHostID: host.id)
        let matching = settings.hosts.filter { h in address.map { $0 == SSHAddress(host: h.host, port: h.port, user: h.user) } ?? false }
        let candidates = matching.isEmpty ? settings.hosts : matching

        if dryRun {
            return .planned("would terminate libvirt domain \(host.runnerName) on "
                + candidates.map { SSHAddress(host: $0.host, port: $0.port, user: $0.user).description }.joined(separator: ", ")
                + ":\n" + candidates.map { plan(on: $0, settings: settings, script: script) }.joined(separator: "\n"))
        }
        let targets = try self.targets(of: host.pool, settings).filter { t in
            candidates.contains { $0.host == t.host && $0.port == t.port && $0.user == t.user }
        }
        for target in targets {
            let result = try await runner.run(SSHCommand(stdin: Secret(script)), on: target, deadline: .after(commandTimeout))
            guard result.status == 0 else {
                throw LibvirtError.remoteCommandFailed(host: target.display, step: "terminate of \(host.runnerName)",
                                                       status: result.status, stderr: Self.trimmed(result.stderr))
            }
        }
        logger.info("terminated libvirt domain", metadata: ["runner": "\(host.runnerName)", "pool": "\(host.pool)"])
        var done = host
        done.state = .terminated
        if targets.count == 1 { done.id = Self.hostID(targets[0], host.runnerName) }
        return .terminated(done)
    }

    // MARK: leftover files

    /// Removes overlays, seeds and stale launch locks of this pool's runners whose domain no
    /// longer exists (the guest powered itself off, which ends a transient domain) and which
    /// are older than the grace period. Returns `user@host:port:/path` for each removed file.
    /// For the sweeper; a dry run removes nothing.
    public func removeOrphanedFiles(pool: PoolConfig) async throws -> [String] {
        let settings = try settings(of: pool)
        if dryRun { return [] }
        try validate(settings)
        let grace = max(0, Int(orphanGrace.seconds.rounded(.up)))
        var removed: [String] = []
        for target in try targets(of: pool.name, settings) {
            let found = try await runner.run(
                SSHCommand(stdin: Secret(LibvirtHostScripts.orphans(uri: settings.libvirtURI, directory: settings.imageDirectory,
                                                                    graceSeconds: grace))),
                on: target, deadline: .after(commandTimeout))
            guard found.status == 0 else {
                throw LibvirtError.remoteCommandFailed(host: target.display, step: "looking for leftover files",
                                                       status: found.status, stderr: Self.trimmed(found.stderr))
            }
            let mine = found.stdout.split(whereSeparator: \.isNewline).compactMap { line -> String? in
                let fields = line.split(separator: " ")
                guard fields.count == 2, fields[0] == "orphan",
                      let data = Data(base64Encoded: String(fields[1])), let base = String(data: data, encoding: .utf8),
                      let name = LibvirtHostFiles.runnerName(ofFile: base),
                      (try? LibvirtValidation.runnerName(name)) != nil,
                      RunnerNaming.belongs(name, toPool: pool.name, prefix: managedBy) else { return nil }
                return base
            }
            guard !mine.isEmpty else { continue }
            let result = try await runner.run(
                SSHCommand(stdin: Secret(LibvirtHostScripts.removeFiles(uri: settings.libvirtURI,
                                                                        directory: settings.imageDirectory, files: mine))),
                on: target, deadline: .after(commandTimeout))
            guard result.status == 0 else {
                throw LibvirtError.remoteCommandFailed(host: target.display, step: "removing leftover files",
                                                       status: result.status, stderr: Self.trimmed(result.stderr))
            }
            let paths = result.stdout.split(whereSeparator: \.isNewline).map { "\(target.display):\($0)" }
            if !paths.isEmpty { logger.info("removed leftover libvirt files", metadata: ["files": "\(paths)"]) }
            removed += paths
        }
        return removed
    }

    // MARK: helpers

    private func settings(of pool: PoolConfig) throws(LibvirtError) -> LibvirtPoolSettings {
        guard case let .libvirt(settings) = pool.provider else { throw .unknownPool(pool.name) }
        guard !settings.hosts.isEmpty else { throw .noHosts(pool: pool.name) }
        return settings
    }

    private func validate(_ s: LibvirtPoolSettings) throws(LibvirtError) {
        try LibvirtValidation.path(s.baseImage, field: "baseImage")
        try LibvirtValidation.path(s.imageDirectory, field: "imageDirectory")
        try LibvirtValidation.text(s.libvirtURI, field: "uri")
        try LibvirtValidation.text(s.network, field: "network")
        guard ["kvm", "qemu"].contains(s.domainType) else {
            throw .invalidValue(field: "domainType", value: s.domainType, why: "must be kvm or qemu")
        }
        guard s.vcpus >= 1, s.memoryMiB >= 128, s.diskGiB >= 0 else {
            throw .invalidValue(field: "vcpus/memoryMiB/diskGiB", value: "\(s.vcpus)/\(s.memoryMiB)/\(s.diskGiB)",
                                why: "must be at least 1 / 128 / 0")
        }
    }

    private func targets(of pool: String, _ settings: LibvirtPoolSettings) throws(LibvirtError) -> [SSHTarget] {
        guard let key = keys[pool] else { throw .missingPrivateKey(pool: pool) }
        return settings.hosts.map { target($0, settings: settings, key: key) }
    }

    private func target(_ h: LibvirtPoolSettings.SSHHost, settings: LibvirtPoolSettings, key: SSHPrivateKey) -> SSHTarget {
        SSHTarget(host: h.host, port: h.port, user: h.user,
                  hostKeys: settings.insecureIgnoreHostKeys ? .insecureAcceptAny : .strict(knownHosts: h.knownHostsEntry ?? ""),
                  privateKey: key)
    }

    private func address(_ h: LibvirtPoolSettings.SSHHost) -> String { SSHAddress(host: h.host, port: h.port, user: h.user).description }

    /// The dry-run text: the exact ssh command line (temp files as placeholders) and script.
    private func plan(on h: LibvirtPoolSettings.SSHHost, settings: LibvirtPoolSettings, script: String) -> String {
        let placeholder = SSHTarget(host: h.host, port: h.port, user: h.user,
                                    hostKeys: settings.insecureIgnoreHostKeys ? .insecureAcceptAny : .strict(knownHosts: ""),
                                    privateKey: .placeholder)
        let argv = ["/usr/bin/ssh"] + OpenSSHArguments.make(
            target: placeholder, keyFile: "<temp file holding the private key, 0600, removed after>",
            knownHostsFile: "<temp file holding the configured knownHostsEntry>",
            connectTimeoutSeconds: Int(min(commandTimeout, .seconds(15)).seconds.rounded(.up)),
            remoteLine: SSHCommand(stdin: Secret("")).remoteLine)
        return "$ " + ShellQuoting.join(argv) + " <<'SCRIPT'\n" + script + "SCRIPT"
    }

    /// `user@host:port/runner-name`: where the domain lives and what it is called.
    static func hostID(_ target: SSHTarget, _ name: String) -> String { "\(target.display)/\(name)" }

    static func address(inHostID id: String) -> SSHAddress? {
        guard let slash = id.lastIndex(of: "/") else { return nil }
        return SSHAddress(parsing: id[..<slash])
    }

    private static func trimmed(_ stderr: String) -> String {
        let text = String(stderr.trimmingASCIIWhitespace())
        return text.count > 2000 ? String(text.suffix(2000)) : text
    }
}
