import Testing
@testable import RunnerScaler

@Suite("Webhook signature verification")
struct SignatureVerifierTests {
    let secret = Secret("s3cret")
    var verifier: SignatureVerifier { SignatureVerifier(secret: secret, maxBodyBytes: 1024) }
    let body = Array(#"{"zen":"hi"}"#.utf8)

    func request(_ headers: HeaderFields, body: [UInt8]? = nil) -> WebhookRequest {
        WebhookRequest(headers: headers, body: body ?? self.body)
    }

    @Test("A correct signature passes whatever the header name's case")
    func caseInsensitiveHeader() throws {
        let sig = SignatureVerifier.signatureHeader(body: body, secret: secret)
        for name in ["X-Hub-Signature-256", "x-hub-signature-256", "X-HUB-SIGNATURE-256"] {
            try verifier.verify(request([name: sig]))
        }
    }

    @Test("A missing signature is 401")
    func missing() {
        #expect(throws: WebhookRejection.missingSignature) { try verifier.verify(request([:])) }
        #expect(WebhookRejection.missingSignature.status == 401)
    }

    @Test("A delivery signed only with the legacy sha1 header is rejected with 401")
    func sha1Only() {
        let sha1 = "sha1=" + Hex.encode(HMAC.authenticationCode(.sha1, key: secret.utf8Bytes, message: body))
        #expect(throws: WebhookRejection.legacySignatureOnly) { try verifier.verify(request(["X-Hub-Signature": sha1])) }
        #expect(WebhookRejection.legacySignatureOnly.status == 401)
    }

    @Test("Malformed signatures are 401 with a reason", arguments: [
        "", "sha256=", "sha256=xyz", "sha1=abcdef", "md5=00", "sha256=" + String(repeating: "g", count: 64),
    ])
    func malformed(value: String) {
        #expect(throws: (any Error).self) { try verifier.verify(request(["X-Hub-Signature-256": value])) }
        do { try verifier.verify(request(["X-Hub-Signature-256": value])) } catch {
            #expect(error.status == 401)
            if case .malformedSignature = error {} else { Issue.record("expected malformedSignature, got \(error)") }
        }
    }

    @Test("A signature made with another secret is a 401 mismatch")
    func wrongSecret() {
        let sig = SignatureVerifier.signatureHeader(body: body, secret: Secret("other"))
        #expect(throws: WebhookRejection.signatureMismatch) { try verifier.verify(request(["X-Hub-Signature-256": sig])) }
    }

    @Test("The HMAC covers the raw bytes: one changed byte fails")
    func tamperedBody() {
        let sig = SignatureVerifier.signatureHeader(body: body, secret: secret)
        var tampered = body
        tampered[tampered.count - 2] ^= 1
        #expect(throws: WebhookRejection.signatureMismatch) {
            try verifier.verify(request(["X-Hub-Signature-256": sig], body: tampered))
        }
    }

    @Test("Upper-case hex digits in the header are accepted")
    func upperCaseHex() throws {
        let sig = SignatureVerifier.signatureHeader(body: body, secret: secret)
        try verifier.verify(request(["X-Hub-Signature-256": "sha256=" + sig.dropFirst(7).uppercased()]))
    }

    @Test("A body over the limit is 413, checked before the signature")
    func tooLarge() {
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: 1025)
        #expect(throws: WebhookRejection.payloadTooLarge(size: 1025, limit: 1024)) {
            try verifier.verify(request([:], body: big))
        }
        #expect(WebhookRejection.payloadTooLarge(size: 1, limit: 0).status == 413)
    }

    @Test("The default limit is GitHub's 25 MiB")
    func defaultLimit() {
        #expect(SignatureVerifier.defaultMaxBodyBytes == 25 * 1024 * 1024)
    }
}
