import Testing
@testable import RunnerScaler

@Suite("User data substitution")
struct UserDataSubstitutionTests {
    @Test("Each placeholder is replaced once; values are never scanned again")
    func valuesAreNotRescanned() {
        let text = UserDataTemplate.substitute("A={{A}} B={{B}}", ["A": "{{B}}", "B": "secret"])
        #expect(text == "A={{B}} B=secret")
    }

    @Test("Unknown placeholders, stray braces and a trailing {{ are copied as they are")
    func literalsSurvive() {
        #expect(UserDataTemplate.substitute("{{NOPE}} {{A}", ["A": "x"]) == "{{NOPE}} {{A}")
        #expect(UserDataTemplate.substitute("${{A}}}{{{A}}}", ["A": "x"]) == "$x}{x}")
        #expect(UserDataTemplate.substitute("end {{", ["A": "x"]) == "end {{")
        #expect(UserDataTemplate.substitute("{{}}", ["": "x"]) == "x")
        #expect(UserDataTemplate.substitute("ünï {{A}} 🚀", ["A": "é"]) == "ünï é 🚀")
    }

    @Test("A placeholder name longer than any real one is not looked up")
    func longNames() {
        let long = String(repeating: "N", count: 100)
        #expect(UserDataTemplate.substitute("{{\(long)}}", [long: "x"]) == "{{\(long)}}")
    }

    @Test("Shell quoting closes and escapes embedded quotes")
    func quoting() {
        #expect(ShellQuoting.singleQuoted("") == "''")
        #expect(ShellQuoting.singleQuoted("plain") == "'plain'")
        #expect(ShellQuoting.singleQuoted("'") == #"''\'''"#)
        #expect(ShellQuoting.singleQuoted("a''b") == #"'a'\'''\''b'"#)
    }
}
