/// The domain we hand to `virsh create`: a transient domain (it disappears when it stops)
/// named after the runner, booting the overlay disk with the NoCloud seed as a CD-ROM.
/// Every value is XML-escaped; numbers and the domain type are checked before this is built.
/// Attributes use double quotes so the document reads cleanly inside the single-quoted shell
/// word that carries it to the host.
public struct LibvirtDomainXML: Sendable, Equatable {
    public var name: String
    /// `kvm`, or `qemu` for TCG where /dev/kvm is unusable.
    public var type: String
    public var vcpus: Int
    public var memoryMiB: Int
    public var overlayPath: String
    public var seedPath: String
    public var network: LibvirtNetwork
    public var metadata: LibvirtRunnerMetadata

    public init(name: String, type: String, vcpus: Int, memoryMiB: Int, overlayPath: String, seedPath: String,
                network: LibvirtNetwork, metadata: LibvirtRunnerMetadata) {
        self.name = name
        self.type = type
        self.vcpus = vcpus
        self.memoryMiB = memoryMiB
        self.overlayPath = overlayPath
        self.seedPath = seedPath
        self.network = network
        self.metadata = metadata
    }

    public var xml: String {
        let e = XMLEscaping.escape
        var lines = [
            "<domain type=\"\(e(type))\">",
            "  <name>\(e(name))</name>",
            "  <metadata>\(metadata.xml)</metadata>",
            "  <memory unit=\"MiB\">\(memoryMiB)</memory>",
            "  <vcpu>\(vcpus)</vcpu>",
            // No arch: libvirt picks the host's own, so aarch64 hosts work too.
            "  <os><type>hvm</type><boot dev=\"hd\"/></os>",
            // ACPI lets the guest's `poweroff` actually power off, which ends the transient domain.
            "  <features><acpi/><apic/></features>",
        ]
        // No <cpu> element: libvirt's default model. host-passthrough and host-model abort QEMU
        // on nested hosts (KVM refuses MSR 0x10a; seen on the test machine), and a runner that
        // does not start is worse than one without the newest instructions.
        lines += [
            "  <clock offset=\"utc\"/>",
            "  <on_poweroff>destroy</on_poweroff>",
            "  <on_reboot>restart</on_reboot>",
            "  <on_crash>destroy</on_crash>",
            "  <devices>",
            "    <disk type=\"file\" device=\"disk\"><driver name=\"qemu\" type=\"qcow2\" discard=\"unmap\"/><source file=\"\(e(overlayPath))\"/><target dev=\"vda\" bus=\"virtio\"/></disk>",
            "    <disk type=\"file\" device=\"cdrom\"><driver name=\"qemu\" type=\"raw\"/><source file=\"\(e(seedPath))\"/><target dev=\"sda\" bus=\"sata\"/><readonly/></disk>",
        ]
        switch network {
        case .none: break
        case .user: lines.append("    <interface type=\"user\"><model type=\"virtio\"/></interface>")
        case let .network(name):
            lines.append("    <interface type=\"network\"><source network=\"\(e(name))\"/><model type=\"virtio\"/></interface>")
        case let .bridge(name):
            lines.append("    <interface type=\"bridge\"><source bridge=\"\(e(name))\"/><model type=\"virtio\"/></interface>")
        }
        lines += [
            "    <serial type=\"pty\"><target port=\"0\"/></serial>",
            "    <console type=\"pty\"><target type=\"serial\" port=\"0\"/></console>",
            "    <rng model=\"virtio\"><backend model=\"random\">/dev/urandom</backend></rng>",
            "  </devices>",
            "</domain>",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The pool's `network:` setting: a libvirt network name (default `default`), `bridge:NAME`
/// for a host bridge, `user` for QEMU user-mode networking, or `none`.
public enum LibvirtNetwork: Sendable, Equatable {
    case network(String)
    case bridge(String)
    case user
    case none

    public init(setting: String) {
        switch setting {
        case "none": self = .none
        case "user": self = .user
        case let s where s.hasPrefix("bridge:"): self = .bridge(String(s.dropFirst("bridge:".count)))
        default: self = .network(setting)
        }
    }
}
