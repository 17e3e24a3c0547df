/// The one way a value reaches a shell (libvirt's remote commands, the runner's user data): as
/// a single-quoted word. Inside single quotes
/// a POSIX shell expands nothing (`$`, backticks, `\`, newlines and `;` are plain bytes), so
/// the only character needing care is `'` itself, written as `'\''` (close, escaped quote,
/// reopen). A NUL byte cannot be passed to a shell at all: `quote`'s callers reject it first
/// (`LibvirtValidation`), and `quote` drops nothing silently: it traps instead.
public enum ShellQuoting {
    /// Characters that mean nothing to any POSIX shell, so words made only of them are left
    /// bare (keeps dry-run output readable).
    private static let plain = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-".utf8)

    /// `value` as one shell word that expands to exactly `value`.
    public static func quote(_ value: String) -> String {
        precondition(!value.utf8.contains(0), "a NUL byte cannot be passed to a shell; validate before quoting")
        if !value.isEmpty, value.utf8.allSatisfy(plain.contains) { return value }
        return singleQuoted(value)
    }

    /// Always single-quoted, even when nothing in `value` needs it (user data assigns every
    /// value this way, so the script reads the same whatever the value).
    public static func singleQuoted(_ value: String) -> String {
        // Byte by byte: `'` is ASCII, so it never occurs inside a multi-byte UTF-8 sequence.
        // (The standard library's generic `replacing(_:with:)` compares Characters and cost
        // ~35 µs on a JIT config.)
        let quote = UInt8(ascii: "'")
        var out: [UInt8] = [quote]
        out.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            if byte == quote { out.append(contentsOf: #"'\''"#.utf8) } else { out.append(byte) }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// Words joined into one command line, each quoted.
    public static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
