import Foundation
import Testing
@testable import RunnerScaler

@Suite("Local files are read with the system's own reason on failure")
struct LocalFileTests {
    @Test("A file's bytes come back whole, also past one read's chunk")
    func readsWholeFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("localfile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try LocalFile.read(path) == bytes)
    }

    @Test("Missing files and directories fail with strerror's words and the path")
    func failures() {
        #expect(throws: LocalFile.ReadError.self) { try LocalFile.read("/nonexistent/x") }
        do { _ = try LocalFile.read("/nonexistent/x") } catch {
            #expect(error.reason == "No such file or directory")
            #expect(error.description == "cannot read /nonexistent/x: No such file or directory")
        }
        do { _ = try LocalFile.read("/") } catch { #expect(error.reason == "Is a directory") }
    }

    @Test("The temporary directory ends in one slash; the home directory is absolute")
    func directories() {
        #expect(LocalFile.temporaryDirectory().hasSuffix("/"))
        #expect(!LocalFile.temporaryDirectory().hasSuffix("//"))
        #expect(LocalFile.homeDirectory().hasPrefix("/"))
    }
}
