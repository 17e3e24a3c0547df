/// The POSIX sh scripts we run on a host (fed to `sh -s` on stdin). Values enter only as
/// single-quoted words (`ShellQuoting.quote`) assigned to variables at the top; the rest is
/// fixed text that uses those variables in double quotes.
///
/// Each script is one function called with stdin from /dev/null: the shell reads the whole
/// function before running it, so no command inside can swallow the rest of the script from
/// stdin, and a script cut short by a lost connection runs nothing at all.
///
/// Exit codes of the launch script, read by `LibvirtProvider`.
public enum LibvirtHostScripts {
    public static let exitExists: Int32 = 3
    public static let exitFinished: Int32 = 4
    public static let exitInProgress: Int32 = 5
    public static let exitNotOurs: Int32 = 6
    public static let exitMissingTool: Int32 = 20
    public static let exitNoBaseImage: Int32 = 21

    /// Everything a launch writes and starts on the host.
    public struct Launch: Sendable {
        public var uri: String
        public var files: LibvirtHostFiles
        public var baseImage: String
        /// 0 keeps the base image's virtual size.
        public var diskGiB: Int
        /// Shown as `<redacted: N bytes>` in dry runs.
        public var userData: String
        public var metaData: String
        public var domainXML: String
    }

    static func wrap(_ assignments: [(String, String)], _ body: String) -> String {
        var script = "set -eu\nrs_main() {\n"
        for (name, value) in assignments { script += "\(name)=\(ShellQuoting.quote(value))\n" }
        script += body
        script += "}\nrs_main </dev/null\n"
        return script
    }

    private static let requireVirsh = """
    command -v virsh >/dev/null 2>&1 || { echo "runner-scaler: virsh is not installed on this host (Debian: libvirt-clients)" >&2; exit \(exitMissingTool); }

    """

    public static func launch(_ l: Launch) -> String {
        var create = #"qemu-img create -q -f qcow2 -F qcow2 -b "$base" "$overlay""#
        if l.diskGiB > 0 { create += " \(l.diskGiB)G" }
        return wrap([
            ("uri", l.uri), ("dir", l.files.directory), ("name", l.files.runnerName), ("base", l.baseImage),
            ("overlay", l.files.overlay), ("seed", l.files.seed), ("lock", l.files.lock),
            ("user_data", l.userData), ("meta_data", l.metaData), ("domain_xml", l.domainXML),
        ], requireVirsh + """
        command -v qemu-img >/dev/null 2>&1 || { echo "runner-scaler: qemu-img is not installed on this host (Debian: qemu-utils)" >&2; exit \(exitMissingTool); }
        if command -v cloud-localds >/dev/null 2>&1; then seedtool=cloud-localds
        elif command -v genisoimage >/dev/null 2>&1; then seedtool=genisoimage
        else echo "runner-scaler: neither cloud-localds (cloud-image-utils) nor genisoimage is installed on this host" >&2; exit \(exitMissingTool)
        fi
        [ -r "$base" ] || { echo "runner-scaler: base image $base is missing or unreadable on this host" >&2; exit \(exitNoBaseImage); }
        # The directory must stay traversable by the qemu user; what goes in it is private.
        (umask 022 && mkdir -p "$dir")
        umask 077
        mkdir "$lock" 2>/dev/null || { echo "runner-scaler: a launch of $name is already in progress here" >&2; exit \(exitInProgress); }
        work=""
        made=0
        launched=0
        rs_cleanup() {
          [ -z "$work" ] || rm -rf "$work"
          if [ "$made" = 1 ] && [ "$launched" != 1 ]; then rm -f "$overlay" "$seed"; fi
          rmdir "$lock" 2>/dev/null || true
        }
        trap rs_cleanup EXIT
        trap 'exit 1' HUP INT TERM
        if virsh -q -c "$uri" domstate "$name" >/dev/null 2>&1; then echo "runner-scaler: domain $name already exists" >&2; exit \(exitExists); fi
        # Files without a domain: this runner ran here and powered off; the sweeper removes them.
        if [ -e "$overlay" ] || [ -e "$seed" ]; then echo "runner-scaler: $name already ran here" >&2; exit \(exitFinished); fi
        work=$(mktemp -d)
        made=1
        \(create)
        printf '%s' "$user_data" > "$work/user-data"
        printf '%s' "$meta_data" > "$work/meta-data"
        if [ "$seedtool" = cloud-localds ]; then
          cloud-localds "$seed" "$work/user-data" "$work/meta-data"
        else
          genisoimage -quiet -output "$seed" -volid cidata -joliet -rock "$work/user-data" "$work/meta-data"
        fi
        printf '%s' "$domain_xml" > "$work/domain.xml"
        virsh -q -c "$uri" create "$work/domain.xml" >/dev/null
        launched=1

        """)
    }

    /// One line per domain carrying our metadata: `domain NAME STATE METADATA`, each field
    /// base64 so no name, state or metadata text can fake a line.
    public static func list(uri: String) -> String {
        wrap([("uri", uri), ("ns", LibvirtRunnerMetadata.namespace)], requireVirsh + """
        names=$(virsh -q -c "$uri" list --all --name)
        b64() { printf '%s' "$1" | base64 | tr -d '\\n'; }
        printf '%s\\n' "$names" | while IFS= read -r d; do
          [ -n "$d" ] || continue
          meta=$(virsh -q -c "$uri" metadata "$d" "$ns" 2>/dev/null) || continue
          state=$(virsh -q -c "$uri" domstate "$d" 2>/dev/null) || continue
          printf 'domain %s %s %s\\n' "$(b64 "$d")" "$(b64 "$state")" "$(b64 "$meta")"
        done

        """)
    }

    /// Destroys the domain (gone already is fine) and removes its files. Refuses a domain of
    /// that name that does not carry our metadata.
    public static func terminate(uri: String, files: LibvirtHostFiles) -> String {
        wrap([("uri", uri), ("ns", LibvirtRunnerMetadata.namespace), ("name", files.runnerName),
              ("overlay", files.overlay), ("seed", files.seed)], requireVirsh + """
        if virsh -q -c "$uri" domstate "$name" >/dev/null 2>&1; then
          virsh -q -c "$uri" metadata "$name" "$ns" >/dev/null 2>&1 || { echo "runner-scaler: refusing to destroy $name: it is not a runner-scaler domain" >&2; exit \(exitNotOurs); }
          if ! out=$(virsh -q -c "$uri" destroy "$name" 2>&1); then
            case "$out" in
              *"not running"*|*"failed to get domain"*|*"Domain not found"*|*"no domain with matching name"*) ;;
              *) printf '%s\\n' "$out" >&2; exit 1 ;;
            esac
          fi
        fi
        rm -f "$overlay" "$seed"

        """)
    }

    /// Files in the image directory whose domain does not exist and that are older than
    /// `graceSeconds` (a launch in progress has files before its domain): `orphan BASE64NAME`.
    /// If libvirt cannot be asked, the script fails rather than call everything an orphan.
    public static func orphans(uri: String, directory: String, graceSeconds: Int) -> String {
        wrap([("uri", uri), ("dir", directory), ("grace", String(graceSeconds))], requireVirsh + """
        [ -d "$dir" ] || exit 0
        names=$(virsh -q -c "$uri" list --all --name)
        now=$(date +%s)
        for f in "$dir"/*.qcow2 "$dir"/*-seed.iso "$dir"/*.lock; do
          [ -e "$f" ] || continue
          base=${f##*/}
          case "$base" in
            *-seed.iso) name=${base%-seed.iso} ;;
            *.qcow2) name=${base%.qcow2} ;;
            *) name=${base%.lock} ;;
          esac
          age=$(( now - $(stat -c %Y "$f") ))
          [ "$age" -ge "$grace" ] || continue
          if printf '%s\\n' "$names" | grep -Fxq -- "$name"; then continue; fi
          printf 'orphan %s\\n' "$(printf '%s' "$base" | base64 | tr -d '\\n')"
        done

        """)
    }

    /// Removes the given files (base names in the image directory) unless their domain came
    /// back meanwhile; prints each removed path.
    public static func removeFiles(uri: String, directory: String, files: [String]) -> String {
        wrap([("uri", uri), ("dir", directory)], requireVirsh + """
        names=$(virsh -q -c "$uri" list --all --name)
        rs_remove() {
          printf '%s\\n' "$names" | grep -Fxq -- "$2" && return 0
          if [ -d "$dir/$1" ]; then rmdir "$dir/$1"; else rm -f "$dir/$1"; fi
          printf '%s\\n' "$dir/$1"
        }

        """ + files.map { base in
            "rs_remove \(ShellQuoting.quote(base)) \(ShellQuoting.quote(LibvirtHostFiles.runnerName(ofFile: base) ?? base))\n"
        }.joined())
    }
}
