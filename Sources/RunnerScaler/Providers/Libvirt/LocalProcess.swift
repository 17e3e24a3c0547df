import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one local program to completion: feeds it `input` on stdin, collects stdout and
/// stderr, and kills it (SIGKILL) when `timeout` passes or the task is cancelled.
///
/// Why it looks like this:
/// - stdout and stderr are drained on their own threads at the same time, so a child that
///   fills one pipe while we wait on the other cannot deadlock.
/// - stdin is a socket pair written with `MSG_NOSIGNAL`: a child that exits without reading
///   its input makes `send` fail with EPIPE instead of raising SIGPIPE in our process (plain
///   pipe writes would, and we do not change the process-wide signal disposition).
/// - SIGKILL, not SIGTERM: children started by Foundation's `Process` on Linux inherit a
///   blocked SIGTERM, so SIGTERM may never arrive.
/// - The exit is observed with `terminationHandler`, never `waitUntilExit()` (which spins a
///   run loop and can hang off the main thread). Foundation learns of an exit on one shared
///   monitor thread, which blocks in waitpid() as soon as a child closes the descriptors it
///   inherited; ssh does that at start, so while one ssh runs, other children's exits in this
///   process are reported late (never lost). Fine for short ssh calls; a long-lived child
///   that closes its descriptors (a daemon in the foreground) must not be run this way.
struct LocalProcess: Sendable {
    struct Output: Sendable {
        var status: Int32
        var stdout: Data
        var stderr: Data
        /// Killed because the timeout passed (or the task was cancelled).
        var killed: Bool
    }

    enum Failure: Error, Sendable, CustomStringConvertible {
        case cannotStart(executable: String, reason: String)
        var description: String {
            switch self {
            case let .cannotStart(executable, reason): "cannot start \(executable): \(reason)"
            }
        }
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String]? = nil

    func run(input: Data, timeout: Duration) async throws -> Output {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else {
            throw Failure.cannotStart(executable: executable, reason: "socketpair: \(String(cString: strerror(errno)))")
        }
        let (ours, theirs) = (fds[0], fds[1])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = FileHandle(fileDescriptor: theirs, closeOnDealloc: false)
        process.standardOutput = stdout
        process.standardError = stderr

        let state = RunState()
        process.terminationHandler = { p in state.exited(p.terminationStatus) }
        do { try process.run() } catch {
            close(ours)
            close(theirs)
            throw Failure.cannotStart(executable: executable, reason: "\(error)")
        }
        // The child has its own copy now; ours must go or the child never sees EOF.
        close(theirs)
        let pid = process.processIdentifier

        Self.thread { Self.feed(input, to: ours) }
        let outHandle = stdout.fileHandleForReading, errHandle = stderr.fileHandleForReading
        Self.thread { state.stdout(outHandle.readDataToEndOfFile()) }
        Self.thread { state.stderr(errHandle.readDataToEndOfFile()) }

        let killer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled, state.markKilled() { kill(pid, SIGKILL) }
        }
        defer { killer.cancel() }
        return await withTaskCancellationHandler {
            await state.finished()
        } onCancel: {
            if state.markKilled() { kill(pid, SIGKILL) }
        }
    }

    private static func thread(_ body: @escaping @Sendable () -> Void) {
        let t = Thread(block: body)
        t.start()
    }

    /// Writes everything (or until the child stops reading), then signals EOF.
    private static func feed(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
                #else
                let flags: Int32 = 0
                #endif
                let n = send(fd, base + offset, raw.count - offset, flags)
                if n > 0 { offset += n; continue }
                if n < 0, errno == EINTR { continue }
                break  // EPIPE/ECONNRESET: the child is gone or closed its stdin
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }
}

/// Collects the three things a run waits for (exit, stdout EOF, stderr EOF) and resumes the
/// waiter once all have arrived, whatever their order.
private final class RunState: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32?
    private var out: Data?
    private var err: Data?
    private var killed = false
    private var waiter: CheckedContinuation<LocalProcess.Output, Never>?

    func exited(_ status: Int32) { update { $0.status = status } }
    func stdout(_ data: Data) { update { $0.out = data } }
    func stderr(_ data: Data) { update { $0.err = data } }

    /// True the first time: only one party kills.
    func markKilled() -> Bool {
        lock.withLock {
            guard !killed, status == nil else { return false }
            killed = true
            return true
        }
    }

    func finished() async -> LocalProcess.Output {
        await withCheckedContinuation { continuation in
            let ready: LocalProcess.Output? = lock.withLock {
                if let output = output() { return output }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func update(_ change: (RunState) -> Void) {
        let resume: (CheckedContinuation<LocalProcess.Output, Never>, LocalProcess.Output)? = lock.withLock {
            change(self)
            guard let output = output(), let waiter else { return nil }
            self.waiter = nil
            return (waiter, output)
        }
        if let (waiter, output) = resume { waiter.resume(returning: output) }
    }

    /// Called with the lock held.
    private func output() -> LocalProcess.Output? {
        guard let status, let out, let err else { return nil }
        return .init(status: status, stdout: out, stderr: err, killed: killed)
    }
}
