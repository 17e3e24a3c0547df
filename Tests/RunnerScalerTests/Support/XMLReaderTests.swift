import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import RunnerScaler

/// `XMLReader` checked against Foundation's libxml2-based `XMLParser` (used here only, as the
/// reference) on the EC2 answers in the conformance data and on documents that exercise every
/// construct it accepts, and on what it must refuse.
@Suite("XML reader")
struct XMLReaderTests {
    /// The tree `XMLParser` builds, with the reader's conventions: local names, the text of
    /// leaf elements only.
    final class ReferenceBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLReader.Element] = []
        var root: XMLReader.Element?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let local = name.lastIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
            stack.append(XMLReader.Element(name: local))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }
        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: block, as: UTF8.self) }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard var element = stack.popLast() else { return }
            if !element.children.isEmpty { element.text = "" }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }

    static func reference(_ bytes: [UInt8]) -> XMLReader.Element? {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        let builder = ReferenceBuilder()
        parser.delegate = builder
        return parser.parse() ? builder.root : nil
    }

    static let conformanceFiles: [String] = {
        let dirs = ["aws/ec2/responses/botocore", "aws/ec2/responses/moto"]
        return dirs.flatMap { (try? Conformance.files(in: $0, suffix: ".xml")) ?? [] }
    }()

    @Test("Every EC2 answer in the conformance data reads as libxml2 reads it", arguments: conformanceFiles)
    func conformance(file: String) throws {
        let bytes = Array(try Conformance.data(file))
        let expected = try #require(Self.reference(bytes))
        #expect(try XMLReader.parse(bytes) == expected)
    }

    static let documents: [String] = [
        #"<?xml version="1.0" encoding="UTF-8"?><a><b>x</b><b/><c></c></a>"#,
        #"<ec2:r xmlns:ec2="http://ec2.amazonaws.com/doc/2016-11-15/"><ec2:item>1</ec2:item></ec2:r>"#,
        "<a>\n  <b>one &amp; two &lt;3&gt; &quot;q&quot; &apos;s&apos;</b>\n  <c>&#65;&#x42;&#x1F600;</c>\n</a>\n",
        "<a><b><![CDATA[<not> & markup]]></b><!-- a comment --><?pi data?><c>t<!-- inside -->u</c></a>",
        #"<a x="1 > 0" y='it"s'><b  z = "2" /></a>"#,
        "\u{FEFF}<a>byte order mark</a>",
        "<!-- before --><?xml-stylesheet href='x'?>\n<a>é ü 中文</a><!-- after -->\n",
        "<a>\r\n<b>\t</b></a>",
        "<a>one\r\ntwo\rthree\n</a>",
    ]

    @Test("Every construct it accepts reads as libxml2 reads it", arguments: documents)
    func constructs(document: String) throws {
        let bytes = Array(document.utf8)
        let expected = try #require(Self.reference(bytes), "libxml2 refused \(document)")
        #expect(try XMLReader.parse(bytes) == expected)
    }

    @Test("Names are local, text is decoded, and an element with children has no text")
    func shape() throws {
        let root = try XMLReader.parse(Array("<p:a xmlns:p='u'>\n <p:b>&lt;x&gt;</p:b>\n <c/>\n</p:a>".utf8))
        #expect(root.name == "a")
        #expect(root.text == "")
        #expect(root.children.map(\.name) == ["b", "c"])
        #expect(root.children[0].text == "<x>")
        #expect(root.children[1].text == "")
    }

    static let refused: [(String, String)] = [
        ("", "no root element"),
        ("   ", "no root element"),
        ("text<a/>", "content before the root element"),
        ("<a></b>", "</b> closes <a>"),
        ("<a><b></a>", "</a> closes <b>"),
        ("<a>", "<a> is never closed"),
        ("<a/><b/>", "content after the root element"),
        ("<a/>junk", "content after the root element"),
        ("<a>&unknown;</a>", "unknown entity &unknown;"),
        ("<a>&amp</a>", "unterminated entity reference"),
        ("<a>&#0;</a>", "&#0; is not a character"),
        ("<a>&#xD800;</a>", "&#xD800; is not a character"),
        ("<a x=1/>", "unquoted attribute value"),
        ("<a x='1'y='2'/>", "expected a space before an attribute"),
        ("<a x='<'/>", "< in an attribute value"),
        ("<a x/>", "attribute without a value"),
        ("<!DOCTYPE a [<!ENTITY e \"boom\">]><a>&e;</a>", "DTDs are not accepted"),
        ("<a><!ENTITY e 'x'></a>", "markup declarations are not accepted"),
        ("<a><!-- never closed</a>", "unterminated comment"),
        ("<a><![CDATA[never closed</a>", "unterminated CDATA section"),
        ("<a>\u{0}</a>".replacingOccurrences(of: "\u{0}", with: "<"), "expected a name"),
    ]

    @Test("Malformed documents are refused with the reason and line")
    func refusals() {
        for (document, reason) in Self.refused {
            #expect(throws: XMLReader.Error.self, "\(document)") { try XMLReader.parse(Array(document.utf8)) }
            do {
                _ = try XMLReader.parse(Array(document.utf8))
            } catch {
                #expect(error.reason.contains(reason), "\(document): \(error.reason)")
            }
        }
        // Not UTF-8.
        #expect(throws: XMLReader.Error.self) { try XMLReader.parse([0x3C, 0x61, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x61, 0x3E]) }
        // The line of the problem is reported.
        do {
            _ = try XMLReader.parse(Array("<a>\n<b>\n</c>\n</a>".utf8))
            Issue.record("accepted a mismatched tag")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test("Nesting is bounded, so a hostile answer cannot exhaust the stack")
    func depthBound() throws {
        let ok = String(repeating: "<a>", count: XMLReader.maxDepth) + String(repeating: "</a>", count: XMLReader.maxDepth)
        #expect(throws: Never.self) { try XMLReader.parse(Array(ok.utf8)) }
        let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        #expect(throws: XMLReader.Error.self) { try XMLReader.parse(Array(deep.utf8)) }
    }

    @Test("AWS answers that are not XML map to malformedXML with the reader's reason")
    func awsMapping() {
        do {
            _ = try AWSXMLElement.parse(Array("<Response><Errors></Response>".utf8))
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("</Response> closes <Errors>"))
        }
    }
}
