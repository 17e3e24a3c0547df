import Foundation
import Testing
@testable import RunnerScaler

@Suite("Shell quoting turns any string into one word that expands to itself")
struct ShellQuotingTests {
    static let canary = "/tmp/rs-quoting-pwned-\(UUID().uuidString.prefix(8))"
    static let values = [
        "", "plain", "with space", "it's", "''", "'\\''", "\"double\"", "$HOME", "${HOME}", "$(touch \(canary))",
        "`touch \(canary)`", "; touch \(canary) #", "a\nb\n", "\n", "\\", "\\'", "tab\there", "*", "~", "!x", "a&b|c",
        "<x>", "\u{1F600}", "-rf", "--", "%s%n", String(repeating: "'$`\"\\", count: 200),
    ]

    @Test("Plain words stay bare; everything else is single-quoted with ' written as '\\''")
    func forms() {
        #expect(ShellQuoting.quote("rs-linux-1-1") == "rs-linux-1-1")
        #expect(ShellQuoting.quote("/var/lib/x.qcow2") == "/var/lib/x.qcow2")
        #expect(ShellQuoting.quote("") == "''")
        #expect(ShellQuoting.quote("a b") == "'a b'")
        #expect(ShellQuoting.quote("it's") == #"'it'\''s'"#)
        #expect(ShellQuoting.join(["sh", "-s"]) == "sh -s")
    }

    @Test("Every value survives dash and bash unchanged and runs nothing", arguments: ["/bin/sh", "/bin/bash"])
    func roundTrip(shell: String) throws {
        for value in Self.values {
            // printf as a command argument and as a variable assignment, the two ways we use it.
            let script = "printf '%s' \(ShellQuoting.quote(value)); printf '|'; v=\(ShellQuoting.quote(value)); printf '%s' \"$v\""
            let result = LibvirtTestHost.run(shell, ["-c", script])
            #expect(result.status == 0)
            #expect(result.out == value + "|" + value, "value: \(value.debugDescription)")
        }
        #expect(!FileManager.default.fileExists(atPath: Self.canary))
    }

    @Test("Words joined into one line reach a remote-style `sh -c` as separate arguments")
    func join() {
        let words = ["printf", "%s|", "a b", "$(touch \(Self.canary))", "it's"]
        let result = LibvirtTestHost.run("/bin/sh", ["-c", ShellQuoting.join(words)])
        #expect(result.out == "a b|$(touch \(Self.canary))|it's|")
        #expect(!FileManager.default.fileExists(atPath: Self.canary))
    }
}
