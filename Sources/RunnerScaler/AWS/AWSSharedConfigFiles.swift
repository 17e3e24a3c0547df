#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS shared credentials file (`~/.aws/credentials`, `[name]` sections) and config file
/// (`~/.aws/config`, `[profile name]` and `[default]`), read the way botocore reads them, for
/// one profile: `AWS_PROFILE`, else `default`.
public struct AWSSharedConfigFiles: Sendable, Equatable {
    public var credentialsPath: String
    public var configPath: String
    public var profile: String
    /// True when `AWS_PROFILE` chose the profile: then a missing profile is an error, while a
    /// missing `default` just means "no profile".
    public var profileIsExplicit: Bool

    public init(credentialsPath: String, configPath: String, profile: String, profileIsExplicit: Bool) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath
        self.profile = profile
        self.profileIsExplicit = profileIsExplicit
    }

    /// Paths and profile from `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE` and
    /// `AWS_PROFILE` (or the older `AWS_DEFAULT_PROFILE`), with `~` meaning `HOME`.
    public init(environment env: [String: String]) {
        // Without HOME, the account's home directory, as the AWS SDKs do (they read the
        // password database); only this default path depends on the process.
        let home = env.nonEmpty("HOME") ?? LocalFile.homeDirectory()
        func expand(_ path: String) -> String {
            if path == "~" { return home }
            if path.hasPrefix("~/") { return home + path.dropFirst(1) }
            return path
        }
        let explicit = env.nonEmpty("AWS_PROFILE") ?? env.nonEmpty("AWS_DEFAULT_PROFILE")
        self.init(credentialsPath: expand(env.nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials"),
                  configPath: expand(env.nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config"),
                  profile: explicit ?? "default", profileIsExplicit: explicit != nil)
    }

    /// The profile's settings, keys lower-cased: the config file's section overlaid by the
    /// credentials file's (which wins, as in every AWS SDK). nil when neither file has the
    /// profile and it was not asked for explicitly.
    public func profileSettings() throws(AWSCredentialsError) -> [String: String]? {
        let credentials = try Self.read(credentialsPath)
        let config = try Self.read(configPath)
        let fromCredentials = credentials?[profile]
        let fromConfig = config.flatMap { Self.configSection(profile, in: $0) }
        guard fromCredentials != nil || fromConfig != nil else {
            if profileIsExplicit {
                throw .profileNotFound(profile: profile, files: [credentialsPath, configPath])
            }
            return nil
        }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentialsValue in credentialsValue }
    }

    /// The profile's `region`, if the files set one; unreadable files count as none, since a
    /// region has other sources.
    public func region() -> String? {
        guard let settings = try? profileSettings() else { return nil }
        return settings["region"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// In the config file, `[profile x]`; `default` may also be plain `[default]`.
    static func configSection(_ profile: String, in sections: [String: [String: String]]) -> [String: String]? {
        if let section = sections["profile " + profile] { return section }
        return profile == "default" ? sections["default"] : nil
    }

    /// nil when the file does not exist.
    static func read(_ path: String) throws(AWSCredentialsError) -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try LocalFile.read(path)
            return parseINI(String(decoding: data, as: UTF8.self))
        } catch {
            throw .unreadableFile(path: path, reason: error.reason)
        }
    }

    /// Python `configparser` as botocore uses it: `[section]` headers (inner whitespace
    /// collapsed, so `[profile  x]` is `profile x`), `key = value` or `key: value` with the key
    /// lower-cased, whole-line `#`/`;` comments and no inline ones. Indented lines continue
    /// a nested block (`s3 =` sub-settings) and are skipped.
    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if let first = line.first, first == " " || first == "\t" { continue }
            let trimmed = line.trimmingASCIIWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                let name = trimmed.dropFirst().dropLast().split(whereSeparator: \.isWhitespace).joined(separator: " ")
                current = name
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let section = current,
                  let split = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let key = trimmed[..<split].trimmingASCIIWhitespace().lowercased()
            let value = String(trimmed[trimmed.index(after: split)...].trimmingASCIIWhitespace())
            sections[section]?[key] = value
        }
        return sections
    }
}
