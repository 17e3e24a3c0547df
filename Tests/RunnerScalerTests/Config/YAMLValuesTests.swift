import Foundation
import Testing
import Yams
@testable import RunnerScaler

/// The config's own scalar typing, checked against Yams' default (regex) resolver, which it
/// replaces, on every kind of scalar a pools file may hold.
@Suite("YAML scalars typed without regular expressions")
struct YAMLValuesTests {
    /// Plain scalars on which both must agree.
    /// Quoted, tagged, dated and block scalars (also in the parser's corpus checked against Yams).
    static let quotedAndTagged = """
        a: "10"
        b: 'true'
        c: !!int "42"
        d: 2026-11-22
        e: |
          10
        f:
        g: [1, "x", no]
        """

    static let plain = [
        "10", "-3", "+7", "0", "1_000", "0x1F", "0x1f_ff", "0o17", "017", "0b101", "-0x10",
        "1.5", "-0.25", "1e3", "2.5E-2", "1.", ".5", "1_0.5", ".inf", "-.Inf", "+.INF",
        "true", "False", "YES", "no", "On", "OFF",
        "~", "null", "Null", "NULL",
        "t3.micro", "ami-12c6146b", "subnet-1", "rs", "linux-x64", "self-hosted", "0x", "1e", "e3", "_1", "1__", "--1",
        "8h", "10m", "yes please", "TrUe", "nULL", "0.0.0.0", "127.0.0.1", "1.2.3", "0x1G", "0b102", "09", "1:30",
    ]

    static func yams(_ text: String) throws -> Any? {
        try Yams.load(yaml: "v: \(text)\n").flatMap { ($0 as? [String: Any])?["v"] }
    }

    static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (is JSONNull, is NSNull), (nil, is NSNull), (is JSONNull, nil): return true
        case let (x as Bool, y as Bool): return x == y
        case let (x as Int, y as Int): return x == y
        case let (x as Double, y as Double): return x == y || (x.isNaN && y.isNaN)
        case let (x as String, y as String): return x == y
        default: return false
        }
    }

    @Test("Plain scalars get the type Yams' default resolver gives them", arguments: plain)
    func agreesWithYams(text: String) throws {
        let ours = try #require(try YAMLValues.load("v: \(text)\n") as? [String: Any])["v"]
        let reference = try Self.yams(text)
        // Yams reads `1:30` as base-60 (90); ours leaves that YAML 1.1 oddity a string.
        if text == "1:30" {
            #expect(ours as? String == "1:30")
            return
        }
        #expect(Self.same(ours, reference), "\(text): ours \(String(describing: ours)), Yams \(String(describing: reference))")
    }

    @Test(".nan is a NaN")
    func nan() throws {
        let ours = try #require(try YAMLValues.load("v: .nan\n") as? [String: Any])
        #expect((ours["v"] as? Double)?.isNaN == true)
    }

    @Test("Quoted scalars are strings; explicit tags decide; dates stay strings")
    func quotedAndTagged() throws {
        let map = try #require(try YAMLValues.load(Self.quotedAndTagged) as? [String: Any])
        #expect(map["a"] as? String == "10")
        #expect(map["b"] as? String == "true")
        #expect(map["c"] as? Int == 42)
        #expect(map["d"] as? String == "2026-11-22")
        #expect(map["e"] as? String == "10\n")
        #expect(map["f"] is JSONNull)
        let list = try #require(map["g"] as? [Any])
        #expect(list[0] as? Int == 1 && list[1] as? String == "x" && list[2] as? Bool == false)
    }

    @Test("Anchors and aliases resolve to the anchored value; bad YAML is an error")
    func aliasesAndErrors() throws {
        let map = try #require(try YAMLValues.load("base: &b [a, b]\ncopy: *b\n") as? [String: Any])
        #expect(map["copy"] as? [String] == ["a", "b"])
        #expect(throws: (any Error).self) { try YAMLValues.load("a: [1, 2\n") }
        #expect(throws: (any Error).self) { try YAMLValues.load("a: *missing\n") }
    }

    @Test("The example config reads the same as with Yams' default resolver")
    func exampleConfig() throws {
        let yaml = try String(contentsOf: Repo.url("config.example.yml"), encoding: .utf8)
        let ours = try ConfigLoader.parse(yaml: yaml)
        #expect(ours.pools.isEmpty == false)
        let viaYams = try #require(try Yams.load(yaml: yaml))
        var reader = NodeReader(source: "config")
        #expect(reader.config(viaYams) == ours)
    }
}
