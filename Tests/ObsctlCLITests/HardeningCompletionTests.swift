import Foundation
import Testing
@testable import ObsctlCLI

// Issue 9, items 24, 25, 26 and the man page names of 29: bash completing obs:// from every prefix as readline
// really inserts it, global options before the subcommand in bash, zsh and fish, fish's script, and the man pages
// `man obsctl-upload` finds. The shells are the real ones, with the committed scripts (see ShellCompletionTests).

extension CompletionWorld {
    /// bash as a person uses it: an interactive bash in a pty (zsh's zpty drives it) sources completions/obsctl.bash,
    /// gets `keys` (text and TABs), then a key bound to write READLINE_LINE to a file. Returns the line as readline
    /// left it. `colonBreaks: false` removes ':' from COMP_WORDBREAKS first, as some users do.
    func bashLine(_ keys: String, colonBreaks: Bool = true) throws -> String {
        let zsh = try Shells.require("zsh")
        _ = try Shells.require("bash")
        let id = UUID().uuidString.prefix(8)
        let out = box.path("bash-line-\(id)")
        let rc = try box.write(
            "bashrc-\(id)",
            Data(
                """
                PS1='$ '
                source '\(Shells.completions)/obsctl.bash'
                \(colonBreaks ? "" : "COMP_WORDBREAKS=${COMP_WORDBREAKS//:/}")
                bind 'set bell-style none'
                __test_dump() { printf '%s' "$READLINE_LINE" > '\(out)'; printf 'LINE-''DONE\\n'; }
                bind -x '"\\C-x\\C-l": __test_dump'
                printf 'SETUP-''DONE\\n'

                """.utf8))
        let script = #"""
            zmodload zsh/zpty || exit 3
            local buf rest
            zpty b bash --noprofile --rcfile "$1" -i
            zpty -r -m b buf '*SETUP-DONE*' || exit 4
            zpty -w -n b "$2"
            zpty -w -n b $'\C-x\C-l'
            zpty -r -m b buf '*LINE-DONE*' || exit 5
            zpty -w -n b $'\C-u'
            zpty -w b 'exit'
            while zpty -r b rest; do :; done 2>/dev/null
            zpty -d b
            """#
        let r = try shell(zsh, ["-f", "-c", script, "zsh", rc, keys])
        try #require(r.status == 0, "interactive bash with '\(keys)' failed (status \(r.status)): \(r.err)")
        return try #require(try? String(contentsOfFile: out, encoding: .utf8), "bash left no line for '\(keys)'")
    }
}

/// A value for each global option that takes one, fit for a local backend; the test fails when an option is added
/// to GlobalOptions and not here. --endpoint and --region select a remote backend: they are checked apart.
private let globalValues: [String: String] = [
    "--output": "json", "--progress": "none", "--profile": "sw", "--signature": "v4", "--addressing": "path",
    "--ca-bundle": "/dev/null", "--retries": "2", "--timeout": "5", "--project-id": "0123abcd",
    "--iam-endpoint": "http://127.0.0.1:9",
]
private let remoteSelecting: [String: String] = [
    "--endpoint": "http://127.0.0.1:9", "--region": "xx-test-1", "--kms-endpoint": "http://127.0.0.1:9",
]

/// Every global option, in each form (`--name value`, `--name=value`, flags), as typed before a subcommand.
private func globalForms() -> [String] {
    var forms = GlobalArguments.flags.sorted()
    for name in GlobalArguments.withValue.sorted() {
        guard let value = globalValues[name] else { continue }
        forms += ["\(name) \(value)", "\(name)=\(value)"]
    }
    return forms
}

@Suite("Hardening: shell completion (issue 9, items 24 to 26)")
struct HardeningCompletionTests {
    @Test("every global option of GlobalOptions has a test value")
    func globalsCovered() {
        let names = GlobalArguments.withValue
        #expect(names.contains("--profile") && GlobalArguments.flags.contains("-q"), "\(names)")
        let untested = names.subtracting(globalValues.keys).subtracting(remoteSelecting.keys)
        #expect(untested.isEmpty, "global options without a test value: \(untested)")
    }

    @Test(
        "bash, interactive: obs:// from every prefix, with and without ':' in COMP_WORDBREAKS; keys with spaces",
        .enabled(if: Shells.shouldRun("bash") && Shells.shouldRun("zsh")))
    func bashScheme() throws {
        let w = try CompletionWorld()
        try w.box.ok(["config", "set", "signature", "v4", "--profile", "sw"])
        for colon in [true, false] {
            for prefix in ["", "o", "ob", "obs", "obs:", "obs:/", "obs://"] {
                #expect(
                    try w.bashLine("obsctl stat \(prefix)\t", colonBreaks: colon) == "obsctl stat obs://",
                    "'\(prefix)<TAB>' (':' a word break: \(colon))")
                // A second TAB lists the buckets and changes nothing.
                #expect(
                    try w.bashLine("obsctl ls \(prefix)\t\t", colonBreaks: colon) == "obsctl ls obs://",
                    "'\(prefix)<TAB><TAB>' (':' a word break: \(colon))")
            }
            #expect(try w.bashLine("obsctl stat obs://b\t", colonBreaks: colon) == "obsctl stat obs://beta-logs/")
            #expect(try w.bashLine("obsctl stat ob\tb\t", colonBreaks: colon) == "obsctl stat obs://beta-logs/")
            #expect(
                try w.bashLine("obsctl stat obs://b\t\t", colonBreaks: colon)
                    == #"obsctl stat obs://beta-logs/day\ one.log "#)
            #expect(
                try w.bashLine(#"obsctl stat obs://beta-logs/day\ o"# + "\t", colonBreaks: colon)
                    == #"obsctl stat obs://beta-logs/day\ one.log "#)
            #expect(
                try w.bashLine("obsctl download obs://alpha-reports/2\t", colonBreaks: colon)
                    == "obsctl download obs://alpha-reports/2026/")
            #expect(
                try w.bashLine("obsctl --profile sw ls obs://a\t", colonBreaks: colon)
                    == "obsctl --profile sw ls obs://alpha-reports/")
        }
    }

    @Test(
        "bash: every global option before the subcommand leaves completion working",
        .enabled(if: Shells.shouldRun("bash")))
    func bashGlobals() throws {
        let w = try CompletionWorld()
        try w.box.ok(["config", "set", "signature", "v4", "--profile", "sw"])
        try expectGlobalsWork(w.bash, shell: "bash", world: w)
    }

    @Test(
        "zsh: every global option before the subcommand leaves completion working",
        .enabled(if: Shells.shouldRun("zsh")))
    func zshGlobals() throws {
        let w = try CompletionWorld()
        try w.box.ok(["config", "set", "signature", "v4", "--profile", "sw"])
        try expectGlobalsWork(w.zsh, shell: "zsh", world: w)
    }

    @Test(
        "fish: every global option before the subcommand leaves completion working",
        .enabled(if: Shells.shouldRun("fish")))
    func fishGlobals() throws {
        let w = try CompletionWorld()
        try w.box.ok(["config", "set", "signature", "v4", "--profile", "sw"])
        try expectGlobalsWork(w.fish, shell: "fish", world: w)
    }

    @Test("fish: one `complete` line and one parse per TAB, not one condition per option (1.1 to 1.4 s per TAB)")
    func fishScriptIsLean() throws {
        let script = try String(contentsOfFile: Shells.completions + "/obsctl.fish", encoding: .utf8)
        let lines = script.split(separator: "\n").filter { $0.hasPrefix("complete ") }
        #expect(lines.count == 1, "\(lines.count) complete lines")
        #expect(!script.contains("argparse"), "ArgumentParser's per-option parser is back")
    }

    @Test("fish: options, values and positionals after options", .enabled(if: Shells.shouldRun("fish")))
    func fishDetails() throws {
        let w = try CompletionWorld()
        #expect(Set(try w.fish("obsctl bucket ")) == ["create", "list", "delete", "encryption"])
        #expect(Set(try w.fish("obsctl ls --output ")) == ["text", "json", "ndjson"])
        #expect(Set(try w.fish("obsctl upload f.txt --sse kms obs://al")) == ["obs://alpha-reports/"])
        #expect(Set(try w.fish("obsctl stat obs://beta-logs/")) == ["obs://beta-logs/day one.log"])
        #expect(Set(try w.fish(#"obsctl stat obs://beta-logs/day\ o"#)) == ["obs://beta-logs/day one.log"])
        let used = try w.fish("obsctl ls -r -")
        #expect(!used.contains("-r") && !used.contains("--recursive") && used.contains("--output"), "\(used)")
        #expect(try w.fish("obsctl kms key describe ").contains("my-app-key"))
        #expect(try w.fish("obsctl --ca-bundle f.t") == ["f.txt"])
    }
}

/// What must work with each global option typed before the subcommand, in any shell.
private func expectGlobalsWork(
    _ complete: (String) throws -> [String], shell: String, world: CompletionWorld,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let buckets: Set<String> =
        shell == "bash"
        ? ["//alpha-reports/", "//beta-logs/"]
        : ["obs://alpha-reports/", "obs://beta-logs/"]
    func expect(_ ok: Bool, _ what: String) { #expect(ok, "\(shell): \(what)", sourceLocation: sourceLocation) }
    for form in globalForms() {
        let line = "obsctl \(form) "
        let subcommands = try complete(line)
        expect(subcommands.contains("ls") && subcommands.contains("kms"), "'\(line)<TAB>': \(subcommands)")
        expect(Set(try complete(line + "ls obs://")) == buckets, "'\(line)ls obs://<TAB>'")
        expect(Set(try complete(line + "upload --kms-key-id my")) == ["my-app-key"], "'\(line)upload --kms-key-id my'")
        expect(Set(try complete(line + "upload --sse ")) == ["kms", "obs", "c"], "'\(line)upload --sse <TAB>'")
    }
    // Several, and the remote-selecting ones (static candidates only: nothing listens there).
    let several = "obsctl -q --output json --profile sw --debug "
    expect(Set(try complete(several + "ls obs://")) == buckets, "'\(several)ls obs://'")
    expect(try complete(several + "kms key ").contains("describe"), "'\(several)kms key '")
    for (name, value) in remoteSelecting {
        let line = "obsctl \(name) \(value) "
        expect(try complete(line).contains("upload"), "'\(line)<TAB>'")
        expect(try complete(line + "upload --ss").contains("--sse"), "'\(line)upload --ss<TAB>'")
    }
    // The options reach the listing: a profile that does not exist lists nothing.
    expect(try complete("obsctl --profile nosuch ls obs://").isEmpty, "--profile nosuch")
    // The value of a global option before the subcommand.
    expect(Set(try complete("obsctl --profile ")) == ["sw"], "'obsctl --profile <TAB>'")
    expect(Set(try complete("obsctl -q --output ")) == ["text", "json", "ndjson"], "'obsctl -q --output <TAB>'")
}

@Suite("Hardening: man pages under the names man finds (issue 9, item 29)")
struct HardeningManPageTests {
    @Test("make install also installs obsctl-upload.1 (each obsctl-X-Y.1); man finds it; uninstall removes it")
    func dashNames() throws {
        let make = try #require(Shells.path("make"), "make is not installed")
        let binary = try ObsctlBinary.require()
        let box = try Sandbox("man-names")
        let prefix = box.path("prefix")
        let w = try CompletionWorld()
        let install = try w.shell(make, ["-C", Shells.repository.path, "install", "PREFIX=\(prefix)", "BIN=\(binary)"])
        try #require(install.status == 0, "make install failed: \(install.err)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: Shells.repository.path + "/man")
            .filter { $0.hasPrefix("obsctl.") && $0.hasSuffix(".1") && $0 != "obsctl.1" }
        #expect(pages.contains("obsctl.upload.1") && pages.contains("obsctl.kms.key.create.1"))
        let man1 = prefix + "/share/man/man1/"
        for page in pages {
            let dashed = "obsctl-" + page.dropFirst(7).dropLast(2).replacingOccurrences(of: ".", with: "-") + ".1"
            let text = try? String(contentsOfFile: man1 + dashed, encoding: .utf8)
            #expect(text == (try? String(contentsOfFile: man1 + page, encoding: .utf8)), "\(dashed) is not \(page)")
        }
        if Shells.path("man") != nil || Shells.isCI {
            let man = try #require(Shells.path("man"), "man is not installed; .ci/run installs it (man-db)")
            for name in ["obsctl-upload", "obsctl-kms-key-create", "obsctl.upload"] {
                let r = try w.shell(man, ["-M", prefix + "/share/man", "-P", "cat", name], env: ["MANWIDTH": "80"])
                #expect(r.status == 0 && r.out.contains("SYNOPSIS"), "man \(name): status \(r.status) \(r.err)")
            }
        }
        let uninstall = try w.shell(make, ["-C", Shells.repository.path, "uninstall", "PREFIX=\(prefix)"])
        try #require(uninstall.status == 0, "make uninstall failed: \(uninstall.err)")
        let left = box.files(under: "prefix")
        #expect(left.isEmpty, "make uninstall left files behind: \(left.sorted())")
    }
}
