#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time of the whole process (every thread), in nanoseconds. The benchmark framework's own
/// CPU metrics on Linux come from /proc in scheduler ticks (10 ms), far too coarse for
/// operations that take microseconds; `CLOCK_PROCESS_CPUTIME_ID` has nanosecond resolution.
public enum CPUClock {
    public static func processNanoseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Int(ts.tv_sec) * 1_000_000_000 + Int(ts.tv_nsec)
    }

    /// Runs `body` and returns the process CPU time it used.
    @inline(__always)
    public static func measure(_ body: () throws -> Void) rethrows -> Int {
        let start = processNanoseconds()
        try body()
        return processNanoseconds() - start
    }
}
