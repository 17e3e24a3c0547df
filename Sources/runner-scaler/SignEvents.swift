import ArgumentParser
import Foundation
import RunnerScaler

struct SignEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-events",
        abstract: "Re-sign fixture deliveries after an edit.",
        discussion: """
            Recomputes X-Hub-Signature-256 (and the legacy X-Hub-Signature) over each event's exact body with
            the secret in GITHUB_WEBHOOK_SECRET. Files named on purpose stay wrong: *bad-signature* is signed
            with a different secret, *sha1-only* carries only the legacy sha1 header, *unsigned* carries none.
            """
    )

    @Argument(help: "Event files or directories (Function URL / API Gateway / raw delivery shape).")
    var files: [String]

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["GITHUB_WEBHOOK_SECRET"], !secret.isEmpty else {
            throw ValidationError("set GITHUB_WEBHOOK_SECRET to the secret the fixtures are signed with")
        }
        for path in try expandJSON(files) {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let signed = try FixtureSigner.resign(
                event: Array(data), fileName: (path as NSString).lastPathComponent, secret: Secret(secret))
            else {
                print("skipped \(path) (not an HTTP event)")
                continue
            }
            if signed != Array(data) {
                try Data(signed).write(to: URL(fileURLWithPath: path))
                print("signed \(path)")
            } else {
                print("unchanged \(path)")
            }
        }
    }
}

func expandJSON(_ paths: [String]) throws -> [String] {
    var out: [String] = []
    for path in paths {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            out += try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
        } else {
            out.append(path)
        }
    }
    return out
}
