import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import RunnerScaler

@Suite("The domain XML is built by us, with every value escaped")
struct LibvirtDomainXMLTests {
    static let hostile = ["</name><evil/>", "]]>", "a'b\"c", "&amp;", "x\ny\tz\r", "<!ENTITY e SYSTEM 'file:///etc/passwd'>",
                          "\u{1F600}"]

    func domain(network: LibvirtNetwork = .network("default"), type: String = "kvm", metadata: LibvirtRunnerMetadata? = nil)
        -> LibvirtDomainXML
    {
        LibvirtDomainXML(name: "rs-linux-1-1", type: type, vcpus: 2, memoryMiB: 2048,
                         overlayPath: "/images/it's <a> & \"b\".qcow2", seedPath: "/images/s.iso", network: network,
                         metadata: metadata ?? LibvirtRunnerMetadata(managedBy: "rs", pool: "linux", runnerName: "rs-linux-1-1"))
    }

    /// Parses with namespaces and returns (element names in order, text of each leaf).
    func parse(_ xml: String) throws -> [String] {
        final class Names: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) { names.append(e) }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        let names = Names()
        parser.delegate = names
        guard parser.parse() else { throw PeerError("not well-formed: \(parser.parserError.map { "\($0)" } ?? "")\n\(xml)") }
        return names.names
    }

    @Test("Hostile metadata values stay text: the XML is well-formed and they read back exactly")
    func hostileMetadata() throws {
        let metadata = LibvirtRunnerMetadata(managedBy: "rs", pool: "linux", runnerName: "rs-linux-1-1", jobID: 1, runID: 2,
                                             repository: Self.hostile[0], labels: Self.hostile,
                                             created: Date(timeIntervalSince1970: 1_800_000_000))
        let xml = domain(metadata: metadata).xml
        let names = try parse(xml)
        #expect(!names.contains("evil"))
        #expect(names.filter { $0 == "name" }.count == 1)
        #expect(names.filter { $0 == "label" }.count == Self.hostile.count)
        #expect(LibvirtRunnerMetadata(parsing: metadata.xml) == metadata)
    }

    @Test("Network settings: a libvirt network, bridge:NAME, user, none")
    func networks() throws {
        #expect(LibvirtNetwork(setting: "default") == .network("default"))
        #expect(LibvirtNetwork(setting: "bridge:br0") == .bridge("br0"))
        #expect(LibvirtNetwork(setting: "user") == .user)
        #expect(LibvirtNetwork(setting: "none") == LibvirtNetwork.none)
        #expect(domain(network: .network("default")).xml.contains(#"<interface type="network"><source network="default"/>"#))
        #expect(domain(network: .bridge("br0")).xml.contains(#"<interface type="bridge"><source bridge="br0"/>"#))
        #expect(domain(network: .user).xml.contains(#"<interface type="user">"#))
        #expect(!domain(network: .none).xml.contains("<interface"))
        for network in [LibvirtNetwork.network("a'b"), .bridge("<x>"), .user, .none] { _ = try parse(domain(network: network).xml) }
    }

    @Test("The domain type is kvm or qemu (TCG); the CPU model is libvirt's default, which also runs nested")
    func domainType() {
        #expect(domain(type: "kvm").xml.contains(#"<domain type="kvm">"#))
        #expect(domain(type: "qemu").xml.contains(#"<domain type="qemu">"#))
        #expect(!domain(type: "kvm").xml.contains("<cpu"))
    }

    @Test("XML escaping covers the five entities and whitespace that attributes would normalise")
    func escaping() {
        #expect(XMLEscaping.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;")
        #expect(XMLEscaping.escape("a\tb\nc\rd") == "a&#9;b&#10;c&#13;d")
        #expect(XMLEscaping.isRepresentable("tab\tnl\n ü \u{1F600}"))
        #expect(!XMLEscaping.isRepresentable("nul\u{0}"))
        #expect(!XMLEscaping.isRepresentable("bell\u{7}"))
    }
}
