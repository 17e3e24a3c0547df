import Foundation

/// Runs a short child process to completion, bounded. Polls `isRunning` instead of calling
/// `waitUntilExit()`, which spins a run loop and was seen to hang on a busy cooperative pool.
enum ChildProcess {
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let limit = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > limit {
                kill(process.processIdentifier, SIGKILL)
                throw PeerError("\(executable) did not finish within \(Int(timeout))s")
            }
            usleep(10_000)
        }
        return process.terminationStatus
    }
}
