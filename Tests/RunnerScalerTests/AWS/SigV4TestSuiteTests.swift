import Foundation
import Testing
@testable import RunnerScaler

extension AWSTests {
    /// The official AWS SigV4 test suite (as vendored by botocore), with botocore's parameters.
    @Suite("AWS SigV4 test suite")
    struct SigV4TestSuiteTests {
        static let directory = "aws/sigv4/aws4_testsuite"

        /// Every directory holding a `.req`, relative to the suite (`get-vanilla`,
        /// `normalize-path/get-slash`). botocore skips four of these (`normalize-path/get-space`
        /// and the three repeated-key query cases) because its harness cannot express them; this
        /// signer takes ordered, repeatable query items and a raw request target, so it runs all.
        static let cases: [String] = {
            let root = Conformance.url(directory)
            let enumerator = FileManager.default.enumerator(atPath: root.path)
            var found: [String] = []
            while let path = enumerator?.nextObject() as? String {
                if path.hasSuffix(".req") { found.append((path as NSString).deletingLastPathComponent) }
            }
            return found.sorted()
        }()

        static let sessionTokens: [String: String] = [
            "get-vanilla-with-session-token": "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            "post-sts-header-before": "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
            "post-sts-header-after": "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
        ]

        static let time = UTCTimestamp.parseAMZDate("20150830T123600Z")!

        func file(_ caseDirectory: String, _ suffix: String) throws -> String {
            let name = (caseDirectory as NSString).lastPathComponent
            return String(decoding: try Conformance.data("\(Self.directory)/\(caseDirectory)/\(name)\(suffix)"), as: UTF8.self)
        }

        func signer(for name: String) -> SigV4Signer {
            SigV4Signer(
                credentials: SigV4Credentials(accessKeyID: "AKIDEXAMPLE",
                                              secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                              sessionToken: Self.sessionTokens[name].map(Secret.init)),
                region: "us-east-1", service: "service",
                sessionTokenPlacement: name == "post-sts-header-after" ? .unsignedHeader : .signedHeader)
        }

        @Test("The suite is all there: 34 cases, including the four botocore skips")
        func suiteIsComplete() {
            #expect(Self.cases.count == 34)
            for skipped in ["normalize-path/get-space", "get-vanilla-query-order-key",
                            "get-vanilla-query-order-key-case", "get-vanilla-query-order-value"] {
                #expect(Self.cases.contains(skipped))
            }
        }

        @Test("Each case's canonical request, string to sign and Authorization match byte for byte",
              arguments: SigV4TestSuiteTests.cases)
        func signsCase(_ caseDirectory: String) throws {
            let raw = try RawHTTPRequest(parsing: try file(caseDirectory, ".req"))
            let name = (caseDirectory as NSString).lastPathComponent
            let signed = signer(for: name).sign(raw.awsRequest, at: Self.time)
            #expect(signed.canonicalRequest == (try file(caseDirectory, ".creq")))
            #expect(signed.stringToSign == (try file(caseDirectory, ".sts")))
            #expect(signed.authorization == (try file(caseDirectory, ".authz")))
            #expect(signed.request.header("Authorization") == signed.authorization)
        }

        /// The `.sreq` files show the request as sent. Their Authorization line is left out of the
        /// comparison: `get-vanilla-with-session-token.sreq` carries get-vanilla's signature
        /// rather than its own `.authz`, a known slip in the suite.
        @Test("Each signed request's headers and body are those of the suite's .sreq",
              arguments: SigV4TestSuiteTests.cases)
        func signedRequestMatchesSreq(_ caseDirectory: String) throws {
            let raw = try RawHTTPRequest(parsing: try file(caseDirectory, ".req"))
            let name = (caseDirectory as NSString).lastPathComponent
            let signed = signer(for: name).sign(raw.awsRequest, at: Self.time)
            let expected = try RawHTTPRequest(parsing: try file(caseDirectory, ".sreq"))
            let withoutAuthorization = { (headers: [(name: String, value: String)]) in
                headers.filter { $0.name.lowercased() != "authorization" }.map { "\($0.name):\($0.value)" }
            }
            #expect(withoutAuthorization(signed.headers) == withoutAuthorization(expected.headers))
            #expect(signed.request.body == expected.body)
        }
    }
}

extension AWSTests {
    /// An HTTP request in the suite's text form: request line, headers (a line starting with
    /// whitespace continues the previous value), a blank line and the body. LF line endings.
    struct RawHTTPRequest {
        var method: String
        var target: String
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []

        struct ParseError: Error, CustomStringConvertible {
            var description: String
        }

        init(parsing text: String) throws {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
            // The target may hold a space (normalize-path/get-space), so split at the first and
            // last space only.
            guard let requestLine = lines.popFirst(), let firstSpace = requestLine.firstIndex(of: " "),
                  let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace
            else { throw ParseError(description: "bad request line") }
            method = String(requestLine[..<firstSpace])
            target = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
            while let line = lines.popFirst() {
                if line.isEmpty {
                    body = Array(lines.joined(separator: "\n").utf8)
                    break
                }
                if line.first == " " || line.first == "\t", !headers.isEmpty {
                    headers[headers.count - 1].value += "\n" + line
                    continue
                }
                guard let colon = line.firstIndex(of: ":") else { throw ParseError(description: "bad header \(line)") }
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }

        var awsRequest: AWSRequest {
            let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            let query: [(name: String, value: String)] = parts.count < 2 ? [] : parts[1]
                .split(separator: "&").map { pair in
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    return (AWSPercentEncoding.decode(kv[0]) ?? String(kv[0]),
                            kv.count > 1 ? AWSPercentEncoding.decode(kv[1]) ?? String(kv[1]) : "")
                }
            let host = headers.first { $0.name.lowercased() == "host" }?.value ?? ""
            return AWSRequest(method: method, host: host, path: String(parts[0]), queryItems: query,
                              headers: headers, body: body)
        }
    }
}
