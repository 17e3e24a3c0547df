import Foundation
import Testing
@testable import RunnerScaler

/// `JSONReader` replaced `JSONSerialization` in the library; Foundation's parser is the
/// reference it is checked against, on every JSON document of the conformance data.
@Suite("JSONReader reads what JSONSerialization reads")
struct JSONReaderTests {
    /// Compares our tree with Foundation's (NSNumber, NSNull, NSDictionary on Linux bridge
    /// to these Swift casts).
    static func same(_ ours: Any, _ theirs: Any, at path: String = "$") -> String? {
        switch ours {
        case is JSONNull:
            return theirs is NSNull ? nil : "\(path): null vs \(theirs)"
        case let b as Bool:
            return (theirs as? Bool) == b ? nil : "\(path): \(b) vs \(theirs)"
        case let i as Int:
            return (theirs as? NSNumber)?.int64Value == Int64(i) ? nil : "\(path): \(i) vs \(theirs)"
        case let d as Double:
            return (theirs as? NSNumber)?.doubleValue == d ? nil : "\(path): \(d) vs \(theirs)"
        case let s as String:
            return (theirs as? String) == s ? nil : "\(path): string differs"
        case let list as [Any]:
            guard let other = theirs as? [Any], other.count == list.count else { return "\(path): array differs" }
            for (i, pair) in zip(list, other).enumerated() {
                if let problem = same(pair.0, pair.1, at: "\(path)[\(i)]") { return problem }
            }
            return nil
        case let map as [String: Any]:
            guard let other = theirs as? [String: Any], Set(other.keys) == Set(map.keys) else { return "\(path): keys differ" }
            for (key, value) in map {
                if let problem = same(value, other[key]!, at: "\(path).\(key)") { return problem }
            }
            return nil
        default:
            return "\(path): unexpected \(type(of: ours))"
        }
    }

    static func conformanceDocuments() throws -> [String] {
        let root = Conformance.root.path
        let walker = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let item = walker?.nextObject() as? String {
            if item.hasSuffix(".json") { found.append(item) }
        }
        return found.sorted()
    }

    @Test("Every JSON document in the conformance data parses to Foundation's tree")
    func conformanceCorpus() throws {
        let files = try Self.conformanceDocuments()
        #expect(files.count >= 50, "conformance data not found under \(Conformance.root.path)")
        for file in files {
            let data = try Conformance.data(file)
            let theirs = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            let ours = try JSONReader.parse(Array(data))
            #expect(Self.same(ours, theirs) == nil, "\(file): \(Self.same(ours, theirs) ?? "")")
        }
    }

    @Test("The repo's fixture events parse to Foundation's tree too")
    func fixtureEvents() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Repo.url("events").path).filter { $0.hasSuffix(".json") }
        #expect(!names.isEmpty)
        for name in names {
            let data = try Repo.data("events/\(name)")
            let ours = try JSONReader.parse(Array(data))
            let theirs = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            #expect(Self.same(ours, theirs) == nil, "\(name)")
        }
    }

    @Test("Scalars, escapes, surrogate pairs and number types")
    func scalars() throws {
        let text = #"{"s":"a\"b\\c\/d\n\t\u00e9\ud83d\ude80","i":-42,"big":9007199254740993,"d":2.5,"e":1e3,"z":0,"t":true,"f":false,"n":null,"a":[],"o":{}}"#
        let map = try #require(try JSONReader.parse(Array(text.utf8)) as? [String: Any])
        #expect(map["s"] as? String == "a\"b\\c/d\n\té🚀")
        #expect(map["i"] as? Int == -42)
        #expect(map["big"] as? Int == 9_007_199_254_740_993)  // exact, not rounded through Double
        #expect(map["d"] as? Double == 2.5)
        #expect(map["e"] as? Double == 1000)
        #expect(map["z"] as? Int == 0)
        #expect(map["t"] as? Bool == true && map["f"] as? Bool == false)
        #expect(map["n"] is JSONNull)
        #expect((map["a"] as? [Any])?.isEmpty == true && (map["o"] as? [String: Any])?.isEmpty == true)
        // A top-level scalar is a document too; whitespace and a BOM around it are fine.
        #expect(try JSONReader.parse(Array("\u{FEFF} \"x\"\n".utf8)) as? String == "x")
        // Beyond Int, a number is a Double rather than an error.
        #expect(try JSONReader.parse(Array("123456789012345678901234567890".utf8)) as? Double == 1.2345678901234568e29)
    }

    @Test("Syntax errors say what was found and where", arguments: [
        ("", "Unexpected end of text, expected a value at line 1, column 1"),
        ("{\"a\":1,}", "Unexpected character '}', expected a string key at line 1, column 8"),
        ("{\"a\" 1}", "Unexpected character '1', expected ':' after a key at line 1, column 6"),
        ("[1 2]", "Unexpected character '2', expected ',' or ']' at line 1, column 4"),
        ("{\n  \"a\": tru\n}", "Unexpected byte 0xA in the literal true at line 2, column 11"),
        ("{\"a\": \"b}", "Unterminated string at line 1, column 10"),
        ("\"a\tb\"", "Unescaped control character 0x9 in a string at line 1, column 3"),
        ("\"\\q\"", "Invalid escape character 'q' in a string at line 1, column 3"),
        ("\"\\ud800\"", "Unpaired surrogate in a \\u escape at line 1, column 8"),
        ("01", "Leading zero in a number at line 1, column 2"),
        ("-", "Unexpected end of text in a number at line 1, column 2"),
        ("1.", "Unexpected end of text after a decimal point at line 1, column 3"),
        ("1e999", "Number out of range at line 1, column 1"),
        ("{} x", "Unexpected character 'x' after the document at line 1, column 4"),
        ("'a'", "Unexpected character ''', expected a value at line 1, column 1"),
    ])
    func syntaxErrors(text: String, message: String) {
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse(Array(text.utf8)) }
        do { _ = try JSONReader.parse(Array(text.utf8)) } catch { #expect(error.description == message) }
    }

    @Test("Invalid UTF-8 in a string and absurd nesting are errors, not crashes")
    func hostileInput() {
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse([0x22, 0xFF, 0xFE, 0x22]) }
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse(deep) }
        let nested = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? JSONReader.parse(Array(nested.utf8))) != nil)
    }

    @Test("What JSONText writes, JSONReader reads back unchanged")
    func roundTrip() throws {
        let object: [String: Any] = ["a": [1, 2.5, "x/y", true, JSONNull()], "b": ["c": "é\u{1}\"\\"], "n": -7]
        let bytes = try JSONText.data(object)
        let back = try #require(try JSONReader.parse(bytes) as? [String: Any])
        #expect(try JSONText.data(back) == bytes)
    }
}
