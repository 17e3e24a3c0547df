import Foundation
import Testing
@testable import RunnerScaler

/// The Metal tests trust the fake to reject what the real API would; this shows it does.
@Suite("The fake Metal API's spec validation bites", .serialized)
final class MetalFakeValidationTests {
    let fake: MetalFake
    init() throws { fake = try MetalFake() }

    @Test("A create body that breaks the spec is refused with 422 and recorded as a violation")
    func brokenBodyIsCaught() async throws {
        let path = "/projects/\(MetalFake.projectID)/devices"
        // No operating_system, and tags as a string rather than a list.
        let (status, body) = try await fake.raw("POST", path, json: ["hostname": "x", "metro": "da", "plan": "c3.small.x86", "tags": "a=b"])
        #expect(status == 422)
        #expect(((body as? [String: Any])?["errors"] as? [String])?.isEmpty == false)
        let violations = try await fake.violations()
        #expect(violations.count == 1)
        let errors = (violations.first?["errors"] as? [String] ?? []).joined(separator: " | ")
        #expect(errors.contains("operating_system"))
        #expect(errors.contains("$.tags"))
        #expect(try await fake.devices().isEmpty)
    }

    @Test("A misspelled property, such as a camel-cased spot price, is recorded as a violation")
    func unknownPropertyIsCaught() async throws {
        let (status, _) = try await fake.raw("POST", "/projects/\(MetalFake.projectID)/devices", json: [
            "hostname": "x", "metro": "da", "plan": "c3.small.x86", "operating_system": "ubuntu_22_04", "spotPriceMax": 0.5,
        ])
        #expect(status == 422)
        let violations = try await fake.violations()
        #expect(violations.count == 1)
        #expect((violations.first?["errors"] as? [String])?.contains { $0.contains("spotPriceMax") } == true)
    }

    @Test("Sending both metro and facility is recorded as a violation")
    func metroAndFacilityIsCaught() async throws {
        let (status, _) = try await fake.raw("POST", "/projects/\(MetalFake.projectID)/devices", json: [
            "metro": "da", "facility": ["da11"], "plan": "c3.small.x86", "operating_system": "ubuntu_22_04",
        ])
        #expect(status == 422)
        #expect(try await fake.violations().count == 1)
    }
}
