/// The exact argv given to the OpenSSH client. Pure, so dry runs print the same line the real
/// runner executes (with placeholders for the per-call temp files).
public enum OpenSSHArguments {
    /// - keyFile: the 0600 file holding the private key.
    /// - knownHostsFile: the file holding the configured known_hosts line; nil with `.insecureAcceptAny`.
    /// - connectTimeoutSeconds: already bounded by the caller's deadline.
    public static func make(target: SSHTarget, keyFile: String, knownHostsFile: String?, connectTimeoutSeconds: Int,
                            remoteLine: String) -> [String] {
        var args = [
            // No ~/.ssh/config and no agent: what runs is exactly what is written here.
            "-F", "/dev/null",
            "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "PasswordAuthentication=no",
            "-o", "KbdInteractiveAuthentication=no",
            "-o", "ConnectTimeout=\(connectTimeoutSeconds)",
            // A dead connection must not outlive the deadline either; the process timeout is the
            // hard stop, this only makes a hung session fail sooner with a clear message.
            "-o", "ServerAliveInterval=15",
            "-o", "ServerAliveCountMax=2",
            "-o", "LogLevel=ERROR",
            "-i", keyFile,
        ]
        switch target.hostKeys {
        case .strict:
            args += ["-o", "StrictHostKeyChecking=yes",
                     "-o", "UserKnownHostsFile=\(knownHostsFile ?? "/dev/null")",
                     "-o", "GlobalKnownHostsFile=/dev/null",
                     "-o", "HostKeyAlias=\(SSHHostKeyPolicy.alias)",
                     "-o", "UpdateHostKeys=no"]
        case .insecureAcceptAny:
            args += ["-o", "StrictHostKeyChecking=no",
                     "-o", "UserKnownHostsFile=/dev/null",
                     "-o", "GlobalKnownHostsFile=/dev/null"]
        }
        // `--` ends the options, so even an unvalidated host could not be read as one.
        args += ["-p", String(target.port), "-l", target.user, "--", target.host, remoteLine]
        return args
    }
}
