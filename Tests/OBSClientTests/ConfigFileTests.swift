import Testing
@testable import OBSClient

/// The config file as lines: what it reads, and which lines each change touches.
struct ConfigFileTests {
    static let text =
        [
            "top = ignored before any section", "# comment", "[a]", "region = 1", "; comment in a", "", "[b]",
            "  endpoint   =  two = 2  ", "not an assignment", "[a]", "region = 3",
        ].joined(separator: "\n") + "\n"

    private func file(_ text: String = Self.text) -> ConfigFile { ConfigFile(path: "/nonexistent/config", text: text) }

    @Test func readsSectionsLaterAssignmentsWinAndRepeatedSectionsMerge() {
        #expect(file().sections == ["a": ["region": "3"], "b": ["endpoint": "two = 2"]])
        #expect(file("").sections.isEmpty && file("").text == "")
        #expect(file("[empty]\n").sections == ["empty": [:]])
    }

    @Test func unchangedFileIsWrittenBackByteForByte() {
        #expect(file().text == Self.text)
        #expect(file("[a]\nk = v").text == "[a]\nk = v\n")  // only a missing final line end is added
    }

    @Test func setRewritesTheLastAssignmentInItsSection() throws {
        var f = file()
        try f.set(profile: "a", key: "region", value: "4")
        #expect(f.text == Self.text.replacingOccurrences(of: "region = 3", with: "region = 4"))
        try f.set(profile: "b", key: "endpoint", value: "https://x")
        #expect(f.lines[7] == "endpoint = https://x")
    }

    @Test func setAppendsAfterTheSectionsLastKeyAndNewSectionsAtTheEnd() throws {
        var f = file()
        try f.set(profile: "b", key: "region", value: "r")
        #expect(f.lines[7...9] == ["  endpoint   =  two = 2  ", "region = r", "not an assignment"])
        try f.set(profile: "c", key: "endpoint", value: "http://e")
        #expect(Array(f.lines.suffix(3)) == ["", "[c]", "endpoint = http://e"])
        #expect(f.sections["c"] == ["endpoint": "http://e"] && f.sections["b"]?["region"] == "r")
    }

    @Test func unsetAndReplaceKeepComments() throws {
        var f = file()
        f.unset(profile: "a", key: "region")
        #expect(f.sections["a"] == [:])
        #expect(f.text.contains("; comment in a") && !f.text.contains("region"))
        try f.replace(profile: "b", with: ["region": "r", "endpoint": "http://e"])
        #expect(f.sections["b"] == ["region": "r", "endpoint": "http://e"])
        #expect(f.text.contains("not an assignment"))
    }

    @Test(arguments: [("colour", "blue"), ("region", ""), ("region", "a\nb"), ("region", "a\rb"), ("signature", "v5")])
    func refusedValuesChangeNothing(_ key: String, _ value: String) {
        var f = file()
        #expect(throws: (any Error).self) { try f.set(profile: "a", key: key, value: value) }
        #expect(f.text == Self.text)
    }
}
