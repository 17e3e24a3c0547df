/// One thing wrong with the configuration, at a key path a user can find.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var keyPath: String
    public var message: String

    public init(_ keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { "\(keyPath): \(message)" }
}

/// Every problem found at startup, reported together so one run shows them all.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(_ problems: [ConfigProblem]) { self.problems = problems }

    public static func missing(_ variable: String, hint: String) -> ConfigError {
        ConfigError([ConfigProblem(variable, "is not set; \(hint)")])
    }

    public var description: String {
        "invalid configuration (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
