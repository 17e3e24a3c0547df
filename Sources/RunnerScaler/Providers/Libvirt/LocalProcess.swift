#if canImport(FoundationEssentials)
import FoundationEssentials
#else
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one local program to completion: feeds it `input` on stdin, collects stdout and
/// stderr, and kills it (SIGKILL) when `timeout` passes or the task is cancelled.
///
/// Why it looks like this:
/// - Started with `posix_spawn` (a vfork-style clone on glibc: no copy of our address space,
///   nothing but async-signal-safe work between fork and exec). The child gets the socket and
///   the two pipes as fds 0–2 and nothing else of ours: every descriptor we create is
///   close-on-exec, and any other descriptor of the process is closed in the child as well
///   (`addclosefrom_np` where glibc has it, `POSIX_SPAWN_CLOEXEC_DEFAULT` on Darwin). Its
///   signal mask is emptied and every signal reset to its default, so SIGTERM and friends
///   reach it normally whatever this process blocks or ignores. As with Foundation's `Process`
///   it leads a process group of its own: a Ctrl-C at our terminal is ours to handle, and a
///   kill can reach everything it started.
/// - One dedicated OS thread per run (not the Swift cooperative pool, which is as small as
///   the core count and must never block) does all the waiting: it writes stdin and drains
///   stdout and stderr in one `poll()` loop, so a child that writes a lot before it reads
///   (or reads before it writes) can never deadlock against us; then it reaps exactly this
///   child with `waitpid(pid)`, never `waitpid(-1)`, and resumes the awaiting task. No
///   thread is shared between runs, so one long-lived child delays no other run.
/// - stdin is a socket pair written with `MSG_NOSIGNAL`: a child that exits without reading
///   its input makes `send` fail with EPIPE instead of raising SIGPIPE in our process (plain
///   pipe writes would, and we do not change the process-wide signal disposition).
/// - SIGKILL, not SIGTERM, on timeout or cancellation: it cannot be caught or ignored, so the
///   child is gone when we say so. It goes to the child's whole process group, so helpers it
///   started (a shell's commands, ssh's ProxyCommand) die with it instead of keeping the
///   output pipes, and so the run, open. It is sent at most once, and never once the child
///   has been reaped: the exit is first observed with `WNOWAIT` and marked under the lock the
///   killer takes, so neither the pid nor the group id can have been recycled.
/// - Output ends at EOF on both pipes: a descendant that left the group (a daemon that called
///   setsid) and kept them open holds the run open until it closes them or exits.
struct LocalProcess: Sendable {
    struct Output: Sendable {
        /// The exit code, or the number of the signal that ended the process.
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
        let fds = try makeDescriptors()
        let pid: pid_t
        do {
            pid = try spawn(stdin: fds.childStdin, stdout: fds.childStdout, stderr: fds.childStderr)
        } catch {
            for fd in fds.all { close(fd) }
            throw error
        }
        // The child has its own copies now; ours must go or we never see EOF on the pipes.
        close(fds.childStdin)
        close(fds.childStdout)
        close(fds.childStderr)

        let state = RunState(pid: pid, input: input, stdin: fds.stdin, stdout: fds.stdout, stderr: fds.stderr)
        if let error = state.startThread() {
            state.abandon()
            throw Failure.cannotStart(executable: executable, reason: "pthread_create: \(Self.describe(error))")
        }

        let killer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { state.killOnce() }
        }
        defer { killer.cancel() }
        return await withTaskCancellationHandler {
            await state.finished()
        } onCancel: {
            state.killOnce()
        }
    }

    // MARK: - Descriptors

    private struct Descriptors {
        /// Ours: the stdin socket (non-blocking), the read ends of stdout and stderr (non-blocking).
        var stdin: Int32, stdout: Int32, stderr: Int32
        /// The child's: installed as its fds 0, 1 and 2, closed in our process after the spawn.
        var childStdin: Int32, childStdout: Int32, childStderr: Int32
        var all: [Int32] { [stdin, stdout, stderr, childStdin, childStdout, childStderr] }
    }

    /// A socket pair for stdin and a pipe each for stdout and stderr, all close-on-exec and
    /// numbered above 2. On failure nothing stays open.
    private func makeDescriptors() throws(Failure) -> Descriptors {
        var opened: [Int32] = []
        func fail(_ what: String, _ code: Int32 = errno) -> Failure {
            for fd in opened { close(fd) }
            return .cannotStart(executable: executable, reason: "\(what): \(Self.describe(code))")
        }

        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else { throw fail("socketpair") }
        opened += pair
        for _ in 0..<2 {
            var ends: [Int32] = [-1, -1]
            #if canImport(Glibc)
            if let pipe2 {
                guard pipe2(&ends, O_CLOEXEC) == 0 else { throw fail("pipe") }
                opened += ends
                continue
            }
            #endif
            guard pipe(&ends) == 0 else { throw fail("pipe") }
            opened += ends
            // Not atomic: a spawn on another thread in between could inherit these, unless
            // the child closes what it does not need (addclosefrom_np, POSIX_SPAWN_CLOEXEC_DEFAULT).
            for fd in ends where fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 { throw fail("fcntl") }
        }
        #if !canImport(Glibc)
        guard fcntl(opened[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(opened[1], F_SETFD, FD_CLOEXEC) == 0 else {
            throw fail("fcntl")
        }
        var one: Int32 = 1
        guard setsockopt(opened[0], SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw fail("setsockopt")
        }
        #endif
        // If this process runs with a standard stream closed, a new descriptor can be 0, 1
        // or 2; the child's dup2() onto 0–2 could then clobber one of its sources or be a
        // no-op that keeps close-on-exec. Moving ours above 2 rules both out.
        for i in opened.indices where opened[i] < 3 {
            let moved = fcntl(opened[i], F_DUPFD_CLOEXEC, 3)
            guard moved >= 0 else { throw fail("fcntl") }
            close(opened[i])
            opened[i] = moved
        }
        // Our ends never block: the I/O thread waits in poll() only.
        for fd in [opened[0], opened[2], opened[4]] {
            let flags = fcntl(fd, F_GETFL)
            guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw fail("fcntl") }
        }
        return Descriptors(stdin: opened[0], stdout: opened[2], stderr: opened[4],
                           childStdin: opened[1], childStdout: opened[3], childStderr: opened[5])
    }

    // MARK: - Spawning

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        #if canImport(Glibc)
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #else
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #endif
        var rc = posix_spawn_file_actions_init(&actions)
        guard rc == 0 else { throw .cannotStart(executable: executable, reason: "posix_spawn: \(Self.describe(rc))") }
        defer { posix_spawn_file_actions_destroy(&actions) }
        rc = posix_spawnattr_init(&attributes)
        guard rc == 0 else { throw .cannotStart(executable: executable, reason: "posix_spawn: \(Self.describe(rc))") }
        defer { posix_spawnattr_destroy(&attributes) }

        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETPGROUP)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        rc = posix_spawn_file_actions_adddup2(&actions, stdin, STDIN_FILENO)
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stdout, STDOUT_FILENO) }
        if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, stderr, STDERR_FILENO) }
        #if canImport(Glibc)
        if rc == 0, let addCloseFrom { rc = addCloseFrom(&actions, 3) }
        #endif
        if rc == 0 { rc = posix_spawnattr_setsigmask(&attributes, &noSignals) }
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &allSignals) }
        if rc == 0 { rc = posix_spawnattr_setpgroup(&attributes, 0) }
        if rc == 0 { rc = posix_spawnattr_setflags(&attributes, Int16(flags)) }
        guard rc == 0 else { throw .cannotStart(executable: executable, reason: "posix_spawn: \(Self.describe(rc))") }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid = pid_t()
        if let environment {
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for entry in envp { free(entry) } }
            rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            #if canImport(Glibc)
            rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            #else
            rc = posix_spawn(&pid, executable, &actions, &attributes, argv, _NSGetEnviron()!.pointee)
            #endif
        }
        guard rc == 0 else { throw .cannotStart(executable: executable, reason: Self.describe(rc)) }
        return pid
    }

    fileprivate static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}

#if canImport(Glibc)
// Two glibc functions that Swift's Glibc module does not declare (GNU extensions), looked up
// at run time; both are present in the glibc 2.34 the Lambda image has.
private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
/// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+); without it, close-on-exec alone
/// keeps our descriptors out of the child.
private let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
    .map { unsafeBitCast($0, to: AddCloseFrom.self) }
private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
/// `pipe2` (glibc 2.9+): a pipe that is close-on-exec from the start.
private let pipe2: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
#endif

/// One run: the I/O thread's work, and what it shares with the awaiting task and the killer.
private final class RunState: @unchecked Sendable {
    let pid: pid_t
    // Used by the I/O thread only.
    private let input: Data
    private var stdin: Int32, stdout: Int32, stderr: Int32

    // Guarded by `mutex`.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var reaped = false
    private var killed = false
    private var result: LocalProcess.Output?
    private var waiter: CheckedContinuation<LocalProcess.Output, Never>?

    init(pid: pid_t, input: Data, stdin: Int32, stdout: Int32, stderr: Int32) {
        self.pid = pid
        self.input = input
        (self.stdin, self.stdout, self.stderr) = (stdin, stdout, stderr)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// SIGKILL to the child's process group and the child, at most once, and only while the
    /// child has not been reaped (until then its pid, which is also the group id, is ours).
    func killOnce() {
        locked {
            guard !reaped, !killed else { return }
            killed = true
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)  // in case it moved to another group
        }
    }

    func finished() async -> LocalProcess.Output {
        await withCheckedContinuation { continuation in
            let ready: LocalProcess.Output? = locked {
                if let result { return result }
                waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    // MARK: The I/O thread

    /// Starts the detached thread that owns the rest of the run; returns the error code if it
    /// could not be started.
    func startThread() -> Int32? {
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { RunState.threadMain($0!) }, context)
        #else
        var thread: pthread_t? = nil
        let rc = pthread_create(&thread, nil, { RunState.threadMain($0) }, context)
        #endif
        guard rc == 0 else {
            Unmanaged<RunState>.fromOpaque(context).release()
            return rc
        }
        #if canImport(Glibc)
        pthread_detach(thread)
        #else
        pthread_detach(thread!)
        #endif
        return nil
    }

    private static func threadMain(_ context: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        let state = Unmanaged<RunState>.fromOpaque(context).takeRetainedValue()
        let (out, err) = state.pump()
        let status = state.reap()
        let resume: (CheckedContinuation<LocalProcess.Output, Never>, LocalProcess.Output)? = state.locked {
            let output = LocalProcess.Output(status: status, stdout: out, stderr: err, killed: state.killed)
            state.result = output
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, output)
        }
        if let (waiter, output) = resume { waiter.resume(returning: output) }
        return nil
    }

    /// No thread could be started: kill and reap the child here (it dies at once) and close ours.
    func abandon() {
        killOnce()
        for fd in [stdin, stdout, stderr] { close(fd) }
        _ = reap()
    }

    /// Feeds stdin and drains stdout and stderr until all three are done; closes all three.
    private func pump() -> (Data, Data) {
        var out = Data(), err = Data()
        let bufferSize = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        var offset = 0
        if input.isEmpty { Self.finishInput(&stdin) }

        while stdin >= 0 || stdout >= 0 || stderr >= 0 {
            // poll() skips entries with a negative fd.
            var fds = [pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0),
                       pollfd(fd: stdout, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)]
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                // Cannot happen with valid arguments; give up on the streams rather than spin.
                for fd in [stdout, stderr] where fd >= 0 { close(fd) }
                (stdout, stderr) = (-1, -1)
                Self.finishInput(&stdin)
                break
            }
            if fds[0].revents != 0 { feed(&offset) }
            if fds[1].revents != 0 { Self.drain(&stdout, into: &out, buffer, bufferSize) }
            if fds[2].revents != 0 { Self.drain(&stderr, into: &err, buffer, bufferSize) }
        }
        return (out, err)
    }

    /// Sends what the socket takes now; ends stdin once all is sent or the child stopped reading.
    private func feed(_ offset: inout Int) {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)  // Darwin: SO_NOSIGPIPE is set on the socket
        #else
        let flags: Int32 = 0
        #endif
        let fd = stdin, start = offset
        let sent = input.withUnsafeBytes { raw in send(fd, raw.baseAddress! + start, raw.count - start, flags) }
        if sent > 0 {
            offset += sent
            if offset == input.count { Self.finishInput(&stdin) }
        } else if sent < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK {
            return
        } else {
            Self.finishInput(&stdin)  // EPIPE/ECONNRESET: the child is gone or closed its stdin
        }
    }

    private static func finishInput(_ fd: inout Int32) {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
        fd = -1
    }

    /// Reads what is there; closes the descriptor at EOF (or on an error, which ends it too).
    private static func drain(_ fd: inout Int32, into data: inout Data, _ buffer: UnsafeMutableRawPointer, _ size: Int) {
        let n = read(fd, buffer, size)
        if n > 0 {
            data.append(buffer.assumingMemoryBound(to: UInt8.self), count: n)
        } else if n < 0, errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK {
            return
        } else {
            close(fd)
            fd = -1
        }
    }

    /// Waits for this child's exit, marks it reaped (no kill after this), then reaps it.
    /// Returns the exit code, or the signal number if a signal ended it.
    private func reap() -> Int32 {
        // WNOWAIT leaves the zombie (and so the pid) in place until `reaped` is set under the
        // lock, so a kill racing with the exit hits at worst our own zombie.
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        locked { reaped = true }
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, 0) == pid { break }
            if errno != EINTR { return -1 }  // ECHILD: someone else reaped it
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : signal
    }
}
