import Foundation
import Testing
@testable import RunnerScaler
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("A local process is fed, drained and, when too slow, killed", .timeLimit(.minutes(1)))
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

    @Test("A process that writes megabytes to stdout and stderr before reading megabytes of stdin does not deadlock")
    func largeStreamsBothWays() async throws {
        let script = "head -c 1200000 /dev/zero | tr '\\0' o; head -c 1300000 /dev/zero | tr '\\0' e >&2; cat"
        let input = Data((0..<(1_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        let output = try await LocalProcess(executable: "/bin/sh", arguments: ["-c", script])
            .run(input: input, timeout: .seconds(20))
        #expect(output.status == 0)
        #expect(!output.killed)
        #expect(output.stdout.count == 1_200_000 + input.count)
        #expect(output.stdout.prefix(1_200_000) == Data(repeating: UInt8(ascii: "o"), count: 1_200_000))
        #expect(output.stdout.dropFirst(1_200_000) == input)
        #expect(output.stderr == Data(repeating: UInt8(ascii: "e"), count: 1_300_000))
    }

    @Test("A program that cannot be started throws cannotStart and leaves no descriptor open")
    func missingExecutable() async throws {
        let process = LocalProcess(executable: "/nonexistent/runner-scaler-no-such-program", arguments: [])
        do {
            _ = try await process.run(input: Data("x".utf8), timeout: .seconds(5))
            Issue.record("expected cannotStart")
        } catch let LocalProcess.Failure.cannotStart(executable, reason) {
            #expect(executable == process.executable)
            #expect(reason == String(cString: strerror(ENOENT)))
        }
        // Other tests open and close descriptors concurrently, so a single before/after count
        // is noisy; a leak repeated 64 times is not (each failed start creates six).
        let before = Self.openDescriptors()
        for _ in 0..<64 {
            _ = try? await process.run(input: Data("x".utf8), timeout: .seconds(5))
        }
        #expect(Self.openDescriptors() - before < 32)
    }

    @Test("The given environment replaces ours; without one, ours is inherited")
    func environment() async throws {
        let given = try await LocalProcess(executable: "/usr/bin/env", arguments: [],
                                           environment: ["RS_TEST_A": "one two", "RS_TEST_B": "x=y"])
            .run(input: Data(), timeout: .seconds(10))
        #expect(given.status == 0)
        #expect(Set(String(decoding: given.stdout, as: UTF8.self).split(separator: "\n")) == ["RS_TEST_A=one two", "RS_TEST_B=x=y"])

        let inherited = try await LocalProcess(executable: "/usr/bin/env", arguments: [])
            .run(input: Data(), timeout: .seconds(10))
        #expect(inherited.status == 0)
        let lines = Set(String(decoding: inherited.stdout, as: UTF8.self).split(separator: "\n").map(String.init))
        let path = try #require(ProcessInfo.processInfo.environment["PATH"])
        #expect(lines.contains("PATH=\(path)"))
        #expect(!lines.contains { $0.hasPrefix("RS_TEST_A=") })
    }

    @Test("The child gets stdin, stdout and stderr and no other descriptor, no blocked or ignored signal",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
    func cleanChild() async throws {
        let fds = try await LocalProcess(executable: "/bin/ls", arguments: ["-1", "/proc/self/fd"])
            .run(input: Data(), timeout: .seconds(10))
        #expect(fds.status == 0)
        // 3 is the directory ls itself opened to list.
        #expect(String(decoding: fds.stdout, as: UTF8.self).split(separator: "\n") == ["0", "1", "2", "3"])

        let signals = try await LocalProcess(executable: "/bin/grep", arguments: ["-E", "^Sig(Blk|Ign):", "/proc/self/status"])
            .run(input: Data(), timeout: .seconds(10))
        #expect(signals.status == 0)
        // Standard signals only: glibc itself keeps its internal real-time signals (32, 33) ignored.
        let masks = String(decoding: signals.stdout, as: UTF8.self).split(separator: "\n")
            .map { UInt64($0.split(separator: "\t").last ?? "", radix: 16).map { $0 & 0x7fff_ffff } }
        #expect(masks == [0, 0])
    }

    @Test("Cancelling the awaiting task kills the process promptly and reports it killed")
    func cancellation() async throws {
        let task = Task {
            try await LocalProcess(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"])
                .run(input: Data(), timeout: .seconds(45))
        }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = ContinuousClock.now
        task.cancel()
        let output = try await task.value
        // Well under the 30 s the shell (and its sleep) would take unkilled, with room for a loaded machine.
        #expect(ContinuousClock.now - cancelled < .seconds(15))
        #expect(output.killed)
        #expect(output.status == SIGKILL)
    }

    @Test("A process ended by a signal we did not send reports that signal and is not reported killed")
    func ownSignal() async throws {
        let output = try await LocalProcess(executable: "/bin/sh", arguments: ["-c", "kill -TERM $$; sleep 10"])
            .run(input: Data(), timeout: .seconds(20))
        #expect(output.status == SIGTERM)
        #expect(!output.killed)
    }

    @Test("Many runs at once all complete, each with its own output")
    func concurrentRuns() async throws {
        let results = try await withThrowingTaskGroup(of: (Int, LocalProcess.Output).self) { group in
            for i in 0..<20 {
                group.addTask {
                    let output = try await LocalProcess(executable: "/bin/sh",
                                                        arguments: ["-c", "cat; echo \" $0\" >&2; exit $0", "\(i)"])
                        .run(input: Data("run \(i)".utf8), timeout: .seconds(20))
                    return (i, output)
                }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 20)
        for (i, output) in results {
            #expect(output.status == Int32(i))
            #expect(String(decoding: output.stdout, as: UTF8.self) == "run \(i)")
            #expect(String(decoding: output.stderr, as: UTF8.self) == " \(i)\n")
            #expect(!output.killed)
        }
    }

    private static func openDescriptors() -> Int {
        #if os(Linux)
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        #else
        (try? FileManager.default.contentsOfDirectory(atPath: "/dev/fd").count) ?? 0
        #endif
    }
}
