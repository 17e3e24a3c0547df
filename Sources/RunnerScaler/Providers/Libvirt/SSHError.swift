/// ssh itself failed: the command never ran, or ran out of time.
public enum SSHError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTarget(String)
    case invalidKnownHosts(String)
    /// ssh exited 255: no connection, wrong host key, or the key was refused.
    case connectionFailed(target: String, detail: String, hint: String)
    case timedOut(target: String, after: Duration)
    case deadlinePassed(target: String)
    case cannotRun(String)

    public var description: String {
        switch self {
        case let .invalidTarget(why): "ssh: \(why)"
        case let .invalidKnownHosts(why): "ssh: knownHostsEntry \(why)"
        case let .connectionFailed(target, detail, hint):
            "ssh to \(target) failed: \(detail)" + (hint.isEmpty ? "" : " (\(hint))")
        case let .timedOut(target, after): "ssh to \(target) was killed after \(after): the host did not finish in time"
        case let .deadlinePassed(target): "ssh to \(target) not attempted: the caller's deadline had already passed"
        case let .cannotRun(why): "ssh: \(why)"
        }
    }

    /// What to check, from ssh's own message.
    static func hint(for stderr: String, target: SSHTarget) -> String {
        if stderr.contains("Host key verification failed") || stderr.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")
            || stderr.contains("No ED25519 host key is known") || stderr.contains("host key for") {
            return "the host's key does not match knownHostsEntry; compare with `ssh-keyscan -p \(target.port) \(target.host)`"
        }
        if stderr.contains("Permission denied") {
            return "the private key was refused: is its public key in ~\(target.user)/.ssh/authorized_keys on the host?"
        }
        if stderr.contains("Connection refused") || stderr.contains("timed out") || stderr.contains("No route")
            || stderr.contains("Could not resolve") {
            return "check host and port, and that sshd runs there"
        }
        if stderr.contains("Load key") || stderr.contains("invalid format") {
            return "the private key is not a valid OpenSSH/PEM key"
        }
        return ""
    }
}
