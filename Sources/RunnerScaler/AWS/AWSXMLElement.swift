import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: local name (namespace prefixes and URIs dropped, since EC2 answers
/// with whichever API version's namespace), child elements and the element's own text.
struct AWSXMLElement: Sendable, Equatable {
    var name: String
    var children: [AWSXMLElement] = []
    var text: String = ""

    func child(_ name: String) -> AWSXMLElement? { children.first { $0.name == name } }

    /// The text of the first child called `name`; "" for an empty element, nil when absent.
    func string(_ name: String) -> String? { child(name)?.text }

    func int(_ name: String) -> Int? { string(name).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    /// The `<item>`s of the list element `name` (EC2 wraps every list this way).
    func items(_ name: String) -> [AWSXMLElement] {
        child(name)?.children.filter { $0.name == "item" } ?? []
    }

    static func parse(_ bytes: some Collection<UInt8>) throws(AWSResponseError) -> AWSXMLElement {
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        let builder = Builder()
        parser.delegate = builder
        let ok = parser.parse()
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw .malformedXML(reason: "line \(parser.lineNumber): \(reason)")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [AWSXMLElement] = []
        var root: AWSXMLElement?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            // With namespace processing the name is usually already local; no split then.
            let local = elementName.lastIndex(of: ":").map { String(elementName[elementName.index(after: $0)...]) } ?? elementName
            stack.append(AWSXMLElement(name: local))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard var element = stack.popLast() else { return }
            // Whitespace between child elements is layout, not content.
            if !element.children.isEmpty { element.text = "" }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}
