/// A `workflow_job` delivery. Only the fields the scaler reads are modelled; unknown fields
/// are ignored and everything GitHub may omit is optional.
public struct WorkflowJobEvent: Decodable, Sendable, Equatable {
    public var action: WorkflowJobAction
    public var workflowJob: WorkflowJob
    public var repository: Repository
    public var organization: Account?
    public var enterprise: Enterprise?
    public var installation: InstallationReference?

    enum CodingKeys: String, CodingKey {
        case action, repository, organization, enterprise, installation
        case workflowJob = "workflow_job"
    }
}

public enum WorkflowJobAction: Sendable, Equatable, Decodable, CustomStringConvertible {
    case queued, waiting, inProgress, completed
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "queued": self = .queued
        case "waiting": self = .waiting
        case "in_progress": self = .inProgress
        case "completed": self = .completed
        default: self = .other(rawValue)
        }
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public var rawValue: String {
        switch self {
        case .queued: "queued"
        case .waiting: "waiting"
        case .inProgress: "in_progress"
        case .completed: "completed"
        case let .other(raw): raw
        }
    }

    public var description: String { rawValue }
}

public struct WorkflowJob: Decodable, Sendable, Equatable {
    public var id: Int64
    public var runID: Int64
    public var runAttempt: Int?
    public var name: String?
    public var workflowName: String?
    public var headBranch: String?
    public var status: String?
    public var conclusion: String?
    public var labels: [String]
    public var runnerID: Int64?
    public var runnerName: String?
    public var runnerGroupID: Int64?
    public var runnerGroupName: String?
    public var createdAt: String?
    public var startedAt: String?
    public var completedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, name, status, conclusion, labels
        case runID = "run_id"
        case runAttempt = "run_attempt"
        case workflowName = "workflow_name"
        case headBranch = "head_branch"
        case runnerID = "runner_id"
        case runnerName = "runner_name"
        case runnerGroupID = "runner_group_id"
        case runnerGroupName = "runner_group_name"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case completedAt = "completed_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        runID = try c.decode(Int64.self, forKey: .runID)
        runAttempt = try c.decodeIfPresent(Int.self, forKey: .runAttempt)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        workflowName = try c.decodeIfPresent(String.self, forKey: .workflowName)
        headBranch = try c.decodeIfPresent(String.self, forKey: .headBranch)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        conclusion = try c.decodeIfPresent(String.self, forKey: .conclusion)
        labels = try c.decodeIfPresent([String].self, forKey: .labels) ?? []
        runnerID = try c.decodeIfPresent(Int64.self, forKey: .runnerID)
        runnerName = try c.decodeIfPresent(String.self, forKey: .runnerName)
        runnerGroupID = try c.decodeIfPresent(Int64.self, forKey: .runnerGroupID)
        runnerGroupName = try c.decodeIfPresent(String.self, forKey: .runnerGroupName)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        completedAt = try c.decodeIfPresent(String.self, forKey: .completedAt)
    }
}

public struct Repository: Decodable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var fullName: String
    public var owner: Account

    enum CodingKeys: String, CodingKey {
        case id, name, owner
        case fullName = "full_name"
    }
}

public struct Account: Decodable, Sendable, Equatable {
    public var login: String
    public var id: Int64?
    public var type: String?
}

public struct Enterprise: Decodable, Sendable, Equatable {
    public var slug: String?
    public var id: Int64?
}

public struct InstallationReference: Decodable, Sendable, Equatable {
    public var id: Int64
}
