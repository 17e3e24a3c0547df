#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The project API keys of the metal pools, resolved once when the provider is built (once per
/// cold start in Lambda), never per event. Pools that share a reference share one lookup.
public struct MetalCredentials: Sendable {
    /// Where the key comes from when a pool sets no `metal.token`.
    public static let defaultVariable = "METAL_AUTH_TOKEN"

    private var byPool: [String: Secret]

    public init(byPool: [String: Secret]) { self.byPool = byPool }

    public func token(forPool pool: String) -> Secret? { byPool[pool] }

    /// The reference a pool's key is read from: its `metal.token`, else METAL_AUTH_TOKEN (which
    /// may itself hold a `file:`, `aws-sm:` or `aws-ssm:` reference, like every secret variable).
    public static func reference(for pool: String, _ settings: MetalPoolSettings,
                                 environment: [String: String]) throws(ProviderUnavailable) -> SecretReference {
        if let token = settings.token { return token }
        guard let raw = environment[defaultVariable], !raw.isEmpty else {
            throw ProviderUnavailable(kind: "metal", reason:
                "pool \(pool) sets no metal.token and \(defaultVariable) is not set; set either to a project API key "
                + "(or a file:, aws-sm: or aws-ssm: reference to one)")
        }
        let reference = SecretReference(parsing: raw)
        if let why = reference.syntaxProblem {
            throw ProviderUnavailable(kind: "metal", reason: "\(defaultVariable) \(why)")
        }
        return reference
    }

    /// Resolves every pool's key. Errors name the pool and the reference, never a value.
    public static func resolve(pools: [(name: String, settings: MetalPoolSettings)], environment: [String: String],
                               secrets: any SecretResolving) async throws -> MetalCredentials {
        var resolved: [(reference: SecretReference, token: Secret)] = []
        var byPool: [String: Secret] = [:]
        for (name, settings) in pools {
            let reference = try reference(for: name, settings, environment: environment)
            if let known = resolved.first(where: { $0.reference == reference }) {
                byPool[name] = known.token
                continue
            }
            let token: Secret
            do { token = try await secrets.resolve(reference) } catch {
                throw ProviderUnavailable(kind: "metal", reason: "cannot read the API key of pool \(name) from \(reference): \(error)")
            }
            guard !token.exposedValue.trimmingASCIIWhitespace().isEmpty else {
                throw ProviderUnavailable(kind: "metal", reason: "the API key of pool \(name) (\(reference)) is empty")
            }
            resolved.append((reference, token))
            byPool[name] = token
        }
        return MetalCredentials(byPool: byPool)
    }
}
