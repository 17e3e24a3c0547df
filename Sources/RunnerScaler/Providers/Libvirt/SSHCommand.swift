#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What to run on the host: a fixed remote command (normally `sh -s`) and the script fed to
/// it on stdin. The script may carry user data (a single-use runner credential), so it is a
/// `Secret` and never printed as is.
public struct SSHCommand: Sendable, Equatable {
    /// argv on the remote side; each word is shell-quoted before ssh sends the line.
    public var remote: [String]
    public var stdin: Secret

    public init(remote: [String] = ["sh", "-s"], stdin: Secret) {
        self.remote = remote
        self.stdin = stdin
    }

    /// The remote command line as ssh sends it (ssh joins its arguments with spaces and the
    /// remote login shell parses the result, so each word is quoted here).
    public var remoteLine: String { ShellQuoting.join(remote) }
}

public struct SSHCommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs commands on a host over SSH. One real implementation: `OpenSSHCommandRunner`.
public protocol SSHCommandRunning: Sendable {
    /// Runs `command` and returns its exit status and output. Throws `SSHError` when ssh
    /// itself fails (cannot connect, host key mismatch, authentication, timeout).
    func run(_ command: SSHCommand, on target: SSHTarget, deadline: Deadline) async throws -> SSHCommandResult
}
