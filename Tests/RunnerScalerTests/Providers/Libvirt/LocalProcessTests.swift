import Foundation
import Testing
@testable import RunnerScaler

@Suite("A local process is fed, drained and, when too slow, killed")
struct LocalProcessTests {
    @Test("stdin reaches the process; stdout, stderr and the exit status come back")
    func roundTrip() async throws {
        let output = try await LocalProcess(executable: "/bin/sh", arguments: ["-c", "cat; echo err >&2; exit 3"])
            .run(input: Data("hello".utf8), timeout: .seconds(30))
        #expect(output.status == 3)
        #expect(String(decoding: output.stdout, as: UTF8.self) == "hello")
        #expect(String(decoding: output.stderr, as: UTF8.self) == "err\n")
        #expect(!output.killed)
    }

    @Test("A process that outlives its timeout is killed with SIGKILL and reported as killed")
    func timeout() async throws {
        // `trap '' TERM` would survive SIGTERM; SIGKILL cannot be ignored.
        let output = try await LocalProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"])
            .run(input: Data(), timeout: .milliseconds(300))
        #expect(output.killed)
        #expect(output.status == SIGKILL)
    }

    @Test("A process that exits without reading a large stdin does not hurt us (no SIGPIPE)")
    func unreadInput() async throws {
        let output = try await LocalProcess(executable: "/bin/sh", arguments: ["-c", "exit 0"])
            .run(input: Data(repeating: 0x41, count: 4 << 20), timeout: .seconds(30))
        #expect(output.status == 0)
    }
}
