import Foundation
import RunnerScaler

/// Builds `workflow_job` deliveries of a chosen size, in the shape GitHub sends them.
///
/// The 1 KB body is the smallest realistic delivery (the fields GitHub never omits, with a
/// short repository object). Larger bodies carry GitHub's full repository, organization and
/// sender objects, then `steps` (as in an `in_progress`/`completed` delivery, and in `queued`
/// deliveries of re-run jobs) until the body reaches the requested size. Deterministic: the
/// same arguments give the same bytes.
public enum WorkflowJobPayload {
    public struct Options: Sendable {
        public var action: String
        public var jobID: Int64
        public var runID: Int64
        public var runAttempt: Int
        public var labels: [String]
        public var owner: String
        public var repository: String
        public var runnerName: String?
        public var installationID: Int64
        /// Smallest body wanted, in bytes. Bodies of 2 KB and more use the full shape.
        public var targetBytes: Int

        public init(action: String = "queued", jobID: Int64 = 29_778_245_101, runID: Int64 = 12_202_229_078,
                    runAttempt: Int = 1, labels: [String] = ["self-hosted", "linux", "x64"],
                    owner: String = "octo-org", repository: String = "octo-repo", runnerName: String? = nil,
                    installationID: Int64 = 4242, targetBytes: Int = 1024) {
            self.action = action
            self.jobID = jobID
            self.runID = runID
            self.runAttempt = runAttempt
            self.labels = labels
            self.owner = owner
            self.repository = repository
            self.runnerName = runnerName
            self.installationID = installationID
            self.targetBytes = targetBytes
        }
    }

    public static func body(_ o: Options) -> [UInt8] {
        Array(text(o).utf8)
    }

    public static func text(_ o: Options) -> String {
        let full = "\(o.owner)/\(o.repository)"
        let status = o.action == "completed" ? "completed" : o.action
        let conclusion = o.action == "completed" ? q("success") : "null"
        let runner = o.runnerName.map(q) ?? "null"
        let runnerID = o.runnerName == nil ? "null" : "\(1000 + o.jobID % 1000)"
        let labels = "[" + o.labels.map(q).joined(separator: ",") + "]"
        let api = "https://api.github.com/repos/\(full)"

        if o.targetBytes < 2048 {
            // Compact: what a delivery carries at the least. About 1 KB with three labels.
            return """
            {"action":\(q(o.action)),"workflow_job":{"id":\(o.jobID),"run_id":\(o.runID),\
            "workflow_name":"CI","head_branch":"main","run_url":"\(api)/actions/runs/\(o.runID)",\
            "run_attempt":\(o.runAttempt),"node_id":"CR_kwDOABCD8c8AAAAG7xYZ2g",\
            "head_sha":"3484a3fb816e0859fd6e1cea078d76385ff50625","url":"\(api)/actions/jobs/\(o.jobID)",\
            "html_url":"https://github.com/\(full)/actions/runs/\(o.runID)/job/\(o.jobID)",\
            "status":\(q(status)),"conclusion":\(conclusion),"created_at":"2026-11-22T10:33:58Z",\
            "started_at":"2026-11-22T10:33:58Z","completed_at":null,"name":"build (linux, x64)","steps":[],\
            "check_run_url":"\(api)/check-runs/\(o.jobID)","labels":\(labels),\
            "runner_id":\(runnerID),"runner_name":\(runner),"runner_group_id":null,"runner_group_name":null},\
            "repository":{"id":186853002,"node_id":"MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=","name":\(q(o.repository)),\
            "full_name":\(q(full)),"private":true,"owner":{"login":\(q(o.owner)),"id":6811672,"type":"Organization"}},\
            "installation":{"id":\(o.installationID),"node_id":"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}}
            """
        }

        var out = """
        {"action":\(q(o.action)),"workflow_job":{"id":\(o.jobID),"run_id":\(o.runID),"workflow_name":"CI",\
        "head_branch":"main","run_url":"\(api)/actions/runs/\(o.runID)","run_attempt":\(o.runAttempt),\
        "node_id":"CR_kwDOABCD8c8AAAAG7xYZ2g","head_sha":"3484a3fb816e0859fd6e1cea078d76385ff50625",\
        "url":"\(api)/actions/jobs/\(o.jobID)","html_url":"https://github.com/\(full)/actions/runs/\(o.runID)/job/\(o.jobID)",\
        "status":\(q(status)),"conclusion":\(conclusion),"created_at":"2026-11-22T10:33:58Z",\
        "started_at":"2026-11-22T10:33:58Z","completed_at":null,"name":"build (linux, x64)",\
        "check_run_url":"\(api)/check-runs/\(o.jobID)","labels":\(labels),"runner_id":\(runnerID),\
        "runner_name":\(runner),"runner_group_id":null,"runner_group_name":null,"steps":[
        """
        // Everything after the steps array, so the padding lands in the middle like GitHub's.
        let tail = #"]},"repository":"# + repositoryObject(owner: o.owner, name: o.repository) + ","
            + #""organization":"# + organizationObject(o.owner) + ","
            + #""sender":"# + userObject("octocat", id: 583231, type: "User") + ","
            + #""installation":{"id":\#(o.installationID),"node_id":"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="}}"#
        var index = 0
        while out.utf8.count + tail.utf8.count < o.targetBytes {
            if index > 0 { out += "," }
            out += step(index)
            index += 1
        }
        return out + tail
    }

    /// One step, cycling through the names a typical Swift/Node CI job shows.
    static func step(_ i: Int) -> String {
        let names = [
            "Set up job", "Run actions/checkout@v4", "Run actions/cache@v4", "Set up Swift 6.3.1",
            "Run swift build --build-tests -c debug", "Run swift test --parallel --skip-build",
            "Run actions/setup-node@v4", "Run npm ci --no-audit --prefer-offline",
            "Run npm run lint -- --max-warnings 0", "Upload test results (junit)",
            "Post Run actions/cache@v4", "Post Run actions/checkout@v4", "Complete job",
        ]
        let second = 8 + i % 50
        let minute = 26 + (i / 50) % 30
        return #"{"name":"\#(names[i % names.count])","status":"completed","conclusion":"success","number":\#(i + 1),"#
            + #""started_at":"2026-11-22T10:\#(minute):\#(pad(second)).000Z","completed_at":"2026-11-22T10:\#(minute):\#(pad(second + 1)).000Z"}"#
    }

    static func repositoryObject(owner: String, name: String) -> String {
        let full = "\(owner)/\(name)"
        let api = "https://api.github.com/repos/\(full)"
        let templated = [
            ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"), ("collaborators_url", "/collaborators{/collaborator}"),
            ("teams_url", "/teams"), ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"),
            ("events_url", "/events"), ("assignees_url", "/assignees{/user}"), ("branches_url", "/branches{/branch}"),
            ("tags_url", "/tags"), ("blobs_url", "/git/blobs{/sha}"), ("git_tags_url", "/git/tags{/sha}"),
            ("git_refs_url", "/git/refs{/sha}"), ("trees_url", "/git/trees{/sha}"), ("statuses_url", "/statuses/{sha}"),
            ("languages_url", "/languages"), ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"),
            ("subscribers_url", "/subscribers"), ("subscription_url", "/subscription"), ("commits_url", "/commits{/sha}"),
            ("git_commits_url", "/git/commits{/sha}"), ("comments_url", "/comments{/number}"),
            ("issue_comment_url", "/issues/comments{/number}"), ("contents_url", "/contents/{+path}"),
            ("compare_url", "/compare/{base}...{head}"), ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"),
            ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"), ("pulls_url", "/pulls{/number}"),
            ("milestones_url", "/milestones{/number}"), ("notifications_url", "/notifications{?since,all,participating}"),
            ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"), ("deployments_url", "/deployments"),
        ]
        var s = #"{"id":186853002,"node_id":"MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=","name":\#(q(name)),"full_name":\#(q(full)),"#
            + #""private":true,"owner":\#(userObject(owner, id: 6811672, type: "Organization")),"#
            + #""html_url":"https://github.com/\#(full)","description":"The service the runners build","fork":false,"#
            + #""url":"\#(api)","#
        for (key, suffix) in templated { s += #""\#(key)":"\#(api)\#(suffix)","# }
        s += #""created_at":"2019-05-15T15:19:25Z","updated_at":"2026-11-21T15:21:03Z","pushed_at":"2026-11-22T10:33:50Z","#
            + #""git_url":"git://github.com/\#(full).git","ssh_url":"git@github.com:\#(full).git","#
            + #""clone_url":"https://github.com/\#(full).git","svn_url":"https://github.com/\#(full)","homepage":null,"#
            + #""size":48213,"stargazers_count":12,"watchers_count":12,"language":"Swift","has_issues":true,"#
            + #""has_projects":true,"has_downloads":true,"has_wiki":false,"has_pages":false,"has_discussions":false,"#
            + #""forks_count":3,"mirror_url":null,"archived":false,"disabled":false,"open_issues_count":17,"license":null,"#
            + #""allow_forking":false,"is_template":false,"web_commit_signoff_required":false,"topics":["ci","swift"],"#
            + #""visibility":"private","forks":3,"open_issues":17,"watchers":12,"default_branch":"main","custom_properties":{}}"#
        return s
    }

    static func organizationObject(_ login: String) -> String {
        let api = "https://api.github.com/orgs/\(login)"
        return #"{"login":\#(q(login)),"id":6811672,"node_id":"MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=","url":"\#(api)","#
            + #""repos_url":"\#(api)/repos","events_url":"\#(api)/events","hooks_url":"\#(api)/hooks","#
            + #""issues_url":"\#(api)/issues","members_url":"\#(api)/members{/member}","#
            + #""public_members_url":"\#(api)/public_members{/member}","#
            + #""avatar_url":"https://avatars.githubusercontent.com/u/6811672?v=4","description":"The Octo org"}"#
    }

    static func userObject(_ login: String, id: Int, type: String) -> String {
        let api = "https://api.github.com/users/\(login)"
        return #"{"login":\#(q(login)),"id":\#(id),"node_id":"MDQ6VXNlcjU4MzIzMQ==","#
            + #""avatar_url":"https://avatars.githubusercontent.com/u/\#(id)?v=4","gravatar_id":"","url":"\#(api)","#
            + #""html_url":"https://github.com/\#(login)","followers_url":"\#(api)/followers","#
            + #""following_url":"\#(api)/following{/other_user}","gists_url":"\#(api)/gists{/gist_id}","#
            + #""starred_url":"\#(api)/starred{/owner}{/repo}","subscriptions_url":"\#(api)/subscriptions","#
            + #""organizations_url":"\#(api)/orgs","repos_url":"\#(api)/repos","events_url":"\#(api)/events{/privacy}","#
            + #""received_events_url":"\#(api)/received_events","type":"\#(type)","user_view_type":"public","site_admin":false}"#
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// A JSON string literal; the inputs here are plain ASCII, but quote and backslash are escaped.
    static func q(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// A delivery as GitHub posts it: the body with its headers, signed with `secret`.
public enum SignedDelivery {
    public static func request(body: [UInt8], secret: Secret, event: String = "workflow_job",
                               deliveryID: String = "72d3162e-cc78-11e3-81ab-4c9367dc0958") -> WebhookRequest {
        WebhookRequest(headers: [
            "Host": "scaler.example.com",
            "User-Agent": "GitHub-Hookshot/7a2b5c1",
            "Content-Type": "application/json",
            "X-GitHub-Delivery": deliveryID,
            "X-GitHub-Event": event,
            "X-GitHub-Hook-ID": "292430182",
            "X-GitHub-Hook-Installation-Target-ID": "123456",
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-Hub-Signature": "sha1=0000000000000000000000000000000000000000",
            "X-Hub-Signature-256": SignatureVerifier.signatureHeader(body: body, secret: secret),
        ], body: body)
    }
}
