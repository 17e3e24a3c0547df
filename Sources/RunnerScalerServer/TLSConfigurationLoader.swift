import NIOSSL
import RunnerScaler

/// Builds the server's TLS configuration from PEM files, with errors that name the file and
/// what is wrong with it.
enum TLSConfigurationLoader {
    static func load(_ files: ServerSettings.TLSFiles) throws(ConfigError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath) } catch {
            throw ConfigError([ConfigProblem("--tls-cert / \(ServerSettings.tlsCertificateVariable)",
                "cannot read a PEM certificate chain from \(files.certificatePath): \(error)")])
        }
        guard !chain.isEmpty else {
            throw ConfigError([ConfigProblem("--tls-cert / \(ServerSettings.tlsCertificateVariable)",
                "\(files.certificatePath) holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")])
        }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem) } catch {
            throw ConfigError([ConfigProblem("--tls-key / \(ServerSettings.tlsKeyVariable)",
                "cannot read a PEM private key from \(files.keyPath): \(error)")])
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
