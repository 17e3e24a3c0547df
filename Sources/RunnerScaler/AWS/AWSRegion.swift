/// Which region a client talks to: the pool's own `ec2.region`, else `AWS_REGION`, else
/// `AWS_DEFAULT_REGION`, else the selected profile's `region` in the shared config file.
public enum AWSRegion {
    public static func resolve(configured: String?, environment: [String: String]) -> String? {
        if let configured, !configured.isEmpty { return configured }
        return environment.nonEmpty("AWS_REGION") ?? environment.nonEmpty("AWS_DEFAULT_REGION")
            ?? AWSSharedConfigFiles(environment: environment).region()
    }

    /// The region inside an ARN (`arn:aws:secretsmanager:eu-west-1:123456789012:secret:x`), so
    /// a secret referenced by ARN is read where it lives.
    public static func fromARN(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[3].isEmpty else { return nil }
        return String(parts[3])
    }
}
