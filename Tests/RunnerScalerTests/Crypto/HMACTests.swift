import Foundation
import Testing
@testable import RunnerScaler

@Suite("HMAC, SHA-256 and constant-time comparison")
struct HMACTests {
    nonisolated(unsafe) static let vectors = try! Conformance.json("github/webhooks/hmac-signature-vectors.json") as! [String: Any]

    @Test("GitHub's documented vector gives the documented signature")
    func documentedVector() throws {
        let v = Self.vectors["documented_vector"] as! [String: Any]
        let mac = HMAC.sha256(key: Array((v["secret"] as! String).utf8), message: Array((v["payload"] as! String).utf8))
        #expect(Hex.encode(mac) == v["expected_signature_hex"] as! String)
        let header = SignatureVerifier.signatureHeader(
            body: Array((v["payload"] as! String).utf8), secret: Secret(v["secret"] as! String))
        #expect(header == v["expected_X-Hub-Signature-256"] as! String)
    }

    static var derivedCases: [[String: Any]] {
        (Self.vectors["derived_vectors"] as! [String: Any])["cases"] as! [[String: Any]]
    }

    @Test("Every derived vector matches over the exact bytes of its payload file, for sha256 and sha1",
          arguments: 0..<HMACTests.derivedCases.count)
    func derivedVector(index: Int) throws {
        let c = Self.derivedCases[index]
        let secret = (Self.vectors["derived_vectors"] as! [String: Any])["secret"] as! String
        let body = try Conformance.data("github/webhooks/" + (c["file"] as! String))
        #expect(body.count == c["body_length"] as! Int)
        #expect(SignatureVerifier.signatureHeader(body: body, secret: Secret(secret)) == c["X-Hub-Signature-256"] as! String)
        #expect("sha1=" + Hex.encode(HMAC.authenticationCode(.sha1, key: Array(secret.utf8), message: body))
            == c["X-Hub-Signature"] as! String)
        // And the verifier accepts it.
        let request = WebhookRequest(headers: ["X-Hub-Signature-256": c["X-Hub-Signature-256"] as! String], body: Array(body))
        #expect(throws: Never.self) { try SignatureVerifier(secret: Secret(secret)).verify(request) }
    }

    static var negativeCases: [[String: Any]] { Self.vectors["negative_cases"] as! [[String: Any]] }

    @Test("Every negative and edge case gets the expected verdict", arguments: 0..<HMACTests.negativeCases.count)
    func negativeCase(index: Int) {
        let c = Self.negativeCases[index]
        let verifier = SignatureVerifier(secret: Secret(c["secret"] as! String))
        let request = WebhookRequest(headers: ["X-Hub-Signature-256": c["header"] as! String],
                                     body: Array((c["payload"] as! String).utf8))
        let valid = (try? verifier.verify(request)) != nil
        let name = c["name"] as! String
        #expect(valid == (c["expect_valid"] as! Bool), "\(name)")
    }

    @Test("SHA-256 of the empty string and of abc match FIPS 180-2")
    func sha256Vectors() {
        #expect(SHA256.hexHash([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexHash(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Constant-time comparison is equality, including length differences")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), []))
    }

    @Test("Hex decoding rejects odd lengths and non-hex characters and accepts upper case")
    func hexDecoding() {
        #expect(Hex.decode("0aFf") == [0x0a, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
