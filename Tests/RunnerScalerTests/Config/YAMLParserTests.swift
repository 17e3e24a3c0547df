import Foundation
import Testing
import Yams
@testable import RunnerScaler

/// Our YAML reader, checked against Yams (libyaml), the reader it replaces: the same tree for
/// every document both accept, a refusal wherever Yams refuses, errors that name the offending
/// character's line and column, and no crash on mangled input.
@Suite("YAML parser")
struct YAMLParserTests {
    // MARK: The reference

    /// Yams' tree for `text`, in our terms. Yams reports every scalar's tag resolved, so "no
    /// tag", `!` and `!!str` all come back as str: `comparable` folds ours the same way.
    static func reference(_ text: String) throws -> YAMLNode? {
        try Yams.compose(yaml: text, .basic).map(convert)
    }

    static func convert(_ node: Yams.Node) -> YAMLNode {
        switch node {
        case let .scalar(scalar):
            let style: YAMLScalarStyle = switch scalar.style {
            case .any, .plain: .plain
            case .singleQuoted: .singleQuoted
            case .doubleQuoted: .doubleQuoted
            case .literal: .literal
            case .folded: .folded
            }
            let tag = node.tag.description
            return .scalar(scalar.string, style, tag: tag == Tag.Name.str.rawValue ? nil : tag)
        case let .sequence(sequence):
            return .sequence(sequence.map(convert))
        case let .mapping(mapping):
            return .mapping(mapping.map { YAMLPair(convert($0.key), convert($0.value)) })
        case .alias:
            // compose() hands back the anchored node itself; an alias here would be a Yams change.
            return .scalar("<alias>", .plain, tag: "alias")
        }
    }

    static func comparable(_ node: YAMLNode) -> YAMLNode {
        switch node {
        case let .scalar(text, style, tag):
            .scalar(text, style, tag: tag == "!" || tag == "tag:yaml.org,2002:str" ? nil : tag)
        case let .sequence(items):
            .sequence(items.map(comparable))
        case let .mapping(pairs):
            .mapping(pairs.map { YAMLPair(comparable($0.key), comparable($0.value)) })
        }
    }

    static func expectSameAsYams(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try YAMLParser.parse(text)
        let theirs = try reference(text)
        #expect(ours.map(comparable) == theirs, "ours \(String(describing: ours)), Yams \(String(describing: theirs))",
                sourceLocation: sourceLocation)
    }

    static func parseError(_ text: String) -> YAMLParseError? {
        do {
            _ = try YAMLParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    // MARK: The corpus

    /// Small documents, each aimed at one rule, that Yams reads too.
    static let agreeing: [String] = [
        "a: 1\nb: two\n",
        "key:\n- a\n- b\nnext: x\n",
        "key:\n  - a\n  - b\n",
        "- a\n- b: 1\n  c: 2\n- - x\n  - y\n",
        "- name: a\n  labels: [x, y]\n- name: b\n",
        "a:\nb:\n",
        "url: https://example.com/x?y=1#frag\nami: ami-123:foo\nhash: a#b\ncomment: x # real comment\n",
        "plain: this is\n  a multi-line\n\n  plain scalar\nnext: 1\n",
        "s: 'it''s'\nd: \"tab\\tnew\\nline \\\"q\\\" \\\\ \\x41 \\u00e9 \\U0001F600 \\0 \\a \\b \\v \\f \\r \\e \\  \\/ \\N \\_ \\L \\P\"\n",
        "d: \"folded\n  line\n\n  para\"\ns: 'single\n  folded\n\n\n  x'\n",
        "d: \"escaped \\\n  break\"\n",
        "lit: |\n  line1\n  line2\n\n  line4\n\nfold: >\n  a\n  b\n\n  c\n    more\n  d\n",
        "keep: |+\n  x\n\n\nstrip: |-\n  x\n\n\nclip: |\n  x\n\n\n",
        "fold: >-\n  one\n  two\n   three\n  four\n",
        "ind: |2\n    two extra\n  base\n",
        "ind: |1-\n  x\n",
        "- |\n  in seq\n- >\n  folded\n  in seq\n",
        "hdr: | # comment\n  text\n",
        "empty_lit: |\nnext: 1\n",
        "flow: {a: 1, b: [x, y], c: {d: e}}\n",
        "flow: [a, b, \"c\", 'd', ]\n",
        "flow: {a: 1, }\n",
        "multi: [a,\n  b,\n  c]\n",
        "multi: {a: 1,\n  b: 2\n}\n",
        "nested: [[1, 2], [3, [4, 5]], {x: [y]}]\n",
        "pairs: [a: 1, b: 2, c]\n",
        "[a, b]\n",
        "{a: 1}\n",
        "just a scalar\n",
        "'quoted root'\n",
        "---\na: 1\n",
        "---\na: 1\n...\n",
        "--- text\n",
        "--- [a, b]\n",
        "--- |\n  lit\n",
        "---\n",
        "# only a comment\n",
        "",
        "\n\n   \n",
        "a: 1 # c\n# c2\nb: 2\n",
        "tags:\n  s: !!str 10\n  i: !!int '42'\n  f: !!float 1\n  b: !!bool yes\n  n: !!null ''\n  l: !local x\n  v: !<tag:example.com,2026:x> y\n  e: !\n  bare: ! x\n",
        "m: !!map {a: 1}\ns: !!seq [a]\n",
        "a: !e%C3%A9x y\nb: !!str%20x z\n",
        "base: &b {x: 1}\ncopy: *b\n",
        "list: &l\n  - a\n  - b\nagain: *l\n",
        "&a x: *a\n",
        "a: &x 1\nb: &x 2\nc: *x\n",
        "anchored: &e\nafter: 1\n",
        "tagged_empty: !!str\nafter: 1\n",
        "\u{FEFF}a: 1\n",
        "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  l1\r\n  l2\r\n",
        "\"quoted key\": 1\n'single key': 2\n",
        "? complex\n: value\n",
        "? a\n? b\n",
        "[a, b]: c\n",
        "{x: y}: z\n",
        "k:    spaced value   \n",
        "k: value\t\n",
        "k:\tvalue\n",
        "a:\n  b:\n    c:\n      d: deep\n",
        "- - - x\n",
        "- \n- b\n",
        "-\n  a: 1\n",
        "a: -x\nb: --y\n",
        "x: :y\ny: ?z\n",
        "a: 'x' # c\n",
        "a: \"x\"#c\n",
        "a:b: c\n",
        "a : b\n",
        "a  :  b\n",
        "key with spaces: v\n",
        "unicode: é ü 日本\n\"日本\": x\n",
        "long: " + String(repeating: "x", count: 2000) + "\n",
        "a: >\n\n  x\n\n",
        "a: >\n  x\n\n\n  y\n",
        "a: >\n  x\n   indented\n  y\n",
        "seq:\n- a\n-\n- c\n",
        "- a\n-   # comment\n- c\n",
        "a:\n  # comment\n  b: 1\n",
        "a: 1\n...\n",
        "a: [1, 2\n  ]\n",
        "a: {b: [1, {c: d}], e: 'f'}\n",
        "a: [\"x\": 1]\n",
        "a: ['x': 1]\n",
        "a: [x: ]\n",
        "a: {x: }\n",
        "a: [ a , b ]\n",
        "a: [a\n  b]\n",
        "a: {k: a\n  b}\n",
        "-1\n",
        "- -1\n",
        "? - a\n  - b\n: c\n",
        "!!str\n",
        "&anc\n",
        "a: b\n  c\n",
        "- a\n  b\n- c\n",
        "a: 'x\n\n  y'\n",
        "a:  |\n  x\n",
        "a: >2-\n    x\n",
        "a: [b]\n# trailing\n",
        "x: \"a\\tb\"\n",
        "b: [a, [b, [c, [d]]]]\n",
        "e: ''\nf: \"\"\n",
        "a: [b:c]\n",
        "a: 1\n  - b\n",
        "- a\n - b\n",
        "? a\n",
        "a: [? x]\n",
        "a: [? x : y]\n",
        "a: {? x}\n",
        "a: {? x: y}\n",
        "x: !!seq\n- a\n",
        "a: \"a\\\n   b\\\n\n c\"\n",
        "k: v\n  - x\n",
        "- [a, b]\n- {c: d}\n-   e\n",
        "a:\n- b\n-  - c\n   - d\n",
        "- ? a\n  : b\n",
        "!!map\na: 1\n",
        "top: &t\n  a: 1\nref: [*t, *t]\n",
        "a: \"x\u{2028}y\"\n",
        "a: 'p\u{85}q'\n",
        "a: x\u{85}  y\n",
        "a: |\n  x\u{2028}  y\n",
        "a: >\n  x\u{2028}  y\n  z\n",
        "a: b\u{2028}c: d\n",
    ]

    /// Documents libyaml refuses; each must be refused here too.
    static let refused: [String] = [
        "a: [b, c]: d\n",
        "a: -1\nb: - x\n",
        "a: |\n   \n  x\n",
        "a: >\n   lead\n  x\n",
        "a: {: x}\n",
        "*x\n",
        "k: [,]\n",
        "k: {,}\n",
        "k: [a,,b]\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\nb\n",
        "...\n",
        "a: \"unterminated\n",
        "a: 'unterminated\n",
        "a: [1, 2\n",
        "a: {b: 1\n",
        "a:\n  b: 1\n c: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: 1\n- b\n",
        "a: 1\n b: 2\n",
        "a:\n\tb: 1\n",
        "a: \"\\q\"\n",
        "a: \"\\x4\"\n",
        "a: \"\\uD800\"\n",
        "a: *missing\n",
        "a: b: c\n",
        "- a\nb: c\n",
        "a: 1\nb\n",
        "key: [a, b]]\n",
        "a: |0\n  x\n",
        "a: | x\n  y\n",
        "a: &\n",
        "a: &x.y 1\n",
        "a: !e!tag x\n",
        "a: !!str{ x\n",
        "a: @x\n",
        "a: `x\n",
        "a: [b:]\n",
        "\"a\" \"b\"\n",
        "[a] b\n",
        "a: \"x\"y\n",
        "a:\n  - x\n - y\n",
        "a: |\n  x\n\ty\n",
        "a: b\n\tc\n",
        "a:\n  b\n\tc\n",
        "- a\n-\tb\n",
        "a: [a, - b]\n",
        "a: {b: - c}\n",
        "a:\n  - b\n  -c\n",
        "\"k\":v\n",
        "k: \"v\":x\n",
        "a\n: b\n",
        "a: 1\n\t\nb: 2\n",
        "a: [? : x]\n",
        "a: [? , x]\n",
        "a: [: x]\n",
        "--- a: b\n",
        "a: 1\n#\n--- \n",
        "plain:\n  text\n  # not comment?\n  more\n",
        "a: x #c\n  y\n",
        "&r\n- a\n- *r\n",
    ]

    /// The YAML held by the config tests (ConfigLoaderTests, YAMLValuesTests).
    static let configTestDocuments: [String] = [
        """
        pools:
          - name: a
            labels: [self-hosted]
            allow: {owners: [o]}
        """,
        ConfigLoaderTests.manyProblems,
        "pools: [{name: e, labels: [self-hosted], scope: enterprise, allow: {owners: [o]}}]",
        "pools: [{name: e, labels: [self-hosted], scope: enterprise, enterprise: acme, allow: {owners: [o]}}]",
        """
        pools:
          - {name: a, labels: [self-hosted], allow: {owners: [o]}}
          - {name: a, labels: [self-hosted], allow: {owners: [o]}}
        """,
        "pools: [{name: inline, labels: [self-hosted], allow: {owners: [o]}}]",
        "pools: [{name: a, labels: [self-hosted], allow: {owners: [o]}}]",
        "pools: []",
        YAMLValuesTests.quotedAndTagged,
        "base: &b [a, b]\ncopy: *b\n",
    ] + YAMLValuesTests.plain.map { "v: \($0)\n" }

    /// Documents as a pools file would be written, with the features one reaches for.
    static let realistic: [String] = [
        """
        # Shared labels, kept once.
        x-labels: &linux [self-hosted, linux, x64]

        runnerNamePrefix: rs   # first part of every name
        pools:
          - name: linux-x64
            labels: *linux
            maxRunners: 10
            scope: org
            allow:
              owners:
              - octo-org
              - "other-org"
              repositories: []
            provider: ec2
            ec2:
              region: eu-west-1
              ami: ami-0123456789abcdef0
              instanceType: t3.micro
              subnets: [subnet-1, subnet-2,
                        subnet-3]
              userData: |
                #!/bin/sh
                echo "hello: world" # not a comment
                exit 0
              description: >-
                A folded description
                over two lines.

          - name: arm
            labels: [self-hosted, linux, arm64]
            allow: {owners: [octo-org], repositories: [octo-org/app]}
            provider: dry-run
        """,
        "pools:\r\n  - name: crlf\r\n    labels: [self-hosted]\r\n    allow: {owners: [o]}\r\n",
        """
        ---
        pools:
        - name: 'quoted # not a comment'
          labels: ["self-hosted", 'linux']
          endpoint: https://api.github.com/api/v3?x=1#frag
          note: "tab\\there, unicode \\u00e9, emoji \\U0001F600"
        ...
        """,
    ]

    @Test("Documents read as Yams reads them", arguments: agreeing)
    func agreesWithYams(text: String) throws {
        try Self.expectSameAsYams(text)
    }

    @Test("The YAML of the config tests reads as Yams reads it", arguments: configTestDocuments + realistic)
    func configDocuments(text: String) throws {
        try Self.expectSameAsYams(text)
    }

    @Test("Documents Yams refuses are refused", arguments: refused)
    func refusesWhatYamsRefuses(text: String) {
        #expect(throws: YAMLParseError.self) { try YAMLParser.parse(text) }
        #expect(throws: (any Error).self) { try Yams.compose(yaml: text, .basic) }
    }

    @Test("config.example.yml reads as Yams reads it")
    func exampleConfig() throws {
        // This file is Tests/RunnerScalerTests/Config/YAMLParserTests.swift in the repository.
        var root = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        root.removeLast(4)
        let text = try String(contentsOfFile: root.joined(separator: "/") + "/config.example.yml", encoding: .utf8)
        try Self.expectSameAsYams(text)
        guard case let .mapping(top) = try YAMLParser.parse(text) else {
            Issue.record("the example config is not a mapping")
            return
        }
        #expect(top.map(\.key) == [.scalar("runnerNamePrefix", .plain, tag: nil), .scalar("pools", .plain, tag: nil)])
        guard case let .sequence(pools) = top[1].value, case let .mapping(pool) = pools.first else {
            Issue.record("pools is not a sequence of mappings")
            return
        }
        #expect(pool.first == YAMLPair(.scalar("name", .plain, tag: nil), .scalar("linux-x64", .plain, tag: nil)))
        #expect(pool[1].value == .sequence(["self-hosted", "linux", "x64"].map { .scalar($0, .plain, tag: nil) }))
    }

    // MARK: What each construct reads as

    static func plain(_ text: String) -> YAMLNode { .scalar(text, .plain, tag: nil) }

    static func map(_ pairs: KeyValuePairs<String, YAMLNode>) -> YAMLNode {
        .mapping(pairs.map { YAMLPair(plain($0.key), $0.value) })
    }

    @Test("Block collections nest by indentation; a sequence may sit at its key's column")
    func blockCollections() throws {
        let doc = try YAMLParser.parse("""
            key:
            - a
            - b: 1
              c:
            nested:
              deeper:
                - - x
            """)
        #expect(doc == Self.map([
            "key": .sequence([Self.plain("a"), Self.map(["b": Self.plain("1"), "c": Self.plain("")])]),
            "nested": Self.map(["deeper": .sequence([.sequence([Self.plain("x")])])]),
        ]))
    }

    @Test("Plain scalars: ':' and '#' inside, comments after, continuation lines folded")
    func plainScalars() throws {
        let doc = try YAMLParser.parse("""
            url: https://example.com/a?b=1#c
            ami: ami-123:foo
            hash: a#b # a comment
            text: first
              second

              after a blank line
            """)
        #expect(doc == Self.map([
            "url": Self.plain("https://example.com/a?b=1#c"),
            "ami": Self.plain("ami-123:foo"),
            "hash": Self.plain("a#b"),
            "text": Self.plain("first second\nafter a blank line"),
        ]))
    }

    @Test("Quoted scalars: escapes, '' and line folding")
    func quotedScalars() throws {
        let doc = try YAMLParser.parse(#"""
            s: 'it''s
              folded'
            d: "\0\a\b\t\n\v\f\r\e\ \"\/\\\N\_\L\P\x41\u00e9\U0001F600"
            e: "escaped \
              break"
            """#)
        #expect(doc == Self.map([
            "s": .scalar("it's folded", .singleQuoted, tag: nil),
            "d": .scalar("\0\u{07}\u{08}\t\n\u{0B}\u{0C}\r\u{1B} \"/\\\u{85}\u{A0}\u{2028}\u{2029}Aé😀", .doubleQuoted, tag: nil),
            "e": .scalar("escaped break", .doubleQuoted, tag: nil),
        ]))
    }

    @Test("Block scalars: chomping, explicit indentation, folding of more-indented lines")
    func blockScalars() throws {
        let doc = try YAMLParser.parse("""
            clip: |
              a
              b

            keep: |+
              a

            strip: |- # a comment
              a

            indented: |2
                two more
              base
            folded: >
              one
              two

              three
                kept
              four
            after: x
            """)
        #expect(doc == Self.map([
            "clip": .scalar("a\nb\n", .literal, tag: nil),
            "keep": .scalar("a\n\n", .literal, tag: nil),
            "strip": .scalar("a", .literal, tag: nil),
            "indented": .scalar("  two more\nbase\n", .literal, tag: nil),
            "folded": .scalar("one two\nthree\n  kept\nfour\n", .folded, tag: nil),
            "after": Self.plain("x"),
        ]))
    }

    @Test("Flow collections: nested, across lines, trailing comma, one-pair mappings")
    func flowCollections() throws {
        let doc = try YAMLParser.parse("""
            a: {b: [x, "y", 'z',], c: {d: e},
              f: [1,
                2]}
            g: [k: v, w]
            """)
        #expect(doc == Self.map([
            "a": Self.map([
                "b": .sequence([Self.plain("x"), .scalar("y", .doubleQuoted, tag: nil), .scalar("z", .singleQuoted, tag: nil)]),
                "c": Self.map(["d": Self.plain("e")]),
                "f": .sequence([Self.plain("1"), Self.plain("2")]),
            ]),
            "g": .sequence([Self.map(["k": Self.plain("v")]), Self.plain("w")]),
        ]))
    }

    @Test("Explicit tags are resolved to their full names")
    func tags() throws {
        let doc = try YAMLParser.parse("""
            - !!str 10
            - !!int "42"
            - !!float 1
            - !!bool yes
            - !!null
            - !local x
            - !<tag:example.com,2026:thing> y
            - ! z
            - !!map {a: 1}
            - !!seq [b]
            """)
        #expect(doc == .sequence([
            .scalar("10", .plain, tag: "tag:yaml.org,2002:str"),
            .scalar("42", .doubleQuoted, tag: "tag:yaml.org,2002:int"),
            .scalar("1", .plain, tag: "tag:yaml.org,2002:float"),
            .scalar("yes", .plain, tag: "tag:yaml.org,2002:bool"),
            .scalar("", .plain, tag: "tag:yaml.org,2002:null"),
            .scalar("x", .plain, tag: "!local"),
            .scalar("y", .plain, tag: "tag:example.com,2026:thing"),
            .scalar("z", .plain, tag: "!"),
            Self.map(["a": Self.plain("1")]),
            .sequence([Self.plain("b")]),
        ]))
    }

    @Test("An alias is a copy of the node last anchored under its name")
    func aliases() throws {
        let doc = try YAMLParser.parse("""
            base: &b {x: 1}
            copy: *b
            n: &n 1
            n2: &n 2
            last: *n
            """)
        #expect(doc == Self.map([
            "base": Self.map(["x": Self.plain("1")]),
            "copy": Self.map(["x": Self.plain("1")]),
            "n": Self.plain("1"),
            "n2": Self.plain("2"),
            "last": Self.plain("2"),
        ]))
    }

    @Test("Repeated keys are kept, in order (Yams refuses them)")
    func repeatedKeys() throws {
        let text = "a: 1\nb: 2\na: 3\n"
        #expect(try YAMLParser.parse(text) == Self.map(["a": Self.plain("1"), "b": Self.plain("2"), "a": Self.plain("3")]))
        #expect(throws: (any Error).self) { try Yams.compose(yaml: text, .basic) }
    }

    @Test("Empty input is no document; '---' alone is an empty scalar")
    func emptyDocuments() throws {
        for text in ["", "\n\n", "# only a comment\n  # and another\n", "   "] {
            #expect(try YAMLParser.parse(text) == nil, "\(text.debugDescription)")
        }
        #expect(try YAMLParser.parse("---\n") == Self.plain(""))
        #expect(try YAMLParser.parse("--- # c\n...\n") == Self.plain(""))
        #expect(try YAMLParser.parse("--- text\n") == Self.plain("text"))
    }

    @Test("A byte order mark at the start is ignored; CRLF and CR line ends read as LF")
    func bomAndLineEnds() throws {
        let expected = Self.map(["a": .sequence([Self.plain("x")]), "b": .scalar("l1\nl2\n", .literal, tag: nil)])
        #expect(try YAMLParser.parse("\u{FEFF}a:\n- x\nb: |\n  l1\n  l2\n") == expected)
        #expect(try YAMLParser.parse("a:\r\n- x\r\nb: |\r\n  l1\r\n  l2\r\n") == expected)
        #expect(try YAMLParser.parse("a:\r- x\rb: |\r  l1\r  l2\r") == expected)
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { text.debugDescription }
    }

    static let errors: [ErrorCase] = [
        // Indentation
        ErrorCase(text: "a:\n\tb: 1\n", line: 2, column: 1, message: "tab characters cannot be used for indentation"),
        ErrorCase(text: "a: |\n  x\n\ty\n", line: 3, column: 1, message: "tab characters cannot be used for indentation"),
        ErrorCase(text: "a: b\n\tc\n", line: 2, column: 1, message: "tab characters cannot be used for indentation"),
        ErrorCase(text: "- a\n-\tb\n", line: 2, column: 2, message: "tab characters cannot be used for indentation"),
        ErrorCase(text: "a:\n  b: 1\n c: 2\n", line: 3, column: 2,
                  message: "bad indentation: expected a key at column 1, like the mapping at line 1"),
        ErrorCase(text: "a:\n    b: 1\n  c: 2\n", line: 3, column: 3,
                  message: "bad indentation: expected a key at column 1, like the mapping at line 1"),
        ErrorCase(text: "a:\n  - x\n - y\n", line: 3, column: 2,
                  message: "bad indentation: expected a key at column 1, like the mapping at line 1"),
        ErrorCase(text: "- a\n- b:\n    - c\n   - d\n", line: 4, column: 4,
                  message: "bad indentation: expected a key at column 3, like the mapping at line 2"),
        ErrorCase(text: "a: 1\n b: 2\n", line: 2, column: 3,
                  message: "mapping values are not allowed here; quote a value that contains ': '"),
        ErrorCase(text: "a: b: c\n", line: 1, column: 5,
                  message: "mapping values are not allowed here; quote a value that contains ': '"),
        ErrorCase(text: "a: 1\n- b\n", line: 2, column: 1, message: "expected a mapping key, found a '-' sequence entry"),
        ErrorCase(text: "- a\nb: c\n", line: 2, column: 1, message: "expected a '-' sequence entry, found a mapping key"),
        ErrorCase(text: "a: -1\nb: - x\n", line: 2, column: 4,
                  message: "a '-' sequence entry cannot start here; put the sequence on its own lines"),
        ErrorCase(text: "a: 1\nb\n", line: 2, column: 1, message: "expected ':' after this mapping key (a key must fit on one line)"),
        ErrorCase(text: "a: 1\n" + String(repeating: "k", count: 1030) + ": 1\n", line: 2, column: 1,
                  message: "a mapping key must be shorter than 1024 characters"),
        // Unterminated
        ErrorCase(text: "a: \"unterminated\n", line: 1, column: 4, message: "unterminated double-quoted scalar"),
        ErrorCase(text: "a:\n  - 'open\n", line: 2, column: 5, message: "unterminated single-quoted scalar"),
        ErrorCase(text: "a: [1, 2\n", line: 1, column: 4, message: "unterminated flow sequence: '[' is never closed"),
        ErrorCase(text: "pools: [", line: 1, column: 8, message: "unterminated flow sequence: '[' is never closed"),
        ErrorCase(text: "a: {b: 1\n", line: 1, column: 4, message: "unterminated flow mapping: '{' is never closed"),
        ErrorCase(text: "a: {b: [1, {c: ", line: 1, column: 12, message: "unterminated flow mapping: '{' is never closed"),
        ErrorCase(text: "a: {b: 1,\n", line: 1, column: 4, message: "unterminated flow mapping: '{' is never closed"),
        ErrorCase(text: "a: \"x\n---\n\"\n", line: 2, column: 1,
                  message: "a document marker ('---' or '...') cannot appear inside a quoted scalar"),
        // Flow collections
        ErrorCase(text: "a: {b}\n", line: 1, column: 5, message: "a flow mapping entry needs 'key: value' with the ':' on the key's line"),
        ErrorCase(text: "a: {b: 1, c}\n", line: 1, column: 11,
                  message: "a flow mapping entry needs 'key: value' with the ':' on the key's line"),
        ErrorCase(text: "[a, b\nc: d\n", line: 2, column: 2,
                  message: "expected ',' or ']' in the flow sequence that starts at line 1, column 1, found ':'"),
        ErrorCase(text: "{a: 1 b: 2}\n", line: 1, column: 8,
                  message: "expected ',' or '}' in the flow mapping that starts at line 1, column 1, found ':'"),
        ErrorCase(text: "k: [a,,b]\n", line: 1, column: 7, message: "expected a value, found ','"),
        ErrorCase(text: "a: [a, - b]\n", line: 1, column: 8, message: "expected a value, found a '-' sequence entry"),
        ErrorCase(text: "a: [b:]\n", line: 1, column: 6,
                  message: "':' inside a flow collection must be followed by a space; quote the value"),
        // Scalars
        ErrorCase(text: "a: \"x\\qy\"\n", line: 1, column: 6, message: "unknown escape sequence '\\q'"),
        ErrorCase(text: "a: \"\\x4\"\n", line: 1, column: 5, message: "expected 2 hexadecimal digits after '\\x'"),
        ErrorCase(text: "a: \"\\uD800\"\n", line: 1, column: 5, message: "the escape '\\u' does not name a Unicode character"),
        ErrorCase(text: "a: |0\n  x\n", line: 1, column: 5, message: "the indentation indicator must be 1 to 9"),
        ErrorCase(text: "a: | x\n", line: 1, column: 6, message: "expected a comment or a line break after the block scalar indicator"),
        ErrorCase(text: "a: @x\n", line: 1, column: 4, message: "'@' cannot start a value; quote the value"),
        ErrorCase(text: "a: 1\nb: \u{7}\n", line: 2, column: 4, message: "character U+0007 is not allowed in YAML"),
        // Anchors, aliases, tags
        ErrorCase(text: "a: *missing\n", line: 1, column: 4, message: "unknown alias '*missing'"),
        ErrorCase(text: "&r\n- a\n- *r\n", line: 3, column: 3, message: "unknown alias '*r'"),
        ErrorCase(text: "a: &\n", line: 1, column: 5, message: "expected the name of an anchor after '&'"),
        ErrorCase(text: "a: &x.y 1\n", line: 1, column: 6, message: "the name of an anchor may hold only letters, digits, '_' and '-'"),
        ErrorCase(text: "a: !!str{ x\n", line: 1, column: 9, message: "expected a space or a line break after the tag"),
        ErrorCase(text: "a: !x%00y z\n", line: 1, column: 6, message: "a tag cannot hold the character U+0000"),
        ErrorCase(text: "a: !e!tag x\n", line: 1, column: 4, message: "undefined tag handle '!e!' (%TAG directives are not supported)"),
        ErrorCase(text: "a: !foo [x]\n", line: 1, column: 4, message: "a sequence cannot carry the tag !foo (only !!seq is accepted there)"),
        ErrorCase(text: "!!str\na: 1\n", line: 1, column: 1,
                  message: "a mapping cannot carry the tag !!str (only !!map is accepted there)"),
        // Documents
        ErrorCase(text: "%YAML 1.2\n---\na: 1\n", line: 1, column: 1, message: "directives (%YAML, %TAG) are not supported"),
        ErrorCase(text: "a: 1\n---\nb: 2\n", line: 2, column: 1, message: "multiple documents are not supported"),
        ErrorCase(text: "a: 1\n...\nb\n", line: 3, column: 1, message: "content after the end of the document ('...')"),
        ErrorCase(text: "[a] b\n", line: 1, column: 5, message: "expected the end of the document, found a scalar"),
        ErrorCase(text: "key: [a, b]]\n", line: 1, column: 12, message: "expected a mapping key at column 1, found ']'"),
    ]

    @Test("Errors name the line and column of the offending character", arguments: errors)
    func errorPositions(error: ErrorCase) {
        let thrown = Self.parseError(error.text)
        #expect(thrown == YAMLParseError(line: error.line, column: error.column, message: error.message))
    }

    @Test("An error describes itself as 'line L, column C: message'")
    func errorDescription() {
        #expect(Self.parseError("a: [1, 2\n")?.description == "line 1, column 4: unterminated flow sequence: '[' is never closed")
    }

    // MARK: Limits

    @Test("Nesting is capped at maxDepth levels, in flow and in block style")
    func depthLimit() throws {
        let depth = YAMLParser.maxDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var node = try #require(try YAMLParser.parse(deepest))
        var levels = 0
        while case let .sequence(items) = node {
            levels += 1
            guard let first = items.first else { break }
            node = first
        }
        #expect(levels == depth)
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(Self.parseError(tooDeep) == YAMLParseError(line: 1, column: depth + 1,
                                                             message: "collections nested deeper than \(depth) levels"))
        let block = (0...depth).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(Self.parseError(block) == YAMLParseError(line: depth + 1, column: depth + 1,
                                                           message: "collections nested deeper than \(depth) levels"))
        // Far past any limit: refused, not a stack overflow.
        #expect(Self.parseError(String(repeating: "- ", count: 100_000)) != nil)
        #expect(Self.parseError(String(repeating: "{a: ", count: 100_000)) != nil)
    }

    @Test("Aliases that would expand past maxAliasedNodes are refused")
    func aliasExpansionLimit() throws {
        var laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<10 {
            laughs += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = try #require(Self.parseError(laughs))
        #expect(error.message == "aliases expand to more than \(YAMLParser.maxAliasedNodes) nodes")
        #expect(error.line == 5)
        // A few aliases of small nodes are fine.
        #expect(Self.parseError("a: &a [x, y]\nb: [*a, *a, *a]\n") == nil)
    }

    // MARK: Fuzzing

    /// SplitMix64: a fixed, portable sequence, so a failure replays.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Refusals that are ours alone (see YAMLParser's documentation).
    static let deliberateRefusals = [
        "a flow mapping entry needs", "directives (%YAML", "cannot carry the tag", "undefined tag handle",
        "nested deeper than", "aliases expand", "a tag cannot hold",
    ]

    @Test("Mangled documents never crash, and are read or refused as Yams reads or refuses them")
    func mutations() {
        var random = SplitMix64(state: 20_260_611)
        let pieces = [
            " ", "  ", "\n", "\n  ", "- ", ": ", ":", "#", " #", "[", "]", "{", "}", ",", "? ", "&a ", "*a", "!!str ",
            "!x ", "|", ">", "|-", ">+", "|2", "'", "\"", "\\", "\\n", "''", "\t", "\r\n", "---", "...", "a", "0", "-",
            "%", "@", "é", "\\x41", "!", "\u{7}",
        ]
        let corpus = Self.agreeing + Self.refused + Self.configTestDocuments
        var agreed = 0
        for _ in 0..<300 {
            var text = Array(corpus.randomElement(using: &random)?.unicodeScalars ?? "".unicodeScalars)
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let at = Int.random(in: 0...text.count, using: &random)
                let piece = Array((pieces.randomElement(using: &random) ?? " ").unicodeScalars)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where at < text.count: text.remove(at: at)
                case 1 where at < text.count: text[at] = piece[0]
                default: text.insert(contentsOf: piece, at: at)
                }
            }
            var mangled = ""
            mangled.unicodeScalars.append(contentsOf: text)
            let ours = Result { () throws(YAMLParseError) in try YAMLParser.parse(mangled) }
            let theirs = Result { try Self.reference(mangled) }
            switch (ours, theirs) {
            case let (.success(a), .success(b)):
                #expect(a.map(Self.comparable) == b, "\(mangled.debugDescription)")
                agreed += 1
            case let (.failure(error), .success):
                #expect(Self.deliberateRefusals.contains { error.message.contains($0) },
                        "refused \(mangled.debugDescription) that Yams reads: \(error)")
            case let (.success, .failure(error)):
                // Yams refuses repeated keys; we keep them.
                guard case YamlError.duplicatedKeysInMapping = error else {
                    Issue.record("read \(mangled.debugDescription) that Yams refuses: \(error)")
                    continue
                }
            case (.failure, .failure):
                break
            }
        }
        #expect(agreed > 50)
    }
}
