/// An element of an AWS Query API answer, as `XMLReader` reads it: local name (namespace
/// prefixes and URIs dropped, since EC2 answers with whichever API version's namespace), child
/// elements and the element's own text.
typealias AWSXMLElement = XMLReader.Element

extension XMLReader.Element {
    func child(_ name: String) -> XMLReader.Element? { children.first { $0.name == name } }

    /// The text of the first child called `name`; "" for an empty element, nil when absent.
    func string(_ name: String) -> String? { child(name)?.text }

    func int(_ name: String) -> Int? { string(name).flatMap { Int($0.trimmingASCIIWhitespace()) } }

    /// The `<item>`s of the list element `name` (EC2 wraps every list this way).
    func items(_ name: String) -> [XMLReader.Element] {
        child(name)?.children.filter { $0.name == "item" } ?? []
    }

    static func parse(_ bytes: some Collection<UInt8>) throws(AWSResponseError) -> XMLReader.Element {
        do { return try XMLReader.parse(bytes) } catch { throw .malformedXML(reason: error.description) }
    }
}
