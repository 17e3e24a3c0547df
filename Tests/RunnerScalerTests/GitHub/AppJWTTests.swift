import Foundation
import Testing
@testable import RunnerScaler

@Suite("GitHub App JWT (RS256 over OpenSSL)")
struct AppJWTTests {
    nonisolated(unsafe) static let vectors = try! Conformance.json("github/app-jwt/rs256-github-app-jwt-vectors.json") as! [String: Any]
    static var cases: [[String: Any]] { vectors["cases"] as! [[String: Any]] }
    static var pkcs1: String { vectors["private_key_pem_pkcs1"] as! String }
    static var pkcs8: String { vectors["private_key_pem_pkcs8"] as! String }

    static func claims(_ c: [String: Any]) -> (iat: Int64, exp: Int64, iss: AppIdentity) {
        let claims = try! JSONSerialization.jsonObject(with: Data((c["claims_json"] as! String).utf8)) as! [String: Any]
        let iss: AppIdentity = (claims["iss"] as? String).map { .clientID($0) } ?? .appID((claims["iss"] as! NSNumber).int64Value)
        return ((claims["iat"] as! NSNumber).int64Value, (claims["exp"] as! NSNumber).int64Value, iss)
    }

    @Test("Signatures equal the vectors byte for byte, from PKCS#1, PKCS#8 and base64-encoded PEM",
          arguments: [0, 1], ["pkcs1", "pkcs8", "base64-pkcs1", "base64-pkcs8", "escaped-newlines"])
    func vectors(index: Int, keyForm: String) throws {
        let c = Self.cases[index]
        let pem = keyForm.hasSuffix("pkcs1") ? Self.pkcs1 : Self.pkcs8
        let material: String = switch keyForm {
        case "base64-pkcs1", "base64-pkcs8": Data(pem.utf8).base64EncodedString()
        case "escaped-newlines": pem.replacingOccurrences(of: "\n", with: "\\n")
        default: pem
        }
        let key = try RSAPrivateKey(Secret(material))
        let (iat, exp, iss) = Self.claims(c)
        let jwt = AppJWT(identity: iss, key: key).sign(iat: iat, exp: exp)
        #expect(jwt == c["jwt"] as! String)
        #expect(jwt.split(separator: ".").last.map(String.init) == c["signature_b64url"] as? String)
        #expect(jwt.hasPrefix(c["signing_input"] as! String + "."))
    }

    @Test("token(now:) backdates iat by 60 s and expires 9 minutes after now")
    func claimsFromNow() throws {
        let key = try RSAPrivateKey(Secret(Self.pkcs1))
        let jwt = AppJWT(identity: .appID(42), key: key).token(now: Date(timeIntervalSince1970: 1_000_000)).exposedValue
        let payload = try #require(Base64URL.decode(String(jwt.split(separator: ".")[1])))
        #expect(String(decoding: payload, as: UTF8.self) == #"{"iat":999940,"exp":1000540,"iss":42}"#)
    }

    @Test("App identities parse: digits are an App ID, anything else a client ID")
    func identities() {
        #expect(AppIdentity(parsing: "123456") == .appID(123456))
        #expect(AppIdentity(parsing: "Iv1.0123456789abcdef") == .clientID("Iv1.0123456789abcdef"))
    }

    @Test("Bad key material is refused with a message that holds no key bytes", arguments: [
        "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", Data("hello".utf8).base64EncodedString(),
    ])
    func badKeys(material: String) {
        do { _ = try RSAPrivateKey(Secret(material)); Issue.record("accepted \(material)") } catch {
            #expect(!"\(error)".contains("AAAA"))
        }
    }

    @Test("A non-RSA key is refused as such")
    func ecKey() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rs-ec-\(UUID().uuidString).pem")
        defer { try? FileManager.default.removeItem(at: dir) }
        try ChildProcess.run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", dir.path])
        #expect(throws: RSAPrivateKey.LoadError.notRSA) { try RSAPrivateKey(Secret(String(contentsOf: dir, encoding: .utf8))) }
    }

    @Test("An independent verifier (the openssl CLI) accepts our signature with the public key")
    func opensslVerifies() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rs-jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let jwt = AppJWT(identity: .clientID("Iv1.test"), key: try RSAPrivateKey(Secret(Self.pkcs8)))
            .token(now: Date()).exposedValue
        let parts = jwt.split(separator: ".").map(String.init)
        try Data((parts[0] + "." + parts[1]).utf8).write(to: dir.appendingPathComponent("input"))
        try Data(try #require(Base64URL.decode(parts[2]))).write(to: dir.appendingPathComponent("sig"))
        try Data((Self.vectors["public_key_pem"] as! String).utf8).write(to: dir.appendingPathComponent("pub.pem"))
        let status = try ChildProcess.run("/usr/bin/openssl", [
            "dgst", "-sha256", "-verify", dir.appendingPathComponent("pub.pem").path,
            "-signature", dir.appendingPathComponent("sig").path, dir.appendingPathComponent("input").path,
        ])
        #expect(status == 0)
    }

    @Test("base64url has no padding and round-trips")
    func base64url() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
    }
}
