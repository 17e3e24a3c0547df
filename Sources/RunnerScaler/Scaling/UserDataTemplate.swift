#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The runner's boot script. The built-in template (bash; cloud-init runs it as user data)
/// starts one ephemeral runner from a single-use JIT config, or from a one-hour registration
/// token with `--ephemeral`, and powers the machine off when the runner exits, so the host
/// ends itself. A pool may replace it with `userDataTemplate: /path`.
///
/// Placeholders, each replaced by a single-quoted shell word:
/// `{{RUNNER_NAME}}`, `{{RUNNER_MODE}}` (jit|token), `{{JIT_CONFIG}}`, `{{REGISTRATION_URL}}`,
/// `{{REGISTRATION_TOKEN}}`, `{{RUNNER_LABELS}}` (comma-separated), `{{RUNNER_GROUP}}`,
/// `{{RUNNER_VERSION}}`, `{{WORK_FOLDER}}`.
public struct UserDataTemplate: Sendable, Equatable {
    public var text: String

    public init(text: String) { self.text = text }

    static func load(path: String) throws(LocalFile.ReadError) -> UserDataTemplate {
        UserDataTemplate(text: String(decoding: try LocalFile.read(path), as: UTF8.self))
    }

    /// How the runner registers, with the credential that lets it.
    public enum Registration: Sendable {
        case jit(JITConfig)
        case token(RegistrationToken, url: String)
        /// Dry runs: nothing was asked of GitHub.
        case planned
    }

    public func render(runnerName: String, pool: PoolConfig, registration: Registration) -> Secret {
        var values: [String: String] = [
            "RUNNER_NAME": runnerName, "RUNNER_LABELS": pool.labels.joined(separator: ","),
            "RUNNER_GROUP": pool.runnerGroup ?? "Default", "RUNNER_VERSION": pool.runnerVersion,
            "WORK_FOLDER": pool.workFolder, "JIT_CONFIG": "", "REGISTRATION_URL": "", "REGISTRATION_TOKEN": "",
        ]
        switch registration {
        case let .jit(config):
            values["RUNNER_MODE"] = "jit"
            values["JIT_CONFIG"] = config.encodedConfig.exposedValue
        case let .token(token, url):
            values["RUNNER_MODE"] = "token"
            values["REGISTRATION_TOKEN"] = token.token.exposedValue
            values["REGISTRATION_URL"] = url
        case .planned:
            values["RUNNER_MODE"] = pool.registration == .jit ? "jit" : "token"
        }
        return Secret(Self.substitute(text, values.mapValues(ShellQuoting.singleQuoted)))
    }

    /// One pass over the template's bytes: each `{{NAME}}` with a value is replaced, anything
    /// else is copied. Values are never scanned again, so a value that itself contains
    /// `{{JIT_CONFIG}}` stays literal. (Foundation's `replacingOccurrences`, once per
    /// placeholder, cost ~0.4 ms per launch through NSString bridging; this is ~40x less.)
    static func substitute(_ text: String, _ values: [String: String]) -> String {
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        // Placeholder names are short; looking no further keeps a template full of stray `{{` linear.
        let longestName = 64
        let bytes = Array(text.utf8)
        let n = bytes.count
        var out: [UInt8] = []
        out.reserveCapacity(n + values.values.reduce(0) { $0 + $1.utf8.count })
        var i = 0
        while i < n {
            if bytes[i] == open, i + 1 < n, bytes[i + 1] == open {
                var j = i + 2
                let limit = min(n - 1, i + 2 + longestName)
                while j < limit, !(bytes[j] == close && bytes[j + 1] == close) { j += 1 }
                if j < limit, let value = values[String(decoding: bytes[(i + 2)..<j], as: UTF8.self)] {
                    out.append(contentsOf: value.utf8)
                    i = j + 2
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static let builtIn = UserDataTemplate(text: #"""
        #!/bin/bash
        # runner-scaler user data: run exactly one ephemeral GitHub Actions runner, then power off
        # so the host ends itself (EC2 terminates on shutdown; Metal and libvirt hosts are also
        # removed by the scaler and the sweeper).
        set -uo pipefail
        RUNNER_NAME={{RUNNER_NAME}}
        RUNNER_MODE={{RUNNER_MODE}}
        RUNNER_VERSION={{RUNNER_VERSION}}
        RUNNER_LABELS={{RUNNER_LABELS}}
        RUNNER_GROUP={{RUNNER_GROUP}}
        WORK_FOLDER={{WORK_FOLDER}}
        REGISTRATION_URL={{REGISTRATION_URL}}
        # Single-use credentials: a JIT config works once; a registration token expires in an hour.
        JIT_CONFIG={{JIT_CONFIG}}
        REGISTRATION_TOKEN={{REGISTRATION_TOKEN}}

        trap 'sync; shutdown -h now || poweroff -f' EXIT
        exec > >(logger -t runner-scaler 2>/dev/null || cat) 2>&1

        RUNNER_DIR=/opt/actions-runner
        if [ ! -x "$RUNNER_DIR/run.sh" ]; then
          case "$(uname -m)" in
            x86_64) arch=x64 ;;
            aarch64|arm64) arch=arm64 ;;
            *) echo "unsupported architecture $(uname -m)"; exit 1 ;;
          esac
          mkdir -p "$RUNNER_DIR"
          curl -fsSL --retry 5 "https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-${arch}-${RUNNER_VERSION}.tar.gz" \
            | tar -xz -C "$RUNNER_DIR" || exit 1
        fi
        id runner >/dev/null 2>&1 || useradd --create-home --shell /bin/bash runner
        chown -R runner: "$RUNNER_DIR"
        cd "$RUNNER_DIR" || exit 1
        export RUNNER_ALLOW_RUNASROOT=0
        if [ "$RUNNER_MODE" = jit ]; then
          printf '%s' "$JIT_CONFIG" > .jitconfig && chown runner: .jitconfig && chmod 600 .jitconfig
          unset JIT_CONFIG
          su runner -c './run.sh --jitconfig "$(cat .jitconfig)"; rm -f .jitconfig'
        else
          su runner -c "./config.sh --unattended --ephemeral --disableupdate --url '$REGISTRATION_URL' --token '$REGISTRATION_TOKEN' --name '$RUNNER_NAME' --labels '$RUNNER_LABELS' --runnergroup '$RUNNER_GROUP' --work '$WORK_FOLDER'" \
            && su runner -c ./run.sh
        fi
        """# + "\n")
}
