import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    @Suite("SigV4 signer behaviour")
    struct SigV4SignerTests {
        struct DerivationVector: Decodable {
            var secret_access_key: String
            var date: String
            var region: String
            var service: String
            var expected_signing_key_hex: String
        }

        static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        static let token = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQExampleToken+/=="
        static let time = UTCTimestamp.parseAMZDate("20240501T123456Z")!

        func signer(token: String? = SigV4SignerTests.token, service: String = "ec2",
                    addsContentSHA256Header: Bool = false) -> SigV4Signer {
            SigV4Signer(credentials: SigV4Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Secret(Self.secret),
                                                      sessionToken: token.map(Secret.init)),
                        region: "us-east-1", service: service, addsContentSHA256Header: addsContentSHA256Header)
        }

        @Test("The signing key follows the AWS General Reference derivation example")
        func signingKeyDerivation() throws {
            let v = try JSONDecoder().decode(DerivationVector.self,
                                             from: Conformance.data("aws/sigv4/signing-key-derivation-vector.json"))
            let key = SigV4Signer.signingKey(secretAccessKey: Secret(v.secret_access_key), dateStamp: v.date,
                                             region: v.region, service: v.service)
            #expect(Hex.encode(key) == v.expected_signing_key_hex)
        }

        @Test("X-Amz-Date is written in UTC basic format and the scope uses its date")
        func dateFormatting() {
            let date = Date(timeIntervalSince1970: 1_440_938_160) // 2015-08-30T12:36:00Z
            #expect(UTCTimestamp.amzDate(date) == "20150830T123600Z")
            #expect(UTCTimestamp.dateStamp(date) == "20150830")
            #expect(UTCTimestamp.amzDate(Date(timeIntervalSince1970: 951_825_599.9)) == "20000229T115959Z")
            #expect(UTCTimestamp.parseAMZDate("20150830T123600Z") == date)
            #expect(UTCTimestamp.parseAMZDate("2015-08-30T12:36:00Z") == nil)
        }

        @Test("A Host header is added from the request's host when missing, and never duplicated")
        func hostHeader() {
            let bare = signer().sign(AWSRequest(method: "GET", host: "127.0.0.1:5000"), at: Self.time)
            #expect(bare.headers.first?.name == "Host")
            #expect(bare.request.header("host") == "127.0.0.1:5000")
            #expect(bare.canonicalRequest.contains("\nhost:127.0.0.1:5000\n"))

            let explicit = signer().sign(AWSRequest(method: "GET", host: "ignored", headers: [("host", "example.com")]),
                                         at: Self.time)
            #expect(explicit.headers.filter { $0.name.lowercased() == "host" }.count == 1)
            #expect(explicit.canonicalRequest.contains("\nhost:example.com\n"))
        }

        @Test("Re-signing replaces X-Amz-Date, the token and Authorization instead of adding second copies")
        func resigningIsIdempotent() {
            let request = AWSRequest(method: "POST", host: "ec2.us-east-1.amazonaws.com", body: Array("Action=X".utf8))
            let once = signer().sign(request, at: Self.time)
            let twice = signer().sign(once.request, at: Self.time)
            #expect(twice.authorization == once.authorization)
            #expect(twice.headers.map(\.name) == once.headers.map(\.name))
            #expect(twice.headers.filter { $0.name == "Authorization" }.count == 1)
        }

        @Test("Without a session token no X-Amz-Security-Token is sent or signed")
        func noToken() {
            let signed = signer(token: nil).sign(AWSRequest(method: "GET", host: "h"), at: Self.time)
            #expect(signed.request.header("X-Amz-Security-Token") == nil)
            #expect(signed.signedHeaders == "host;x-amz-date")
        }

        @Test("X-Amz-Content-Sha256 is added and signed only when asked for")
        func contentSHA256() {
            let body = Array("hello".utf8)
            let plain = signer().sign(AWSRequest(method: "PUT", host: "h", body: body), at: Self.time)
            #expect(plain.request.header("X-Amz-Content-Sha256") == nil)
            let withHash = signer(addsContentSHA256Header: true).sign(AWSRequest(method: "PUT", host: "h", body: body), at: Self.time)
            #expect(withHash.request.header("X-Amz-Content-Sha256") == SHA256.hexHash(body))
            #expect(withHash.signedHeaders == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token")
            #expect(withHash.canonicalRequest.hasSuffix("\n" + SHA256.hexHash(body)))
        }

        @Test("User-Agent and the other headers botocore never signs are sent but left out of the signature")
        func unsignedHeaders() {
            let signed = signer().sign(AWSRequest(method: "GET", host: "h", headers: [
                ("User-Agent", "runner-scaler/1"), ("Expect", "100-continue"), ("X-Amzn-Trace-Id", "Root=1"),
            ]), at: Self.time)
            #expect(signed.signedHeaders == "host;x-amz-date;x-amz-security-token")
            #expect(signed.request.header("User-Agent") == "runner-scaler/1")
        }

        @Test("Paths are normalised and encoded for every service but S3, which signs the path as sent")
        func pathNormalisation() {
            #expect(SigV4Signer.canonicalPath("/a/./b/../c//d/", normalizing: true) == "/a/c/d/")
            #expect(SigV4Signer.canonicalPath("", normalizing: true) == "/")
            #expect(SigV4Signer.canonicalPath("/a b/%41", normalizing: true) == "/a%20b/%2541")
            #expect(SigV4Signer.canonicalPath("/my-object//example//photo.user", normalizing: false)
                == "/my-object//example//photo.user")
            #expect(signer(service: "s3").normalizesPath == false)
            #expect(signer(service: "ec2").normalizesPath)
        }

        @Test("Query items are encoded with %20 for spaces and sorted by encoded name, then value")
        func canonicalQuery() {
            let query = SigV4Signer.canonicalQuery([("b", "2"), ("a", "z y"), ("a", "x"), ("A", ""), ("ሴ", "+")])
            #expect(query == "%E1%88%B4=%2B&A=&a=x&a=z%20y&b=2")
            let request = AWSRequest(method: "GET", host: "h", path: "/p", queryItems: [("b", "1 2"), ("a", "/")])
            #expect(request.requestTarget == "/p?b=1%202&a=%2F")
        }

        @Test("Printing or dumping credentials, signer, request or signed request never shows the secret key or token")
        func noSecretsInDescriptions() {
            let signed = signer().sign(AWSRequest(method: "POST", host: "h", body: Array("Action=X".utf8)), at: Self.time)
            var dumped = ""
            dump(signed, to: &dumped)
            dump(signer(), to: &dumped)
            for text in [String(describing: signer()), String(reflecting: signer()), String(describing: signer().credentials),
                         String(describing: signed), String(reflecting: signed), String(describing: signed.request), dumped] {
                #expect(!text.contains(Self.secret))
                #expect(!text.contains(Self.token))
                #expect(!text.contains("EXAMPLEKEY"))
            }
            #expect(String(describing: signer().credentials).contains("AKIDEXAMPLE"))
        }
    }
}
