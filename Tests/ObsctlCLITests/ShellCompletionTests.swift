import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Completion in the real shells, with the committed scripts in completions/ and the built obsctl on PATH, against a
// local backend prepared here: bash (the completion function called with COMP_WORDS / COMP_CWORD / COMP_LINE set,
// as readline sets them), zsh (an interactive zsh in a zpty: compinit, then a real TAB; compadd records the
// matches) and fish (`complete -C`). A missing shell skips its test, except under CI (env CI set), where it fails:
// .ci/run installs bash, zsh and fish from Debian.

enum Shells {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static func path(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + name }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Run the shell's test when the shell is installed, and under CI always (then a missing shell fails).
    static func shouldRun(_ name: String) -> Bool { path(name) != nil || isCI }

    static func require(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            path(name), "\(name) is not installed; .ci/run installs it (apt-get install -y \(name))",
            sourceLocation: sourceLocation)
    }

    /// The repository: completions/, man/ and the Makefile.
    static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static var completions: String { repository.path + "/completions" }
}

/// A sandbox with two buckets, a few keys and a KMS key, and a way to run a shell in its environment with the
/// built obsctl first on PATH.
final class CompletionWorld {
    let box: Sandbox
    let binDir: String

    init() throws {
        box = try Sandbox("complete")
        box.environment["OBSCTL_LOCAL_ROOT_KEY"] = Data((0..<32).map { UInt8($0 * 7 & 0xFF) }).base64EncodedString()
        box.environment["XDG_CACHE_HOME"] = box.path("cache")
        // Answers are checked, not their speed (bench/completion-latency.sh measures that): a loaded machine gets
        // 10 s instead of 0.4 s before a completion gives up and answers nothing. `deadline` below keeps 0.4 s.
        box.environment["OBSCTL_TEST_COMPLETION_DEADLINE_MS"] = "10000"
        binDir = (try ObsctlBinary.require() as NSString).deletingLastPathComponent
        try box.ok(["bucket", "create", "obs://alpha-reports"])
        try box.ok(["bucket", "create", "obs://beta-logs"])
        let file = try box.write("f.txt", Data("hello\n".utf8))
        try box.ok(["upload", file, "obs://alpha-reports/2026/q1.csv"])
        try box.ok(["upload", file, "obs://alpha-reports/readme.txt"])
        try box.ok(["upload", file, "obs://beta-logs/day one.log"])
        try box.ok(["kms", "key", "create", "--alias", "my-app-key"])
    }

    /// Runs `shell args...` with the sandbox's environment; stdout, stderr and the exit status.
    func shell(
        _ executable: String, _ arguments: [String], env extra: [String: String] = [:], timeout: TimeInterval = 60
    ) throws -> (out: String, err: String, status: Int32) {
        var env = box.childEnvironment([:])
        env["PATH"] = binDir + ":/usr/local/bin:/usr/bin:/bin"
        env["TERM"] = "dumb"
        for (k, v) in extra { env[k] = v }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = env
        p.currentDirectoryURL = box.dir
        let outURL = box.ioDir.appendingPathComponent(UUID().uuidString),
            errURL = box.ioDir.appendingPathComponent(UUID().uuidString)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let o = try FileHandle(forWritingTo: outURL), e = try FileHandle(forWritingTo: errURL)
        p.standardOutput = o; p.standardError = e; p.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        try? o.close(); try? e.close()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            kill(p.processIdentifier, SIGKILL); _ = done.wait(timeout: .now() + 5)
        }
        let out = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let err = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return (out, err, p.terminationStatus)
    }

    // MARK: The three shells

    /// bash: the words as readline splits them (at blanks, and at ':' as COMP_WORDBREAKS says), then the function
    /// `complete -p obsctl` names, exactly as bash calls it on TAB. Returns COMPREPLY, one per line.
    func bash(_ line: String) throws -> [String] {
        let bash = try Shells.require("bash")
        let script = #"""
            source "$1/obsctl.bash" || exit 3
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            COMP_WORDS=()
            rest="$COMP_LINE"
            while [[ -n "$rest" ]]; do
                rest="${rest#"${rest%%[![:space:]]*}"}"
                [[ -z "$rest" ]] && break
                # a word ends at an unescaped blank; '\ ' stays in it, backslash included, as readline leaves it
                word=""
                while [[ -n "$rest" && "${rest:0:1}" != [[:space:]] ]]; do
                    if [[ "${rest:0:1}" == "\\" && ${#rest} -gt 1 ]]; then word+="${rest:0:2}"; rest="${rest:2}"
                    else word+="${rest:0:1}"; rest="${rest:1}"; fi
                done
                # bash splits a word at ':' into the parts and the ':' itself
                while [[ "$word" == *:* ]]; do
                    [[ -n "${word%%:*}" ]] && COMP_WORDS+=("${word%%:*}")
                    COMP_WORDS+=(":"); word="${word#*:}"
                done
                [[ -n "$word" ]] && COMP_WORDS+=("$word")
            done
            [[ "$COMP_LINE" == *[[:space:]] || "${COMP_LINE: -1}" == ":" ]] && COMP_WORDS+=("")
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            cur="${COMP_WORDS[COMP_CWORD]}"
            [[ "$cur" == ":" ]] && cur=""
            spec=$(complete -p obsctl) || exit 4
            func="${spec#*-F }"; func="${func%% *}"
            COMPREPLY=()
            "$func" obsctl "$cur" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\n' "${COMPREPLY[@]}"
            """#
        let r = try shell(bash, ["--norc", "--noprofile", "-c", script, "bash", Shells.completions, line])
        try #require(
            r.status == 0 && r.err.isEmpty, "bash completion of '\(line)' failed (status \(r.status)): \(r.err)")
        return r.out.split(separator: "\n").map(String.init)
    }

    /// zsh: an interactive `zsh -f` in a zpty runs compinit with completions/ on fpath and gets the line and a TAB;
    /// a compadd wrapper writes every match zsh's completion system adds to a file.
    func zsh(_ line: String) throws -> [String] { try zshCompletion(line).matches }

    /// The command line as zsh leaves it after the TAB (a unique match inserted, with its suffix, if any).
    func zshLineAfterTab(_ line: String) throws -> String { try zshCompletion(line).buffer }

    private func zshCompletion(_ line: String) throws -> (matches: [String], buffer: String) {
        let zsh = try Shells.require("zsh")
        let script = #"""
            zmodload zsh/zpty || exit 3
            local compdir=$1 out=$2 line=$3 buf rest
            zpty z zsh -f -i
            zpty -w z "PS1='% '; fpath=(${(q)compdir} \$fpath); autoload -Uz compinit; compinit -u -D"
            zpty -w z "zstyle ':completion:*' menu no; unsetopt auto_menu auto_list list_ambiguous"
            zpty -w z "compadd() { local -a __h; builtin compadd -O __h \"\$@\"; \#
            print -rl -- \"\${(@)__h}\" >> ${(q)out}; builtin compadd \"\$@\"; }"
            # TAB completes, then prints a marker, so the line is cleared only after completion ended (typed-ahead
            # keys could otherwise interrupt it on a busy machine). The marker is split in the source: its echo
            # never matches.
            zpty -w z "_obsctl_test_tab() { zle complete-word; print -rn -- \"\$BUFFER\" > ${(q)out}.buffer; \#
            print -n 'COMPLETION-''DONE' }; zle -N _obsctl_test_tab; bindkey '^I' _obsctl_test_tab"
            zpty -w z "print SETUP-DONE"
            zpty -r -m z buf '*SETUP-DONE*SETUP-DONE*' || exit 4
            zpty -w -n z "$line"$'\t'
            zpty -r -m z buf '*COMPLETION-DONE*' || exit 5
            zpty -w -n z $'\C-u'
            zpty -w z 'exit'
            while zpty -r z rest; do :; done 2>/dev/null
            zpty -d z
            """#
        let out = box.path("zsh-matches-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let r = try shell(zsh, ["-f", "-c", script, "zsh", Shells.completions, out, line])
        try #require(r.status == 0, "zsh completion of '\(line)' failed (status \(r.status)): \(r.err)")
        let matches = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let buffer = try #require(
            try? String(contentsOfFile: out + ".buffer", encoding: .utf8), "zsh left no command line for '\(line)'")
        return (Array(Set(matches.split(separator: "\n").map(String.init).filter { !$0.isEmpty })).sorted(), buffer)
    }

    /// fish: `complete -C LINE` after sourcing the script; the candidates without their descriptions.
    func fish(_ line: String) throws -> [String] {
        let fish = try Shells.require("fish")
        let r = try shell(
            fish,
            ["--no-config", "-c", "source $argv[1]/obsctl.fish; and complete -C $argv[2]", Shells.completions, line])
        try #require(r.status == 0, "fish completion of '\(line)' failed (status \(r.status)): \(r.err)")
        return r.out.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1).first ?? "") }
    }
}

/// What every shell must offer, checked the same way in each.
private func expectCommonCompletions(
    _ complete: (String) throws -> [String], shell: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let subcommands = try complete("obsctl ")
    for c in ["bucket", "upload", "download", "cp", "ls", "stat", "rm", "kms", "config"] {
        #expect(
            subcommands.contains(c), "\(shell): 'obsctl <TAB>' should offer \(c): \(subcommands)",
            sourceLocation: sourceLocation)
    }
    let flags = try complete("obsctl upload --ss")
    for f in ["--sse", "--sse-c-key-file", "--sse-c-key-env"] {
        #expect(
            flags.contains(f), "\(shell): 'obsctl upload --ss<TAB>' should offer \(f): \(flags)",
            sourceLocation: sourceLocation)
    }
    #expect(!flags.contains("--recursive"), "\(shell): '--ss' must filter: \(flags)", sourceLocation: sourceLocation)
    let sse = try complete("obsctl upload --sse ")
    #expect(
        Set(sse) == ["kms", "obs", "c"], "\(shell): '--sse <TAB>' should offer exactly kms, obs, c: \(sse)",
        sourceLocation: sourceLocation)
}

/// bash replaces only the text after the last ':', so its candidates for `obs://...` come without `obs:`.
private func bucketURLs(_ shell: String, _ urls: [String]) -> Set<String> {
    Set(shell == "bash" ? urls.map { String($0.dropFirst(4)) } : urls)
}

@Suite("Shell completion: bash, zsh and fish against a local backend")
struct ShellCompletionTests {
    @Test(
        "bash: subcommands, flags, --sse values, buckets, keys under a prefix, KMS keys",
        .enabled(if: Shells.shouldRun("bash")))
    func bash() throws {
        let w = try CompletionWorld()
        try expectCommonCompletions(w.bash, shell: "bash")
        #expect(
            Set(try w.bash("obsctl ls obs://")) == bucketURLs("bash", ["obs://alpha-reports/", "obs://beta-logs/"]))
        #expect(Set(try w.bash("obsctl ls obs://al")) == bucketURLs("bash", ["obs://alpha-reports/"]))
        #expect(Set(try w.bash("obsctl ls ")) == ["obs://alpha-reports/", "obs://beta-logs/"])
        #expect(
            Set(try w.bash("obsctl download obs://alpha-reports/"))
                == bucketURLs("bash", ["obs://alpha-reports/2026/", "obs://alpha-reports/readme.txt"]))
        #expect(
            Set(try w.bash("obsctl stat obs://alpha-reports/2026/"))
                == bucketURLs("bash", ["obs://alpha-reports/2026/q1.csv"]))
        #expect(Set(try w.bash("obsctl bucket delete b")) == ["beta-logs"])
        #expect(Set(try w.bash("obsctl upload --sse kms --kms-key-id my")) == ["my-app-key"])
        // A key with a space: offered whole (quoted for readline), and still matched once the escaped space is typed.
        #expect(Set(try w.bash("obsctl stat obs://beta-logs/")) == [#"//beta-logs/day\ one.log"#])
        #expect(Set(try w.bash(#"obsctl stat obs://beta-logs/day\ o"#)) == [#"//beta-logs/day\ one.log"#])
    }

    @Test(
        "zsh: subcommands, flags, --sse values, buckets, keys under a prefix, KMS keys",
        .enabled(if: Shells.shouldRun("zsh")))
    func zsh() throws {
        let w = try CompletionWorld()
        try expectCommonCompletions(w.zsh, shell: "zsh")
        #expect(Set(try w.zsh("obsctl ls obs://")) == ["obs://alpha-reports/", "obs://beta-logs/"])
        #expect(Set(try w.zsh("obsctl ls obs://b")) == ["obs://beta-logs/"])
        #expect(
            Set(try w.zsh("obsctl rm obs://alpha-reports/")) == [
                "obs://alpha-reports/2026/", "obs://alpha-reports/readme.txt",
            ])
        #expect(Set(try w.zsh("obsctl kms key describe my")) == ["my-app-key"])
        // A bucket or prefix is completed without a space after it, so the next TAB goes on into it; a key gets one.
        #expect(try w.zshLineAfterTab("obsctl ls obs://b") == "obsctl ls obs://beta-logs/")
        #expect(try w.zshLineAfterTab("obsctl stat obs://alpha-reports/2") == "obsctl stat obs://alpha-reports/2026/")
        #expect(
            try w.zshLineAfterTab("obsctl stat obs://alpha-reports/2026/q")
                == "obsctl stat obs://alpha-reports/2026/q1.csv ")
    }

    @Test(
        "fish: subcommands, flags, --sse values, buckets, keys under a prefix, KMS keys",
        .enabled(if: Shells.shouldRun("fish")))
    func fish() throws {
        let w = try CompletionWorld()
        try expectCommonCompletions(w.fish, shell: "fish")
        #expect(Set(try w.fish("obsctl ls obs://")) == ["obs://alpha-reports/", "obs://beta-logs/"])
        #expect(Set(try w.fish("obsctl cp obs://alpha-reports/2")) == ["obs://alpha-reports/2026/"])
        #expect(Set(try w.fish("obsctl upload --kms-key-id my")) == ["my-app-key"])
    }
}

@Suite("Completion callback: deadline, silence, cache")
struct CompletionCallbackTests {
    /// What the scripts run on TAB for `obsctl ls WORD` (ArgumentParser's ---completion protocol).
    static func lsCall(_ word: String, global: [String] = []) -> [String] {
        let words = ["obsctl"] + global + ["ls", word]
        return ["---completion", "ls", "--", "positional@0", String(words.count - 1), String(word.count)] + words
    }

    @Test("a listing from a local backend; with the wrong root key nothing at all, on stdout or stderr")
    func silentOnFailure() throws {
        let w = try CompletionWorld()
        let good = try w.box.run(Self.lsCall("obs://"))
        #expect(
            good.status == 0
                && good.out.split(separator: "\n").sorted() == ["obs://alpha-reports/", "obs://beta-logs/"], "\(good)")
        let wrongKey = try w.box.run(
            Self.lsCall("obs://"), env: ["OBSCTL_LOCAL_ROOT_KEY": Data(repeating: 9, count: 32).base64EncodedString()])
        #expect(
            wrongKey.status == 0 && wrongKey.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                && wrongKey.stderr.isEmpty, "\(wrongKey)")
        let badKey = try w.box.run(Self.lsCall("obs://"), env: ["OBSCTL_LOCAL_ROOT_KEY": "not base64"])
        #expect(
            badKey.status == 0 && badKey.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                && badKey.stderr.isEmpty, "\(badKey)")
    }

    @Test("an endpoint that accepts the connection and never answers: the completion gives up and answers nothing")
    func deadline() throws {
        let w = try CompletionWorld()
        // A real listening socket that nobody accepts from: the kernel completes the TCP handshake, no reply comes.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let env = [
            "OBS_ACCESS_KEY_ID": "AKEXAMPLE", "OBS_SECRET_ACCESS_KEY": "secret-not-shown",
            "OBSCTL_TEST_COMPLETION_DEADLINE_MS": "400",
        ]
        let start = Date()
        let r = try w.box.run(Self.lsCall("obs://", global: ["--endpoint", "http://127.0.0.1:\(port)"]), env: env)
        let elapsed = Date().timeIntervalSince(start)
        #expect(
            r.status == 0 && r.out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && r.stderr.isEmpty, "\(r)")
        // Without the deadline this waits for --timeout (30 s). The bound is loose so a busy machine cannot fail it;
        // the latency itself (under 500 ms) is measured by bench/completion-latency.sh, not by a timed test.
        #expect(elapsed < 15, "completion took \(elapsed) s against a silent endpoint: the deadline did not stop it")
    }

    @Test("--profile completes the profiles of the config file")
    func profiles() throws {
        let w = try CompletionWorld()
        try w.box.ok(["config", "set", "region", "cn-north-4", "--profile", "prod"])
        try w.box.ok(["config", "set", "region", "eu-west-101", "--profile", "staging"])
        let words = ["obsctl", "ls", "--profile", "p"]
        let r = try w.box.run(["---completion", "ls", "--", "--profile", "3", "1"] + words)
        #expect(r.status == 0 && r.out.split(separator: "\n") == ["prod"], "\(r)")
    }
}

@Suite("Remote completion cache", .enabled(if: RemotePeers.shouldRun, RemotePeers.skipReason))
struct CompletionCacheTests {
    @Test("a remote bucket listing is cached 0600 under XDG_CACHE_HOME with names only, and reused within the TTL")
    func cache() throws {
        let peers = try RemotePeers.require()
        let w = try CompletionWorld()
        let env: [String: String?] = [
            "OBSCTL_ENDPOINT": peers.seaweed, "OBSCTL_REGION": peers.region,
            "OBS_ACCESS_KEY_ID": peers.accessKey, "OBS_SECRET_ACCESS_KEY": peers.secretKey,
        ]
        let bucket = "cmpl-\(UUID().uuidString.prefix(8).lowercased())"
        try w.box.ok(["bucket", "create", "obs://\(bucket)"], env: env)
        let call = CompletionCallbackTests.lsCall("obs://cmpl-")
        let first = try w.box.run(call, env: env)
        #expect(first.out.split(separator: "\n").contains("obs://\(bucket)/"), "\(first)")
        let dir = w.box.path("cache/obsctl/completion")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        try #require(files.count == 1, "expected one cache file in \(dir): \(files)")
        var st = stat()
        #expect(stat(dir + "/" + files[0], &st) == 0 && st.st_mode & 0o777 == 0o600)
        let text = try String(contentsOfFile: dir + "/" + files[0], encoding: .utf8)
        #expect(
            text.split(separator: "\n").contains(Substring(bucket)) && !text.contains(peers.secretKey)
                && !text.contains(peers.accessKey))
        // Deleted on the server, still offered from the cache: the second TAB did not list again.
        try w.box.ok(["bucket", "delete", "obs://\(bucket)"], env: env)
        let second = try w.box.run(call, env: env)
        #expect(second.out.split(separator: "\n").contains("obs://\(bucket)/"), "\(second)")
    }
}

@Suite("Generated files and make install")
struct GeneratedFilesTests {
    @Test("completions/ holds exactly what the built obsctl generates (else: make completions)")
    func completionsUpToDate() throws {
        let box = try Sandbox("generated")
        for (shell, file) in [("bash", "obsctl.bash"), ("zsh", "_obsctl"), ("fish", "obsctl.fish")] {
            let r = try box.ok(["--generate-completion-script", shell])
            let committed = FileManager.default.contents(atPath: Shells.completions + "/" + file)
            #expect(
                committed == r.stdout,
                """
                completions/\(file) differs from 'obsctl --generate-completion-script \(shell)'; run 'make completions'
                """
            )
            // With no shell named, $SHELL picks it, and the script is the same, obsctl's fixes included.
            let picked = try box.ok(["--generate-completion-script"], env: ["SHELL": "/usr/bin/\(shell)"])
            #expect(
                committed == picked.stdout,
                "'obsctl --generate-completion-script' with SHELL=/usr/bin/\(shell) differs from completions/\(file)")
        }
    }

    @Test(
        """
        make install PREFIX=... puts the binary, the three completions and the man pages where they belong; make \
        uninstall removes them
        """
    )
    func installUninstall() throws {
        let make = try #require(Shells.path("make"), "make is not installed")
        let binary = try ObsctlBinary.require()
        let box = try Sandbox("install")
        let prefix = box.path("prefix")
        let w = try CompletionWorld()
        let install = try w.shell(make, ["-C", Shells.repository.path, "install", "PREFIX=\(prefix)", "BIN=\(binary)"])
        try #require(install.status == 0, "make install failed: \(install.err)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: Shells.repository.path + "/man").filter {
            $0.hasSuffix(".1")
        }
        #expect(pages.count >= 20)
        let expected =
            [
                "bin/obsctl", "share/bash-completion/completions/obsctl", "share/zsh/site-functions/_obsctl",
                "share/fish/vendor_completions.d/obsctl.fish",
            ] + pages.map { "share/man/man1/" + $0 }
        for f in expected {
            #expect(FileManager.default.fileExists(atPath: prefix + "/" + f), "make install did not install \(f)")
        }
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/obsctl"))
        let installed = try w.shell(prefix + "/bin/obsctl", ["--version"])
        #expect(installed.status == 0 && !installed.out.isEmpty)
        let uninstall = try w.shell(make, ["-C", Shells.repository.path, "uninstall", "PREFIX=\(prefix)"])
        try #require(uninstall.status == 0, "make uninstall failed: \(uninstall.err)")
        let left = box.files(under: "prefix")
        #expect(left.isEmpty, "make uninstall left files behind: \(left.sorted())")
    }
}
