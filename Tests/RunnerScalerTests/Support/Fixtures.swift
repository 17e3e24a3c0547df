import Foundation
@testable import RunnerScaler

/// Small builders for tests; nothing here is used by the code under test.
enum Fixtures {
    static func pool(
        _ name: String, labels: [String], owners: [String] = ["octo-org"], repositories: [String] = [],
        requireSelfHosted: Bool = true, maxRunners: Int = 10
    ) -> PoolConfig {
        PoolConfig(name: name, labels: labels, requireSelfHostedLabel: requireSelfHosted, maxRunners: maxRunners,
                   allowOwners: owners, allowRepositories: repositories)
    }

    static func job(
        id: Int64 = 1001, labels: [String] = ["self-hosted", "linux", "x64"], repository: String = "octo-org/octo-repo",
        runner: String? = nil, attempt: Int = 1
    ) -> JobReference {
        JobReference(id: id, runID: 5001, runAttempt: attempt, repository: repository,
                     owner: String(repository.split(separator: "/")[0]), labels: labels, installationID: 4242,
                     runnerName: runner)
    }

    static func workflowJobBody(
        action: String, id: Int64 = 1001, labels: [String] = ["self-hosted", "linux", "x64"],
        repository: String = "octo-org/octo-repo", runner: String? = nil, conclusion: String? = nil
    ) -> [UInt8] {
        let owner = String(repository.split(separator: "/")[0])
        let object: [String: Any] = [
            "action": action,
            "workflow_job": [
                "id": id, "run_id": 5001, "run_attempt": 1, "labels": labels,
                "runner_name": runner.map { $0 as Any } ?? NSNull(), "conclusion": conclusion.map { $0 as Any } ?? NSNull(),
                "status": action == "completed" ? "completed" : action,
            ] as [String: Any],
            "repository": ["name": String(repository.split(separator: "/")[1]), "full_name": repository,
                           "owner": ["login": owner]] as [String: Any],
            "installation": ["id": 4242],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    static func signedRequest(event: String, body: [UInt8], secret: Secret, delivery: String = "d-1") -> WebhookRequest {
        WebhookRequest(headers: [
            "X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "Content-Type": "application/json",
            "X-Hub-Signature-256": SignatureVerifier.signatureHeader(body: body, secret: secret),
        ], body: body)
    }
}
