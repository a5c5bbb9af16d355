import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 9, the command-line layer: output that cannot be written (4), numbers and their ranges (14), bucket
/// --sse values (18), one JSON shape for failed transfers (20), --quiet (22), first-hour rough edges (29) and the
/// progress bar at 80 columns (30).
@Suite("hardening: command line")
struct HardeningCLITests {
    /// Runs obsctl with stdout and stderr sent to the given paths (for example /dev/full), or to files read back.
    static func run(
        _ sb: Sandbox, _ arguments: [String], stdout: String? = nil, stderr: String? = nil,
        env: [String: String?] = [:]
    ) throws -> RunResult {
        let binary = try ObsctlBinary.require()
        let outURL = sb.ioDir.appendingPathComponent("r-\(UUID().uuidString.prefix(8)).out")
        let errURL = sb.ioDir.appendingPathComponent("r-\(UUID().uuidString.prefix(8)).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        p.environment = sb.childEnvironment(env)
        p.currentDirectoryURL = sb.dir
        let out = try #require(FileHandle(forWritingAtPath: stdout ?? outURL.path))
        let err = try #require(FileHandle(forWritingAtPath: stderr ?? errURL.path))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        try? out.close(); try? err.close()
        var timedOut = false
        if done.wait(timeout: .now() + 60) == .timedOut {
            timedOut = true
            kill(p.processIdentifier, SIGKILL)  // only this child, by its pid
            _ = done.wait(timeout: .now() + 10)
        }
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        return RunResult(
            arguments: arguments, status: p.terminationStatus,
            signaled: p.terminationReason == .uncaughtSignal,
            timedOut: timedOut, stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// Runs a bash command line (`OBSCTL` is the binary) and returns its stdout, stderr and status.
    static func bash(_ sb: Sandbox, _ command: String) throws -> RunResult {
        var env = sb.childEnvironment([:])
        env["OBSCTL"] = try ObsctlBinary.require()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command]
        p.environment = env
        p.currentDirectoryURL = sb.dir
        let outURL = sb.ioDir.appendingPathComponent("b-\(UUID().uuidString.prefix(8)).out")
        let errURL = sb.ioDir.appendingPathComponent("b-\(UUID().uuidString.prefix(8)).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out; p.standardError = err; p.standardInput = FileHandle.nullDevice
        try p.run()
        try? out.close(); try? err.close()
        p.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: errURL) }
        return RunResult(
            arguments: [command], status: p.terminationStatus,
            signaled: p.terminationReason == .uncaughtSignal, timedOut: false,
            stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    static func expectNoCrash(_ r: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!r.signaled, "no crash: \(r)", sourceLocation: sourceLocation)
        for trace in ["Fatal error", "Backtrac", "crashed", "Thread 0"] {
            #expect(!r.stderr.contains(trace), "no Swift trace: \(r)", sourceLocation: sourceLocation)
        }
    }

    // MARK: 4. Output that cannot be written

    @Test("stdout on /dev/full: exit 1, one error line, no trace; what the command did stands (kms key create)")
    func stdoutFull() throws {
        let sb = try Sandbox("full")
        try sb.ok(["bucket", "create", "obs://full"])
        try sb.ok(["upload", "-", "obs://full/a"], stdin: Data("x".utf8))
        for args in [
            ["ls", "obs://full/"], ["stat", "obs://full/a"], ["bucket", "list"],
            ["kms", "key", "create", "--alias", "made-anyway"],
            ["kms", "key", "list"], ["ls", "obs://full/", "--output", "json"], ["--help"], ["--version"],
            ["cat", "obs://full/a"],
        ] {
            let r = try Self.run(sb, args, stdout: "/dev/full")
            Self.expectNoCrash(r)
            #expect(r.status == 1, "exit 1: \(r)")
            #expect(
                r.stderrLines.count == 1 && r.stderr.hasPrefix("obsctl: error:") && r.stderr.contains("stdout"),
                "\(r)")
        }
        let keys = try sb.json(["kms", "key", "list"])["keys"] as? [[String: Any]] ?? []
        #expect(
            keys.contains { $0["alias"] as? String == "made-anyway" },
            "the key was created although its output was lost")
    }

    @Test("stderr on /dev/full: no trace, the command's own exit code (3 for a missing object), or 1 after success")
    func stderrFull() throws {
        let sb = try Sandbox("errfull")
        try sb.ok(["bucket", "create", "obs://errfull"])
        let missing = try Self.run(sb, ["stat", "obs://errfull/nope"], stderr: "/dev/full")
        Self.expectNoCrash(missing)
        #expect(missing.status == 3, "\(missing)")
        let bad = try Self.run(sb, ["upload", "x", "obs://errfull/k", "--parallel", "-1"], stderr: "/dev/full")
        Self.expectNoCrash(bad)
        #expect(bad.status == 2, "\(bad)")
    }

    @Test("a file-size limit on stderr (prlimit --fsize=1): kms key create fails with its code and no trace")
    func fileSizeLimit() throws {
        let sb = try Sandbox("fsize")
        try sb.ok(["kms", "key", "list"])  // the store and its root key exist before the limit
        let r = try sb.run(["kms", "key", "create", "--alias", "limited"], fileSizeLimit: 1)
        Self.expectNoCrash(r)
        #expect(r.status != 0, "\(r)")
    }

    @Test("EPIPE (SIGPIPE ignored by the parent): ls | head -1 and download - | head end quietly, as cat does")
    func brokenPipe() throws {
        let sb = try Sandbox("pipe")
        try sb.ok(["bucket", "create", "obs://pipe"])
        // About 80 KB of listing, more than a pipe holds, from 120 objects with long keys.
        let deep = ["a", "b", "c"].map { String(repeating: $0, count: 200) }.joined(separator: "/")
        for i in 0..<120 { try sb.write("tree/\(deep)/f\(i)", Data("x".utf8)) }
        try sb.ok(["upload", "tree", "obs://pipe/", "--recursive", "-q"])
        try sb.write("big.bin", Data(count: 3 << 20))
        try sb.ok(["upload", "big.bin", "obs://pipe/big", "-q"])
        for command in [
            "\"$OBSCTL\" ls obs://pipe/ --recursive | head -1",
            "\"$OBSCTL\" download obs://pipe/big - | head -c 10",
            "\"$OBSCTL\" cat obs://pipe/big | head -c 10",
        ] {
            let r = try Self.bash(sb, "trap '' PIPE; \(command) >/dev/null; echo ${PIPESTATUS[0]}")
            Self.expectNoCrash(r)
            #expect(r.stderr.isEmpty, "quiet: \(r)")
            #expect(
                r.out.trimmingCharacters(in: .whitespacesAndNewlines) == "141",
                "ends by SIGPIPE (141), as cat does: \(r)")
        }
    }

    // MARK: 14. Numbers

    @Test("every numeric option and variable: a bad value is exit 2 naming the option and its range; nothing written")
    func numbers() throws {
        let sb = try Sandbox("numbers")
        try sb.ok(["bucket", "create", "obs://numbers"])
        try sb.write("f.txt", Data("hello".utf8))
        let cases: [([String], String, String)] = [
            (["--part-size", "-1"], "--part-size", "100 KiB to 5.0 GiB"),
            (["--part-size=1K"], "--part-size", "100 KiB to 5.0 GiB"),
            (["--part-size", "9999999999999999G"], "--part-size", "100 KiB to 5.0 GiB"),
            (["--multipart-threshold", "-5M"], "--multipart-threshold", "1 B to 5.0 GiB"),
            (["--multipart-threshold", "6G"], "--multipart-threshold", "1 B to 5.0 GiB"),
            (["--parallel", "-1"], "--parallel", "1 to 64"),
            (["--parallel=-1"], "--parallel", "1 to 64"),
            (["--parallel", "0"], "--parallel", "1 to 64"),
            (["--parallel", "1.5"], "--parallel", "1 to 64"),
            (["--retries", "-1"], "--retries", "0 to 20"),
            (["--timeout", "0"], "--timeout", "1 to 3600"),
            (["--timeout", "-5"], "--timeout", "1 to 3600"),
        ]
        for (extra, option, range) in cases {
            let r = try sb.run(["upload", "f.txt", "obs://numbers/k"] + extra)
            expectError(r, 2, contains: [option, range, extra.last!.split(separator: "=").last.map(String.init) ?? ""])
        }
        // Before the command too (global options), and for downloads and KMS deletion windows.
        expectError(try sb.run(["--timeout", "0", "ls"]), 2, contains: ["--timeout", "1 to 3600"])
        expectError(
            try sb.run(["download", "obs://numbers/k", "out", "--parallel", "-2"]), 2,
            contains: ["--parallel", "1 to 64"])
        expectError(
            try sb.run(["kms", "key", "schedule-deletion", "x", "--days", "-3"]), 2,
            contains: ["--days", "7 to 1096"])
        expectError(try sb.run(["presign", "obs://numbers/k", "--expires", "-1"]), 2, contains: ["--expires"])
        // Numeric environment variables.
        for value in ["garbage", "nan", "1e400", "2026-13-45T00:00:00Z"] {
            expectError(
                try sb.run(["ls"], env: ["OBSCTL_LOCAL_NOW": value]), 2,
                contains: ["OBSCTL_LOCAL_NOW", "RFC 3339"])
        }
        for value in ["0", "-1", "abc", "inf"] {
            expectError(
                try sb.run(["upload", "f.txt", "obs://numbers/k"], env: ["OBSCTL_PROGRESS_INTERVAL": value]), 2,
                contains: ["OBSCTL_PROGRESS_INTERVAL", "0.2 to 86400"])
        }
        #expect(try sb.run(["stat", "obs://numbers/k"]).status == 3, "no refused upload wrote anything")
        try sb.ok(
            [
                "upload", "f.txt", "obs://numbers/k", "--parallel", "64", "--part-size", "100K", "--timeout", "3600",
                "--retries", "0",
            ],
            env: ["OBSCTL_LOCAL_NOW": "2030-01-31T12:00:00Z", "OBSCTL_PROGRESS_INTERVAL": "0.5"])
    }

    // MARK: 18. Bucket --sse values

    @Test("bucket create and bucket encryption enable offer only kms and obs (help, completion); c refused")
    func bucketSSEValues() throws {
        let sb = try Sandbox("bucketsse")
        for command in [["bucket", "create"], ["bucket", "encryption", "enable"]] {
            let help = try sb.ok(command + ["--help"]).out
            #expect(!help.contains("kms, obs, c") && !help.contains("or c (SSE-C)"), "help offers no c: \(help)")
            #expect(help.contains("kms|obs"), "\(help)")
        }
        // What a shell offers after --sse, asked of real fish (the script's format is not the contract).
        let world = try CompletionWorld()
        for line in ["obsctl bucket create obs://x --sse ", "obsctl bucket encryption enable obs://x --sse "] {
            #expect(try world.fish(line).sorted() == ["kms", "obs"], "\(line)")
        }
        #expect(
            try world.fish("obsctl upload f obs://x/k --sse ").sorted() == ["c", "kms", "obs"], "uploads still take c")
        expectError(
            try sb.run(["bucket", "create", "obs://bsse", "--sse", "c"]), 2,
            contains: ["bucket default", "kms or obs"])
        #expect(try sb.run(["bucket", "list", "--output", "json"]).out.contains("bsse") == false)
    }

    // MARK: 20. One JSON shape for failed transfers

    @Test("one failed transfer with --output json prints the same summary as several; ndjson a failure record")
    func singleFailureJSON() throws {
        let sb = try Sandbox("json1")
        try sb.ok(["bucket", "create", "obs://jsonone"])
        for args in [
            ["download", "obs://jsonone/missing", "out.bin"], ["upload", "nofile.txt", "obs://jsonone/k"],
            ["cp", "obs://jsonone/missing", "obs://jsonone/copy"],
        ] {
            let r = try sb.run(args + ["--output", "json"])
            expectError(r, 3, allowStdout: true)
            let doc = try parseJSONObject(r.stdout)
            #expect((doc["transfers"] as? [Any])?.isEmpty == true, "\(r)")
            let failures = doc["failures"] as? [[String: Any]] ?? []
            #expect(failures.count == 1 && failures.first?["exit_code"] as? Int == 3, "\(r)")
            let nd = try sb.run(args + ["--output", "ndjson"])
            let record = try parseJSONObject(Data(nd.out.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8))
            #expect(nd.status == 3 && record["type"] as? String == "failure", "\(nd)")
        }
        // Single-item commands whose several-item forms print a summary: rm KEY, multipart abort --upload-id.
        for (args, done) in [
            (["rm", "obs://jsonone/missing"], "deleted"),
            (["multipart", "abort", "obs://jsonone/x", "--upload-id", "abc"], "aborted"),
        ] {
            let r = try sb.run(args + ["--output", "json"])
            expectError(r, 3, allowStdout: true)
            let doc = try parseJSONObject(r.stdout)
            #expect((doc[done] as? [Any])?.isEmpty == true && (doc["failures"] as? [Any])?.count == 1, "\(r)")
        }
    }

    // MARK: 22. --quiet

    @Test("config get, set and list take -q/--quiet; set -q prints nothing")
    func configQuiet() throws {
        let sb = try Sandbox("cfgq")
        let set = try sb.run(["config", "set", "region", "cn-north-4", "-q"])
        #expect(set.succeeded && set.stderr.isEmpty && set.stdout.isEmpty, "\(set)")
        #expect(try sb.ok(["config", "get", "region", "--quiet"]).out == "cn-north-4\n")
        #expect(try sb.ok(["-q", "config", "list"]).out.contains("region = cn-north-4"))
    }

    @Test("-q hides the SSE-over-loopback advisory; without -q it is shown")
    func loopbackAdvisoryQuiet() throws {
        let sb = try Sandbox("loopq")
        try sb.write("f.txt", Data("x".utf8))
        let env: [String: String?] = ["OBS_ACCESS_KEY_ID": "AKIDEXAMPLE", "OBS_SECRET_ACCESS_KEY": "secretexample"]
        // Port 9 on loopback: nothing listens, the request fails at once (after the advisory, which comes first).
        let args = [
            "upload", "f.txt", "obs://loopq/k", "--sse", "kms", "--endpoint", "http://127.0.0.1:9",
            "--retries", "0",
        ]
        let loud = try sb.run(args, env: env)
        #expect(loud.stderrLines.contains { $0.hasPrefix("obsctl: warning:") && $0.contains("loopback") }, "\(loud)")
        let quiet = try sb.run(args + ["-q"], env: env)
        #expect(quiet.status == loud.status && quiet.status != 0, "\(quiet)")
        #expect(!quiet.stderr.contains("loopback") && quiet.stderrLines.count == 1, "only the error: \(quiet)")
    }

    // MARK: 29. A new user's first hour

    @Test("bucket list: aligned columns")
    func bucketListAligned() throws {
        let sb = try Sandbox("align")
        try sb.ok(["bucket", "create", "obs://short-one"])
        try sb.ok([
            "bucket", "create", "obs://archive-two", "--location", "eu-west-1", "--storage-class", "cold",
            "--sse", "kms",
        ])
        let lines = try sb.ok(["bucket", "list"]).out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        func column(_ line: String, _ words: [String]) -> Int? {
            words.lazy.compactMap { line.range(of: $0) }.first
                .map { line.distance(from: line.startIndex, to: $0.lowerBound) }
        }
        for words in [["eu-west-1", "local"], ["cold", "standard"], ["SSE-KMS", "none"], ["obs://"]] {
            let at = lines.map { column($0, words) }
            #expect(at.count == 2 && at[0] != nil && at[0] == at[1], "\(words) start at the same column: \(lines)")
        }
    }

    @Test("a folder given without --recursive: download, cp, rm and stat say so and name --recursive / ls")
    func folderHint() throws {
        let sb = try Sandbox("folder")
        try sb.ok(["bucket", "create", "obs://folder"])
        try sb.ok(["upload", "-", "obs://folder/dir/a.txt"], stdin: Data("a".utf8))
        for source in ["obs://folder/dir/", "obs://folder/dir"] {
            expectError(
                try sb.run(["download", source, "out.txt"]), 3, contains: ["obs://folder/dir/", "--recursive"])
            expectError(try sb.run(["cp", source, "obs://folder/copy"]), 3, contains: ["--recursive (-r) to copy"])
            expectError(try sb.run(["rm", source]), 3, contains: ["--recursive"])
            // mv names its own verb, to a file and to an object alike.
            expectError(try sb.run(["mv", source, "out.txt"]), 3, contains: ["--recursive (-r) to move"])
            expectError(try sb.run(["mv", source, "obs://folder/moved"]), 3, contains: ["--recursive (-r) to move"])
            expectError(try sb.run(["stat", source]), 3, contains: ["obsctl ls obs://folder/dir/"])
        }
        expectError(try sb.run(["download", "obs://folder/dir/", "."]), 2, contains: ["--recursive"])
        // A plain missing key keeps its message; rm of a missing key stays exit 3 (not found), as documented.
        expectError(try sb.run(["download", "obs://folder/nothing", "out.txt"]), 3, contains: ["does not exist"])
        #expect(!sb.exists("out.txt"))
    }

    @Test("obsctl cat writes an object to stdout; an unknown command is named with the list of commands")
    func catAndUnknownCommand() throws {
        let sb = try Sandbox("cat")
        try sb.ok(["bucket", "create", "obs://catbucket"])
        try sb.ok(["upload", "-", "obs://catbucket/k", "--sse", "kms"], stdin: Data("meow\n".utf8))
        #expect(try sb.ok(["cat", "obs://catbucket/k"]).out == "meow\n")
        expectError(try sb.run(["cat", "obs://catbucket/none"]), 3)
        expectError(
            try sb.run(["cta", "obs://catbucket/k"]), 2,
            contains: ["'cta' is not an obsctl command", "cat", "download"])
        expectError(try sb.run(["--output", "json", "lst"]), 2, contains: ["'lst' is not an obsctl command"])
    }

    // MARK: 30. Progress at 80 columns

    @Test("progress at 80 columns keeps [n/N] and the file name, fits the width, and never shows equal bytes at 99%")
    func progressAt80Columns() throws {
        let sb = try Sandbox("bar80")
        try sb.ok(["bucket", "create", "obs://bar80"])
        let name = "quarterly-financial-report-for-the-board-of-directors"
        try sb.write("q/\(name)-1.bin", Data(count: 3_000_000))
        #expect(mkfifo(sb.path("q/\(name)-2.bin"), 0o644) == 0)
        let feed = "(sleep 1.5; head -c 1000000 /dev/zero; sleep 1.5; head -c 1000000 /dev/zero) > q/\(name)-2.bin &"
        let up = try ProgressTests.underTerminal(
            sb,
            "stty cols 80; \(feed) "
                + "\"$OBSCTL\" upload q/\(name)-1.bin q/\(name)-2.bin obs://bar80/p/")
        #expect(up.status == 0, "\(up.text)")
        let frames = up.text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\r")
            .map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("upload [") }
        #expect(!frames.isEmpty, "\(up.text.debugDescription)")
        for f in frames {
            #expect(f.count <= 79, "fits 80 columns: \(f)")
            #expect(f.contains("[2/2]") || f.contains("[1/2]"), "[n/N] stays: \(f)")
            #expect(f.contains("q/quarterly") && f.contains("-2.bin"), "the name's start and end stay: \(f)")
        }
        // 10 MiB and 1000 bytes, read but for the last 64 KiB and 1000 bytes, then a pause: the bar stands at 99%.
        try sb.write("o.bin", Data(count: 10 * 1_048_576 + 1000))
        try sb.ok(["upload", "o.bin", "obs://bar80/o", "-q"])
        let down = try ProgressTests.underTerminal(
            sb,
            "stty cols 80; \"$OBSCTL\" download obs://bar80/o - | "
                + "(head -c \(10 * 1_048_576 - 65536) >/dev/null; sleep 2; "
                + "cat >/dev/null)")
        #expect(down.status == 0, "\(down.text)")
        let bars = down.text.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
            .filter { $0.hasPrefix("download ") }
        #expect(bars.contains { $0.contains("99%") }, "\(down.text.debugDescription)")
        for bar in bars {
            let parts = bar.components(separatedBy: "  ")  // "download obs://bar80/o", "A / B", "P%", ...
            guard let fraction = parts.first(where: { $0.contains(" / ") }),
                let percent = parts.first(where: { $0.hasSuffix("%") })
            else { continue }
            let sides = fraction.components(separatedBy: " / ")
            #expect(sides.count == 2 && (sides[0] != sides[1] || percent == "100%"), "equal bytes only at 100%: \(bar)")
        }
    }
}
