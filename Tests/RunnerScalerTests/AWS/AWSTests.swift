import Testing

/// Groups the AWS-layer suites so `swift test --filter AWS` runs exactly them.
@Suite("AWS")
enum AWSTests {}
