import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a bar redrawn with `\r` on a terminal (run under util-linux `script`, which gives the child a
/// pseudo-terminal), log-friendly lines without `\r` or escape codes elsewhere, nothing with --quiet or
/// --progress none, nothing for transfers shorter than about a second. The slow transfers come from a shell
/// pipeline that pauses (`sleep`) between two halves of stdin, so they last over a second on any machine.
@Suite("progress")
struct ProgressTests {
    /// Two halves of 1,000,000 bytes with a pause between them, as a shell fragment.
    static let slowStdin = "(head -c 1000000 /dev/zero; sleep 2; head -c 1000000 /dev/zero)"

    /// Runs `command` (a shell line; `OBSCTL` is the binary) under `script -qec`, so the shell and obsctl get a
    /// pseudo-terminal as stdin, stdout and stderr. Returns what the terminal showed and the exit status.
    static func underTerminal(_ sb: Sandbox, _ command: String, env: [String: String?] = [:]) throws -> (
        text: String, status: Int32
    ) {
        let binary = try ObsctlBinary.require()
        var environment = sb.childEnvironment(env)
        environment["OBSCTL"] = binary
        if environment["TERM"] == nil { environment["TERM"] = "xterm" }
        let outURL = sb.ioDir.appendingPathComponent("script-\(UUID().uuidString.prefix(8)).out")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // -e: script exits with the command's status.
        p.arguments = ["-qec", command + "; exit $?", "/dev/null"]
        p.environment = environment
        p.currentDirectoryURL = sb.dir
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        try? out.close()
        if done.wait(timeout: .now() + 60) == .timedOut {
            kill(p.processIdentifier, SIGKILL)  // only this child, by its pid
            _ = done.wait(timeout: .now() + 10)
            Issue.record("script timed out: \(command)")
        }
        return (String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self), p.terminationStatus)
    }

    /// A terminal turns each "\n" into "\r\n" (onlcr); a bar's "\r" is one not followed by "\n".
    static func hasBareCR(_ s: String) -> Bool { s.replacingOccurrences(of: "\r\n", with: "\n").contains("\r") }

    static func hasControl(_ s: String) -> Bool { hasBareCR(s) || s.contains("\u{1b}") }

    @Test("on a terminal a slow upload draws a bar with \\r: bytes, size, rate; the object is complete")
    func barOnTerminal() throws {
        let sb = try Sandbox("bar")
        try sb.ok(["bucket", "create", "obs://prog"])
        let r = try Self.underTerminal(sb, "\(Self.slowStdin) | \"$OBSCTL\" upload - obs://prog/k")
        #expect(r.status == 0, "\(r.text)")
        #expect(Self.hasBareCR(r.text), "a bar is redrawn with \\r: \(r.text.debugDescription)")
        #expect(r.text.contains("upload stdin"), "\(r.text.debugDescription)")
        #expect(r.text.contains("KiB") && r.text.contains("/s"), "bytes and rate: \(r.text.debugDescription)")
        #expect(!r.text.contains("\u{1b}"), "no escape codes: obsctl uses none")
        #expect(try sb.json(["stat", "obs://prog/k"])["size"] as? Int == 2_000_000)
    }

    @Test("on a terminal a slow download shows size, percentage and ETA; several sources show file n/N and the total")
    func barDetails() throws {
        let sb = try Sandbox("bar2")
        try sb.ok(["bucket", "create", "obs://prog"])
        try sb.write("big.bin", Data(count: 8 << 20))
        try sb.ok(["upload", "big.bin", "obs://prog/big", "--sse", "obs"])
        // The reader takes 64 KiB every 30 ms for a while, so the download lasts over a second at a steady rate.
        let down = try Self.underTerminal(
            sb,
            "\"$OBSCTL\" download obs://prog/big - | (for i in $(seq 60); do dd bs=65536 count=1 status=none "
                + "of=/dev/null; sleep 0.03; done; cat > /dev/null)"
        )
        #expect(down.status == 0, "\(down.text)")
        #expect(Self.hasBareCR(down.text), "\(down.text.debugDescription)")
        #expect(down.text.contains("/ 8.0 MiB"), "the size comes from a HEAD: \(down.text.debugDescription)")
        #expect(down.text.contains("%") && down.text.contains("ETA"), "\(down.text.debugDescription)")

        // Two sources, the second a FIFO whose writer pauses after its first 100,000 bytes. The writer opens it
        // first, which waits for obsctl to open it: the pause falls inside the transfer however late that comes.
        try sb.write("a.bin", randomData(10_000))
        #expect(mkfifo(sb.path("slow"), 0o644) == 0)
        let up = try Self.underTerminal(
            sb,
            "(exec 3> slow; head -c 100000 /dev/zero >&3; sleep 2; head -c 200000 /dev/zero >&3) & "
                + "\"$OBSCTL\" upload a.bin slow obs://prog/p/; wait")
        #expect(up.status == 0, "\(up.text)")
        #expect(up.text.contains("[2/2] slow"), "file n/N: \(up.text.debugDescription)")
        #expect(up.text.contains("total "), "\(up.text.debugDescription)")
        #expect(try sb.json(["stat", "obs://prog/p/slow"])["size"] as? Int == 300_000)
    }

    @Test("on a terminal: --quiet, --progress none, OBSCTL_PROGRESS=none and TERM=dumb draw no bar")
    func noBarOnTerminal() throws {
        let sb = try Sandbox("nobar")
        try sb.ok(["bucket", "create", "obs://prog"])
        for (i, (flags, env)) in [
            ("--quiet", [String: String?]()), ("--progress none", [:]), ("", ["OBSCTL_PROGRESS": "none"]),
            ("", ["TERM": "dumb"]),
        ].enumerated() {
            let r = try Self.underTerminal(
                sb, "\(Self.slowStdin) | \"$OBSCTL\" upload - obs://prog/k\(i) \(flags) > /dev/null", env: env)
            #expect(r.status == 0, "\(flags) \(env): \(r.text)")
            #expect(!Self.hasControl(r.text), "\(flags) \(env): no \\r and no escape codes: \(r.text.debugDescription)")
            if env["TERM"] == "dumb" {
                #expect(
                    r.text.contains("uploaded stdin: 1.9 MiB"),
                    "TERM=dumb falls back to plain lines: \(r.text.debugDescription)")
            } else {
                #expect(r.text.isEmpty, "\(flags) \(env): nothing at all: \(r.text.debugDescription)")
            }
        }
    }

    @Test("not a terminal: no \\r, no escape codes; one line per finished file and periodic summaries")
    func plainWhenNotATerminal() throws {
        let sb = try Sandbox("plain")
        try sb.ok(["bucket", "create", "obs://prog"])
        let pipe = Pipe()
        let running = try sb.start(
            ["upload", "-", "obs://prog/k"], stdinPipe: pipe, env: ["OBSCTL_PROGRESS_INTERVAL": "0.5", "TERM": "xterm"])
        pipe.fileHandleForWriting.write(Data(count: 1_000_000))
        Thread.sleep(forTimeInterval: 2.5)
        pipe.fileHandleForWriting.write(Data(count: 1_000_000))
        try pipe.fileHandleForWriting.close()
        let r = running.wait()
        #expect(r.succeeded, "\(r)")
        #expect(!Self.hasControl(r.stderr), "no \\r and no escape codes in a log: \(r.stderr.debugDescription)")
        let lines = r.stderrLines
        #expect(
            lines.contains { $0.hasPrefix("upload progress: stdin 977 KiB") && $0.contains("/s") },
            "periodic summaries: \(lines)")
        #expect(lines.last?.hasPrefix("uploaded stdin: 1.9 MiB in ") == true, "a line for the finished file: \(lines)")
        #expect(r.out.hasPrefix("upload: - -> obs://prog/k"), "results stay on stdout: \(r)")

        // --progress none and --quiet print nothing.
        for flags in [["--progress", "none"], ["--quiet"], ["--progress", "plain", "-q"]] {
            let p2 = Pipe()
            let run = try sb.start(["upload", "-", "obs://prog/k3"] + flags, stdinPipe: p2)
            p2.fileHandleForWriting.write(Data(count: 100_000))
            Thread.sleep(forTimeInterval: 1.5)
            try p2.fileHandleForWriting.close()
            let q = run.wait()
            #expect(q.succeeded && q.stderr.isEmpty, "\(flags): \(q)")
        }
    }

    /// `run`'s result from an attempt that took under a second; nil when none did in two minutes of attempts (a
    /// busy stretch of the machine can outlast a few).
    static func underASecond(_ run: () throws -> RunResult) rethrows -> RunResult? {
        let deadline = Date().addingTimeInterval(120)
        repeat {
            let started = Date()
            let result = try run()
            if Date().timeIntervalSince(started) < 1 { return result }
        } while Date() < deadline
        return nil
    }

    @Test(
        """
        a forced bar outside a terminal uses \\r; transfers under a second show nothing; bad OBSCTL_PROGRESS is a \
        usage error
        """
    )
    func forcedAndFast() throws {
        let sb = try Sandbox("forced")
        try sb.ok(["bucket", "create", "obs://prog"])
        let pipe = Pipe()
        let running = try sb.start(["upload", "-", "obs://prog/k", "--progress", "bar"], stdinPipe: pipe)
        pipe.fileHandleForWriting.write(Data(count: 500_000))
        // The transfer lasts until stdin ends: it is kept open until the bar shows (after the first second), however
        // long obsctl takes to start on a busy machine.
        let drawn = running.waitForStderr("\r")
        try pipe.fileHandleForWriting.close()
        let r = running.wait()
        #expect(r.succeeded, "\(r)")
        #expect(drawn && r.stderr.contains("\r"), "\(r.stderr.debugDescription)")

        // Fast transfers, any mode: nothing on stderr. A run that took a second or more (a busy machine) may rightly
        // show a bar, so it proves nothing and is run again.
        try sb.write("d/a", randomData(1000)); try sb.write("d/b", randomData(1000))
        for mode in ["auto", "plain", "bar"] {
            for (i, args) in [
                ["upload", "d", "obs://prog/d/", "--recursive"],
                ["download", "obs://prog/d/", "out-\(mode)", "--recursive"],
            ].enumerated() {
                let fast = try Self.underASecond { try sb.run(args + ["--progress", mode]) }
                #expect(
                    fast.map { $0.succeeded && $0.stderr.isEmpty } ?? false, "\(mode) \(i): \(String(describing: fast))"
                )
            }
        }
        expectError(try sb.run(["ls"], env: ["OBSCTL_PROGRESS": "fancy"]), 2, contains: ["OBSCTL_PROGRESS"])
        expectError(try sb.run(["ls", "--progress", "fancy"]), 2)
    }
}
