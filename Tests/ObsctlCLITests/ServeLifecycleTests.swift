import Foundation
import OBSCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `obsctl serve` as a process: the ready line, credentials, bind failures, refusals of unsafe settings, graceful
/// stop on SIGTERM/SIGINT, and the access log.
@Suite("serve lifecycle", .serialized)
struct ServeLifecycleTests {
    // MARK: Ready line and credentials

    @Test func readyLineJSONAndGeneratedCredentials() throws {
        let sb = try Sandbox("serve-ready")
        let server = try ServeProcess(sb)
        #expect(server.endpoint.hasPrefix("http://127.0.0.1:") && server.port > 0, "\(server.ready)")
        #expect(server.ready["ca_bundle"] is NSNull, "\(server.ready)")
        #expect(server.region == "local")
        let file = try #require(server.credentialsFile)
        #expect(file == sb.root + "/serve/credentials", "the generated pair lives under the store: \(file)")
        var st = stat()
        #expect(stat(file, &st) == 0 && st.st_mode & 0o777 == 0o600, "credentials file mode \(st.st_mode & 0o777)")
        #expect(server.ready["access_key_id"] as? String == server.accessKeyID)
        // Signed requests with the printed pair work.
        let listed = try server.curl([server.endpoint + "/"], sign: true)
        #expect(listed.succeeded && listed.stdout.contains("ListAllMyBucketsResult"), "\(listed)")
        let r = server.stop()
        expectSuccess(r)
        #expect(r.out.split(separator: "\n").count == 1, "stdout holds the ready line only: \(r)")
        for text in [r.out, r.stderr] {
            #expect(!text.contains(server.secretAccessKey), "the secret must never be printed: \(r)")
        }
        // A second start reuses the generated pair: clients configured once keep working.
        let again = try ServeProcess(sb)
        #expect(again.accessKeyID == server.accessKeyID && again.secretAccessKey == server.secretAccessKey)
        expectSuccess(again.stop())
    }

    @Test func readyLineText() throws {
        let sb = try Sandbox("serve-text")
        let running = try sb.start(["serve", "--listen", "127.0.0.1:0"])
        let line = try #require(ServeProcess.waitForFirstLine(running, timeout: 60), "no ready line")
        kill(running.process.processIdentifier, SIGTERM)
        let r = running.wait(timeout: 30)
        expectSuccess(r)
        let pattern =
            #"^obsctl serve: listening on http://127\.0\.0\.1:[0-9]+ \(region local, access key id [A-Z0-9]{20}, "#
            + #"credentials in .*/root/serve/credentials\)$"#
        #expect(line.range(of: pattern, options: .regularExpression) != nil, "ready line: \(line)")
    }

    @Test func credentialsFromEnvironmentAreNotWrittenOrPrinted() throws {
        let sb = try Sandbox("serve-envpair")
        let env: [String: String?] = [
            ServeProcess.accessKeyVariable: "SERVETESTKEY", ServeProcess.secretKeyVariable: "serve-test-secret-1234",
        ]
        let server = try ServeProcess(sb, env: env)
        #expect(server.ready["credentials_file"] is NSNull, "\(server.ready)")
        #expect(!sb.exists("root/serve/credentials"), "no generated file when the environment gives a pair")
        let ok = try server.curl([server.endpoint + "/"], sign: true)
        #expect(ok.stdout.contains("ListAllMyBucketsResult"), "\(ok)")
        let r = server.stop()
        expectSuccess(r)
        #expect(!r.out.contains("serve-test-secret-1234") && !r.stderr.contains("serve-test-secret-1234"), "\(r)")
    }

    @Test func halfAnEnvironmentPairIsRefused() throws {
        let sb = try Sandbox("serve-halfpair")
        let r = try sb.run(
            ["serve", "--listen", "127.0.0.1:0"], env: [ServeProcess.accessKeyVariable: "ONLYTHEKEY"])
        expectError(r, 12, contains: [ServeProcess.secretKeyVariable])
    }

    @Test func credentialsFileReadableByOthersIsRefused() throws {
        let sb = try Sandbox("serve-credmode")
        let text = Data("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = file-secret-5678\n".utf8)
        for mode in [0o644, 0o640, 0o604] {
            let file = try sb.write("creds-\(String(mode, radix: 8))", text, mode: mode)
            let r = try sb.run(["serve", "--listen", "127.0.0.1:0", "--credentials-file", file])
            expectError(r, 12, contains: [file, "chmod 600"])
            #expect(!r.stderr.contains("file-secret-5678"), "\(r)")
        }
        // The same file at 0600 is accepted and its pair is the one that signs.
        let file = try sb.write("creds-ok", text, mode: 0o600)
        let server = try ServeProcess(sb, arguments: ["--credentials-file", file])
        #expect(server.accessKeyID == "FILEKEY" && server.credentialsFile == file, "\(server.ready)")
        let ok = try server.curl([server.endpoint + "/"], sign: true)
        #expect(ok.stdout.contains("ListAllMyBucketsResult"), "\(ok)")
        let wrong = try server.curl([server.endpoint + "/"], sign: true, secret: "file-secret-0000")
        #expect(wrong.stdout.contains("SignatureDoesNotMatch"), "\(wrong)")
        expectSuccess(server.stop())
    }

    @Test func credentialsFileWithAnEmptySecretOrASharedIdIsRefused() throws {
        let sb = try Sandbox("serve-credempty")
        let good = "[a]\naws_access_key_id = FILEKEY\naws_secret_access_key = file-secret-5678\n"
        let empty = try sb.write(
            "creds-empty", Data((good + "[b]\naws_access_key_id = EMPTYKEY\naws_secret_access_key =\n").utf8),
            mode: 0o600)
        let r = try sb.run(["serve", "--listen", "127.0.0.1:0", "--credentials-file", empty])
        expectError(r, 12, contains: [empty, "section [b] line 6", "aws_secret_access_key is empty"])
        let shared = try sb.write(
            "creds-shared",
            Data((good + "[b]\naws_access_key_id = FILEKEY\naws_secret_access_key = second-secret-9\n").utf8),
            mode: 0o600)
        let d = try sb.run(["serve", "--listen", "127.0.0.1:0", "--credentials-file", shared])
        expectError(d, 12, contains: [shared, "FILEKEY is also in section [a]"])
        for out in [r, d] {
            #expect(!out.stderr.contains("file-secret-5678") && !out.stderr.contains("second-secret-9"))
        }
    }

    // MARK: Refusals before listening

    @Test func bindFailureIsOneConfigurationError() throws {
        let sb = try Sandbox("serve-bind")
        let first = try ServeProcess(sb)
        let address = "127.0.0.1:\(first.port)"
        let r = try sb.run(["serve", "--listen", address])
        expectError(r, 12, contains: [address, "in use", "--listen", "port 0"])
        // An address this machine does not have (TEST-NET-2); TLS because it is not loopback.
        let foreign = try sb.run(["serve", "--listen", "198.51.100.7:0", "--tls-self-signed"])
        expectError(foreign, 12, contains: ["198.51.100.7:0", "not an address of this machine"])
        // The first server is unaffected.
        let ok = try first.curl([first.endpoint + "/"], sign: true)
        #expect(ok.stdout.contains("ListAllMyBucketsResult"), "\(ok)")
        expectSuccess(first.stop())
    }

    @Test func nonLoopbackWithoutTLSIsRefused() throws {
        let sb = try Sandbox("serve-noloop")
        for address in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
            let r = try sb.run(["serve", "--listen", address])
            expectError(r, 2, contains: ["not loopback", "--tls-self-signed"])
        }
        #expect(!sb.exists("root/serve"), "a refused start changes nothing in the store")
    }

    @Test func accessLogFileThatCannotBeOpenedIsRefused() throws {
        let sb = try Sandbox("serve-badlog")
        let r = try sb.run(["serve", "--listen", "127.0.0.1:0", "--access-log", sb.path("missing/dir/log")])
        expectError(r, 12, contains: ["missing/dir/log"])
        #expect(!sb.exists("root"), "a refused start made the store (and a generated pair)")
    }

    // MARK: Stopping

    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func sigtermFinishesTheRequestInFlight() throws {
        for signal in [SIGTERM, SIGINT] {
            let sb = try Sandbox("serve-graceful")
            let server = try ServeProcess(sb)
            let bucket = RemoteSession.uniqueName("graceful")
            let client = try server.sdkInBackground("raw", "slow-create", [bucket, "3", "0"])
            try #require(
                client.waitFor("in flight", timeout: 60), "the slow request never started: \(client.wait(timeout: 5))")
            // "in flight" means the head left the client; the server must have read it, or the signal can come
            // first and the connection is closed as idle (as any server does).
            try #require(server.waitUntilClientBytesRead(), "the server never read the request head")
            kill(server.pid, signal)
            // New connections are refused, while the request in flight goes on.
            #expect(server.waitUntilRefusing(), "a stopping server accepts no new connection")
            let answered = client.wait(timeout: 60)
            let answeredAt = Date()
            #expect(answered.succeeded && answered.stdout.contains("\"status\": \"200\""), "\(answered)")
            let r = server.waitForExit(timeout: 30)
            expectSuccess(r)
            // Not the 10 s grace running out: the exit follows the answer, and nothing was cut off.
            #expect(Date().timeIntervalSince(answeredAt) < 5, "stopped once the request was answered")
            #expect(!r.stderr.contains("cut off"), "\(r)")
            // The bucket the request in flight created is there.
            let listed = try sb.ok(["ls"])
            #expect(listed.out.contains(bucket), "\(listed)")
        }
    }

    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func aStalledRequestDelaysTheStopTenSecondsAtMost() throws {
        let sb = try Sandbox("serve-stalled")
        let server = try ServeProcess(sb)
        let bucket = RemoteSession.uniqueName("stalled")
        let client = try server.sdkInBackground("raw", "slow-create", [bucket, "1", "1"])
        try #require(client.waitFor("in flight", timeout: 60), "the request never started")
        // The server reads the head first (see sigtermFinishesTheRequestInFlight).
        try #require(server.waitUntilClientBytesRead(), "the server never read the request head")
        let signalled = Date()
        kill(server.pid, SIGTERM)
        let r = server.waitForExit(timeout: 60)
        let took = Date().timeIntervalSince(signalled)
        expectSuccess(r)
        #expect(took >= 9 && took < 40, "the graceful wait is bounded (10 s): took \(took) s")
        #expect(r.stderr.contains("cut off"), "the cut-off is reported: \(r)")
        let listed = try sb.ok(["ls"])
        #expect(!listed.out.contains(bucket), "the cut request created nothing: \(listed)")
    }

    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func aSecondSignalStopsAtOnce() throws {
        let sb = try Sandbox("serve-twice")
        let server = try ServeProcess(sb)
        let client = try server.sdkInBackground("raw", "slow-create", [RemoteSession.uniqueName("twice"), "1", "1"])
        try #require(client.waitFor("in flight", timeout: 60), "the request never started")
        // The server reads the head first (see sigtermFinishesTheRequestInFlight).
        try #require(server.waitUntilClientBytesRead(), "the server never read the request head")
        kill(server.pid, SIGINT)
        // The first signal is being handled once the listener is closed; the stalled request holds the server.
        try #require(server.waitUntilRefusing(), "the first SIGINT did not start the stop")
        let signalled = Date()
        kill(server.pid, SIGINT)
        let r = server.waitForExit(timeout: 30)
        #expect(!r.signaled && r.status == 130, "a second SIGINT exits 130 at once: \(r)")
        // Well under what is left of the 10 s grace the stalled request would otherwise get.
        #expect(Date().timeIntervalSince(signalled) < 8)
    }

    /// A second signal ends serve without waiting for the writes in flight; their temporary files in the store go
    /// with it, not at the next write's sweep (the in-flight journal stays for that sweep).
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func aSecondSignalLeavesNoTemporaryInTheStore() throws {
        let sb = try Sandbox("serve-twice-put")
        let server = try ServeProcess(sb)
        let client = try server.sdkInBackground("raw", "trickle-put", [RemoteSession.uniqueName("trickle"), "big"])
        try #require(client.waitFor("in flight", timeout: 60), "the upload never started")
        func temporaries() -> [String] {
            let all = FileManager.default.enumerator(atPath: sb.path("root"))?.allObjects as? [String] ?? []
            return all.filter {
                !$0.hasPrefix("inflight/") && ($0 as NSString).lastPathComponent.hasPrefix(".tmp-\(server.pid)-")
            }
        }
        let deadline = Date().addingTimeInterval(60)
        while temporaries().isEmpty && Date() < deadline { usleep(20_000) }
        try #require(!temporaries().isEmpty, "the upload never had its temporary file in the store")
        kill(server.pid, SIGINT)
        try #require(server.waitUntilRefusing(), "the first SIGINT did not start the stop")
        kill(server.pid, SIGINT)
        let r = server.waitForExit(timeout: 30)
        #expect(!r.signaled && r.status == 130, "\(r)")
        #expect(temporaries().isEmpty, "left in the store: \(temporaries())")
    }

    /// Every signal stops serve, however soon after the ready line it comes: 30 SIGTERM cycles and a SIGINT one,
    /// each exit 0 within seconds. A handler of the server's own could be replaced (libdispatch installs its own for
    /// a dispatch signal source, when its manager thread gets to it), and once it was, serve ignored every signal:
    /// so serve has none, and each of its threads blocks SIGINT and SIGTERM for the thread that waits for them.
    @Test func everySignalStopsServe() throws {
        let sb = try Sandbox("serve-signals")
        for cycle in 0..<31 {
            let signal = cycle == 30 ? SIGINT : SIGTERM
            let server = try ServeProcess(sb)
            if cycle == 0 {
                let threads = Self.threadStatuses(server.pid)
                #expect(!threads.isEmpty)
                for (thread, status) in threads {
                    // SigCgt: a handler; SigBlk (a thread in sigwait shows them unblocked while it waits).
                    let caught = Self.bits(status, "SigCgt"), blocked = Self.bits(status, "SigBlk")
                    #expect(caught & Self.shutdownBits == 0, "a handler for SIGINT or SIGTERM: \(thread) \(status)")
                    let waiting =
                        (try? String(contentsOfFile: "/proc/\(server.pid)/task/\(thread)/wchan", encoding: .utf8))?
                        .contains("sigtimedwait") == true
                    #expect(
                        waiting || blocked & Self.shutdownBits == Self.shutdownBits,
                        "thread \(thread) can take SIGINT or SIGTERM: \(status)")
                }
            }
            let started = Date()
            let r = server.stop(signal: signal, timeout: 30)
            #expect(r.succeeded, "cycle \(cycle), signal \(signal): \(r)")
            // No request is in flight: a stop that wrongly waited out the grace period would take its 10 s. A busy
            // machine adds seconds, not ten of them.
            #expect(Date().timeIntervalSince(started) < 9, "cycle \(cycle): the stop took too long")
            if !r.succeeded { break }
        }
    }

    /// `obsctl serve` started by a script that ignores SIGINT (as `cmd &` has it) and interrupted as soon as the
    /// ignore is gone, whichever program is running then (obsctl before it execs the server, or the server before
    /// it listens): it stops (0, 130, or killed by SIGINT before anything started), never serves on with the signal
    /// lost. The ignore must go early: obsctl takes SIGINT from its first steps and execs the server with it
    /// blocked, so it stays pending across the exec.
    @Test func interruptAtStartWithSignalsIgnored() throws {
        let sb = try Sandbox("serve-early-signal")
        let binary = try ObsctlBinary.require()
        var programs: [String] = []
        for cycle in 0..<10 {
            let (p, done) = try Self.startUnwatched(
                sb, "/bin/sh", ["-c", "trap '' INT; exec \"$0\" serve --listen 127.0.0.1:0", binary])
            let pid = p.processIdentifier
            // A loaded machine can hold the start for a minute: a signal sent before the ignore is gone tests nothing.
            let deadline = Date().addingTimeInterval(600)
            var program = ""
            var unignored = false
            while Date() < deadline && p.isRunning {
                program = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
                let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
                let ours = program.hasSuffix("/obsctl-serve") || program == binary
                unignored = ours && Self.bits(status, "SigIgn") & 2 == 0
                if unignored { break }
                usleep(500)
            }
            if !unignored {
                if p.isRunning { kill(pid, SIGKILL) }  // only this child, by its pid
                done.wait()
            }
            try #require(unignored, "cycle \(cycle): SIGINT still ignored, or the process gone, at \(program)")
            programs.append((program as NSString).lastPathComponent)
            kill(pid, SIGINT)
            // Time for start-up as well as the stop: the signal can come while obsctl or the server starts. A lost
            // signal never stops it, so the bound is only a hang-breaker.
            let stopped = done.wait(timeout: .now() + 300) == .success
            if !stopped {
                kill(pid, SIGKILL)
                done.wait()
            }
            #expect(stopped, "cycle \(cycle): SIGINT to \(program) was lost: serve went on")
            let ended =
                p.terminationReason == .uncaughtSignal
                ? p.terminationStatus == SIGINT : [0, 130].contains(p.terminationStatus)
            #expect(!stopped || ended, "cycle \(cycle) (\(program)): \(p.terminationReason) \(p.terminationStatus)")
        }
        // obsctl no longer leaves SIGINT ignored until the exec: some cycle catches it before (it has some
        // milliseconds of start-up to parse and look for the server).
        let obsctl = (binary as NSString).lastPathComponent
        #expect(programs.contains(obsctl), "each cycle found SIGINT still ignored until the server ran: \(programs)")
    }

    /// A stdout nobody reads (`obsctl serve | true`): the ready line is lost, the server is not; it stops on SIGTERM.
    @Test func stdoutClosedBeforeTheReadyLine() throws {
        let sb = try Sandbox("serve-stdout-closed")
        let stdout = Pipe()
        try stdout.fileHandleForReading.close()  // no reader: the ready line's write fails with EPIPE
        let (p, done) = try Self.startUnwatched(
            sb, try ObsctlBinary.require(), ["serve", "--listen", "127.0.0.1:0", "--output", "json"], stdout: stdout)
        // The ready line is written once serve listens: SIGTERM before that would not test its write. A hang-breaker,
        // not a speed: two full test runs at once held serve's start-up (fsyncs of a new store) past 60 s.
        let deadline = Date().addingTimeInterval(600)
        var listening = false
        while !listening && p.isRunning && Date() < deadline {
            listening = Self.isListening(p.processIdentifier)
            if !listening { usleep(20_000) }
        }
        // The write follows the listen at once; 2 s more for a loaded machine to get to it.
        if done.wait(timeout: .now() + (listening ? 2.0 : 0.0)) == .success {
            Issue.record("serve ended when its ready line could not be written: \(p.terminationStatus)")
            return
        }
        if !listening {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }  // only this child, by its pid
            done.wait()
        }
        try #require(listening, "serve did not listen within 600 s, or ended before: \(p.terminationStatus)")
        kill(p.processIdentifier, SIGTERM)
        let stopped = done.wait(timeout: .now() + 30) == .success
        if !stopped {
            kill(p.processIdentifier, SIGKILL)
            done.wait()
        }
        #expect(stopped && p.terminationReason == .exit && p.terminationStatus == 0, "\(p.terminationStatus)")
    }

    /// Starts `executable` in the sandbox with a server key pair in its environment, output discarded (or stdout
    /// to `stdout`), without `ServeProcess`'s wait for the ready line; the semaphore is signalled when it ends.
    static func startUnwatched(
        _ sb: Sandbox, _ executable: String, _ arguments: [String], stdout: Pipe? = nil
    ) throws -> (Process, DispatchSemaphore) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        var environment = sb.childEnvironment([:])
        environment["OBSCTL_SERVE_ACCESS_KEY_ID"] = "AKUNWATCHED"
        environment["OBSCTL_SERVE_SECRET_ACCESS_KEY"] = "unwatched-secret-0123456789"
        p.environment = environment
        p.currentDirectoryURL = sb.dir
        p.standardOutput = stdout ?? FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        return (p, done)
    }

    /// Whether `pid` holds a listening TCP socket: a descriptor of its whose inode /proc/net/tcp or tcp6 (of its
    /// network namespace) lists in state LISTEN (0A).
    static func isListening(_ pid: Int32) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        let inodes = Set(
            fds.compactMap { fd -> Substring? in
                let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? ""
                return link.hasPrefix("socket:[") ? link.dropFirst(8).dropLast() : nil  // socket:[INODE]
            })
        guard !inodes.isEmpty else { return false }
        for table in ["tcp", "tcp6"] {
            let text = ProcFile.text("/proc/\(pid)/net/\(table)") ?? ""  // past its first 4 KiB
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 9 && fields[3] == "0A" && inodes.contains(fields[9]) { return true }
            }
        }
        return false
    }

    static let shutdownBits: UInt64 = 1 << (UInt64(SIGINT) - 1) | 1 << (UInt64(SIGTERM) - 1)

    /// Each thread of `pid` and its /proc status text.
    static func threadStatuses(_ pid: Int32) -> [(String, String)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { thread in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/status", encoding: .utf8)).map { (thread, $0) }
        }
    }

    /// A /proc status mask (`SigCgt:\t0000000000004002`) as bits.
    static func bits(_ status: String, _ field: String) -> UInt64 {
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return UInt64(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
    }

    // MARK: Request bodies that stop

    /// A client that stops sending its body is answered 400 RequestTimeout after --body-timeout, and the connection
    /// closes (its thread freed, not held for the 300 s idle timeout); one that closes its connection mid-body is
    /// logged as the client's failure (400 IncompleteBody), not the server's. Neither stores anything.
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func stalledAndAbortedBodies() throws {
        let sb = try Sandbox("serve-stall")
        let server = try ServeProcess(sb, arguments: ["--body-timeout", "1", "--access-log", sb.path("stalled.log")])
        let bucket = RemoteSession.uniqueName("stall")
        #expect(try server.curl(["-X", "PUT", server.endpoint + "/" + bucket], sign: true).succeeded)
        let (stalled, run) = try server.sdk("raw", "stalled-put", [bucket, "stalled"])
        expectSteps((stalled, run))
        #expect(stalled["status"] as? String == "400" && stalled["code"] as? String == "RequestTimeout", "\(run)")
        #expect(stalled["connection_close"] as? Bool == true, "\(run)")
        let seconds = stalled["seconds"] as? Double ?? 0
        #expect(seconds >= 0.9 && seconds < 15, "answered after the body timeout, not the idle one: \(seconds) s")
        // The server goes on serving.
        let listed = try server.curl([server.endpoint + "/" + bucket], sign: true)
        #expect(listed.succeeded && !listed.stdout.contains("<Key>"), "\(listed)")
        expectSuccess(server.stop())
        // The aborted body goes to a server of the same store whose body timeout is far off: a client delayed past
        // 1 s before its close would otherwise be a stall (RequestTimeout), not the close this case is about.
        let server2 = try ServeProcess(sb, arguments: ["--body-timeout", "60", "--access-log", sb.path("aborted.log")])
        expectSteps(try server2.sdk("raw", "aborted-put", [bucket, "aborted"]))
        // The server goes on serving; neither object exists.
        let listing = try server2.curl([server2.endpoint + "/" + bucket], sign: true)
        #expect(listing.succeeded && !listing.stdout.contains("<Key>"), "\(listing)")
        expectSuccess(server2.stop())
        for (file, expected) in [("stalled.log", "RequestTimeout"), ("aborted.log", "IncompleteBody")] {
            let log = String(decoding: try #require(sb.read(file)), as: UTF8.self)
            let codes = log.split(separator: "\n").compactMap { line -> String? in
                guard let entry = try? parseJSONObject(Data(line.utf8)), entry["key"] as? String != nil else {
                    return nil
                }
                return entry["error"] as? String
            }
            #expect(codes == [expected], "\(file): \(log)")
            #expect(!log.contains("InternalError"), "\(file): \(log)")
        }
    }

    /// A client that stops reading its download is cut after --body-timeout: the connection is closed on the
    /// server's side (its queued bytes freed), not only the object's reader stopped while the connection, and what
    /// it had queued, stayed for as long as the client kept it open.
    @Test(.enabled(if: Self.has("ss") && Self.has("curl"), "ss (iproute2) and curl are needed"))
    func stalledReaderIsDisconnected() throws {
        let sb = try Sandbox("serve-stalled-get")
        try sb.ok(["bucket", "create", "obs://stalled-get"])
        try sb.write("big", Data(count: 48 << 20))
        try sb.ok(["upload", "big", "obs://stalled-get/big"])
        let server = try ServeProcess(sb, arguments: ["--body-timeout", "1"])
        // curl reading 1 KB/s: the server's socket buffer stays full, so its answer cannot move.
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = [
            "curl", "-sS", "-o", "/dev/null", "--limit-rate", "1k", "--aws-sigv4", "aws:amz:\(server.region):s3",
            "--user", "\(server.accessKeyID):\(server.secretAccessKey)", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
            server.endpoint + "/stalled-get/big",
        ]
        curl.standardOutput = FileHandle.nullDevice
        curl.standardError = FileHandle.nullDevice
        try curl.run()
        defer {
            kill(curl.processIdentifier, SIGKILL)  // it would read on at 1 KB/s
            curl.waitUntilExit()
        }
        func serverSideConnections() throws -> Int {
            let r = try Tools.run(["ss", "-tnH", "state", "established", "( sport = :\(server.port) )"])
            return r.stdout.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        }
        var open = 0
        for _ in 0..<50 where open == 0 {  // the download under way
            usleep(100_000)
            open = try serverSideConnections()
        }
        #expect(open == 1, "the download never started")
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, try serverSideConnections() > 0 { usleep(200_000) }
        #expect(try serverSideConnections() == 0, "the stalled reader's connection is still open on the server")
        expectSuccess(server.stop())
    }

    /// Out of descriptors, the listener stops accepting for a moment instead of retrying accept(2) at once: NIO
    /// kept its read interest after EMFILE, and the server spun at a full core while connections waited (measured
    /// 93%). One line says what to raise (not one per pause: at most one a minute); once descriptors free up, the
    /// waiting and new connections are served.
    @Test("connections beyond the open-file limit: no busy loop, one line on stderr, served once descriptors free up")
    func outOfDescriptorsDoesNotSpin() throws {
        let sb = try Sandbox("serve-emfile")
        let server = try ServeProcess(sb, wrapper: "ulimit -n 48 && exec \"$@\"")
        var waiting: [Int32] = []
        for _ in 0..<80 {
            guard let fd = Self.connect(port: server.port) else { break }
            waiting.append(fd)
        }
        #expect(waiting.count == 80, "the kernel's backlog took every connection")
        usleep(500_000)  // the server has met EMFILE by now
        let before = Self.cpuTicks(server.pid)
        sleep(2)
        let used = Self.cpuTicks(server.pid) - before
        // A busy loop takes about a core: some 200 ticks in 2 s at 100 Hz. Paused, the server uses next to none.
        #expect(used < 20, "the server used \(used) clock ticks in 2 s while out of descriptors")
        for fd in waiting { close(fd) }
        // Served again: a plain HTTP request (unsigned) gets an answer.
        var answer = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !answer.hasPrefix("HTTP/1.1 ") {
            answer = Self.rawAnswer(port: server.port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") ?? ""
            if !answer.hasPrefix("HTTP/1.1 ") { usleep(200_000) }
        }
        #expect(answer.hasPrefix("HTTP/1.1 403"), "no answer after the shortage: \(answer)")
        let r = server.stop()
        expectSuccess(r)
        let notes = r.stderrLines.filter { $0.contains("cannot accept connections on --listen") }
        #expect(notes.count == 1 && notes[0].contains("ulimit -n"), "\(r.stderr)")
    }

    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 { close(fd); return nil }
        return fd
    }

    /// Sends `request` on a new connection and returns what comes back within 5 s (nil: no connection).
    static func rawAnswer(port: Int, _ request: String) -> String? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    /// utime + stime of `pid`, in clock ticks.
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)  // fields 14 and 15 of the whole line
    }

    static func has(_ tool: String) -> Bool { (try? Tools.run(["sh", "-c", "command -v \(tool)"]))?.succeeded == true }

    /// A refusal decided before the body is read (no such bucket) is answered at once, and the connection closed:
    /// the client neither waits for the body timeout nor has to send its whole body first.
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func refusalBeforeTheBodyIsAnsweredAtOnce() throws {
        let sb = try Sandbox("serve-refuse-early")
        let server = try ServeProcess(sb, arguments: ["--body-timeout", "60"])
        let (answer, run) = try server.sdk("raw", "stalled-put", [RemoteSession.uniqueName("missing"), "k"])
        expectSteps((answer, run))
        #expect(answer["status"] as? String == "404" && answer["code"] as? String == "NoSuchBucket", "\(run)")
        #expect(answer["connection_close"] as? Bool == true, "\(run)")
        #expect((answer["seconds"] as? Double ?? 99) < 30, "answered at once, not after the body timeout: \(run)")
        expectSuccess(server.stop())
    }

    /// `100 Continue` goes out when the server reads the body: a request refused before that gets its answer alone,
    /// and a client that waits for the 100 sends no body at all.
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func continueOnlyForBodiesRead() throws {
        let sb = try Sandbox("serve-expect")
        let server = try ServeProcess(sb)
        let bucket = RemoteSession.uniqueName("expect")
        #expect(try server.curl(["-X", "PUT", server.endpoint + "/" + bucket], sign: true).succeeded)
        let (refused, run) = try server.sdk("raw", "expect-put", [RemoteSession.uniqueName("missing"), "k"])
        expectSteps((refused, run))
        #expect(refused["first_status"] as? String == "404", "a 100 for a request refused before its body: \(run)")
        let (accepted, run2) = try server.sdk("raw", "expect-put", [bucket, "k"])
        expectSteps((accepted, run2))
        #expect(accepted["first_status"] as? String == "100", "\(run2)")
        #expect(accepted["final_status"] as? String == "200", "\(run2)")
        // botocore sends bodies given as bytes with Expect: 100-continue, and waits for the answer.
        let (bytes, run3) = try server.sdk("boto3", "refused-bytes", [RemoteSession.uniqueName("nob")])
        expectSteps((bytes, run3))
        #expect(bytes["missing_bucket_code"] as? String == "NoSuchBucket", "\(run3)")
        #expect((bytes["missing_bucket_seconds"] as? Double ?? 99) < 20, "\(run3)")
        #expect(bytes["unknown_key_code"] is String && (bytes["unknown_key_seconds"] as? Double ?? 99) < 20, "\(run3)")
        // A request waiting for its 100 behind another on the same connection (pipelined) gets it too.
        #expect(
            try server.curl(["-X", "PUT", "--data-binary", "x", server.endpoint + "/\(bucket)/g"], sign: true).succeeded
        )
        let (pipelined, run4) = try server.sdk("raw", "pipelined-expect", [bucket, "g"])
        expectSteps((pipelined, run4))
        #expect(pipelined["get_status"] as? String == "200", "\(run4)")
        #expect(pipelined["continued"] as? Bool == true, "\(run4)")
        #expect(pipelined["put_status"] as? String == "200", "\(run4)")
        expectSuccess(server.stop())
    }

    /// A client that sends its whole body before it reads (urllib3 without `Expect`) hears a refusal decided before
    /// the body: the server reads and drops the body for `--body-timeout` at most, then closes, rather than leave
    /// the client blocked in its send until the idle timeout (300 s). A longer body is cut with a reset.
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func refusalHeardBySendAllClient() throws {
        let sb = try Sandbox("serve-sendall")
        let server = try ServeProcess(sb, arguments: ["--body-timeout", "3"])
        // 1 TiB: the server stops dropping after 3 s and resets the connection.
        let (cut, run2) = try server.sdk("raw", "send-all-put", [RemoteSession.uniqueName("nob"), "\(1 << 40)"])
        expectSteps((cut, run2))
        #expect(cut["sent_all"] as? Bool == false, "\(run2)")
        #expect((cut["send_seconds"] as? Double ?? 999) < 60, "\(run2)")
        // The server still answers.
        #expect(try server.curl([server.endpoint + "/"], sign: true).succeeded)
        expectSuccess(server.stop())
        // The drained bodies go to a server with a 30 s body timeout: a loaded machine can take more than 3 s to pass
        // a large body through the client and the server, and a cut would look like a server that does not drain.
        let sb2 = try Sandbox("serve-sendall-slow")
        let server2 = try ServeProcess(sb2, arguments: ["--header-timeout", "1", "--body-timeout", "30"])
        // 64 MiB: more than a connection's kernel buffers can hold (32 MiB receive at most on recent kernels, 4 MiB
        // send), so the send ends and the client hears the answer only if the server reads and drops the body.
        let (drained, run) = try server2.sdk("raw", "send-all-put", [RemoteSession.uniqueName("nob"), "\(64 << 20)"])
        expectSteps((drained, run))
        #expect(drained["sent_all"] as? Bool == true, "\(run)")
        #expect(drained["status"] as? String == "404", "\(run)")
        // The drain's bound is --body-timeout, whatever the header timeout: 12 MiB at 4 MiB/s (3 s, bytes every
        // 0.25 s) to a server that closes connections idle for 1 s between requests.
        let (slow, run3) = try server2.sdk(
            "raw", "send-all-put", [RemoteSession.uniqueName("nob"), "\(12 << 20)", "\(4 << 20)"])
        expectSteps((slow, run3))
        #expect(slow["sent_all"] as? Bool == true && slow["status"] as? String == "404", "\(run3)")
        expectSuccess(server2.stop())
    }

    /// What the HTTP layer cannot read as a request still gets an answer like every other: S3's error document,
    /// a request id (the same in the header and the body), a Date, and its access-log line.
    @Test(
        .enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"),
        arguments: ["s3", "kms"])
    func unreadableRequestsAreAnsweredAndLogged(port: String) throws {
        let sb = try Sandbox("serve-unreadable-\(port)")
        let server = try ServeProcess(
            sb, arguments: ["--access-log", sb.path("access.log"), "--kms-listen", "127.0.0.1:0"])
        let endpoint = port == "kms" ? try #require(server.ready["kms_endpoint"] as? String) : server.endpoint
        let (answer, run) = try server.sdk("raw", "unreadable", [endpoint])
        expectSteps((answer, run))
        var ids: [String] = []
        let codes =
            port == "kms"
            ? [("two-lengths", "APIGW.0201"), ("big-headers", "APIGW.0201"), ("garbled", "APIGW.0201")]
            : [
                ("two-lengths", "BadRequest"), ("big-headers", "RequestHeaderSectionTooLarge"),
                ("garbled", "BadRequest"),
            ]
        for (name, code) in codes {
            let got = answer[name] as? [String: Any] ?? [:]
            let id = got["request_id"] as? String ?? ""
            #expect(got["status"] as? String == "400" && got["code"] as? String == code, "\(name): \(run)")
            #expect(!id.isEmpty && got["body_request_id"] as? String == id && got["date"] is String, "\(name): \(got)")
            ids.append(id)
        }
        expectSuccess(server.stop())
        let log = String(decoding: sb.read("access.log") ?? Data(), as: UTF8.self)
        for id in ids {
            let line = log.split(separator: "\n").first { $0.contains(id) } ?? ""
            #expect(line.contains("400"), "\(id) not logged with its status: \(log)")
        }
    }

    /// A request head that never ends (a header byte at a time: slowloris) or never starts loses its connection
    /// after `--header-timeout`, though bytes keep coming; a body slower than that still arrives (its bound is
    /// `--body-timeout`, per silence).
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func slowHeadersAreCut() throws {
        let sb = try Sandbox("serve-slowloris")
        let server = try ServeProcess(sb, arguments: ["--header-timeout", "1", "--body-timeout", "60"])
        let (answer, run) = try server.sdk("raw", "slow-headers", ["20"])
        expectSteps((answer, run))
        #expect(answer["slow_closed"] as? Bool == true, "\(run)")
        #expect((answer["slow_seconds"] as? Double ?? 99) < 15, "\(run)")
        #expect(answer["idle_closed"] as? Bool == true, "\(run)")
        // A download read slowly for longer than the header timeout arrives whole: the clock starts once the
        // answer is in the socket, not when its end is queued.
        let slow = RemoteSession.uniqueName("slowget")
        #expect(try server.curl(["-X", "PUT", server.endpoint + "/" + slow], sign: true).succeeded)
        try sb.write("six", Data(repeating: 5, count: 6 << 20))
        let put = try server.curl(["-X", "PUT", "-T", sb.path("six"), server.endpoint + "/\(slow)/six"], sign: true)
        #expect(put.succeeded, "\(put)")
        let (read, run2) = try server.sdk("raw", "slow-get", [slow, "six", "\(1 << 20)"])
        expectSteps((read, run2))
        #expect(read["content_length"] as? Int == 6 << 20 && read["received"] as? Int == 6 << 20, "\(run2)")
        // A create-bucket body that trickles for 4 s, twice the header timeout: created.
        let bucket = RemoteSession.uniqueName("slowbody")
        let client = try server.sdkInBackground("raw", "slow-create", [bucket, "4", "0"])
        let created = client.wait(timeout: 60)
        #expect(created.succeeded && created.stdout.contains("\"status\": \"200\""), "\(created)")
        expectSuccess(server.stop())
    }

    /// Clients that stop reading their downloads hold a server thread for the stall timeout at most, not for their
    /// connections' idle timeout (300 s): more of them than the blocking pool has threads (256) leave a HEAD
    /// answered soon after.
    @Test(.enabled(if: ServeClients.hasBoto3, "boto3 is not installed: pip install boto3"))
    func downloadsNotReadHoldNoThread() throws {
        let sb = try Sandbox("serve-held")
        let server = try ServeProcess(sb, arguments: ["--body-timeout", "2"])
        let bucket = RemoteSession.uniqueName("held")
        #expect(try server.curl(["-X", "PUT", server.endpoint + "/" + bucket], sign: true).succeeded)
        try sb.write("big", Data(repeating: 7, count: 16 << 20))  // more than the kernel buffers of a connection
        let put = try server.curl(["-X", "PUT", "-T", sb.path("big"), server.endpoint + "/\(bucket)/big"], sign: true)
        #expect(put.succeeded, "\(put)")
        let (answer, run) = try server.sdk("raw", "held-gets", [bucket, "big", "270"])
        expectSteps((answer, run))
        #expect(answer["head_status"] as? String == "200", "\(run)")
        #expect((answer["head_seconds"] as? Double ?? 99) < 20, "\(run)")
        expectSuccess(server.stop())
    }

    @Test(arguments: ["--body-timeout", "--header-timeout"])
    func timeoutsMustBePositive(_ option: String) throws {
        let sb = try Sandbox("serve-badtimeout")
        for bad in ["0", "-1", "inf", "nan"] {
            let r = try sb.run(["serve", "--listen", "127.0.0.1:0", option, bad])
            expectError(r, 2, contains: [option])
        }
    }

    // MARK: Access log

    @Test func accessLogHoldsNoSecretOrCustomerKey() throws {
        let sb = try Sandbox("serve-log")
        let logFile = sb.path("access.log")
        let server = try ServeProcess(sb, arguments: ["--access-log", logFile])
        let bucket = RemoteSession.uniqueName("log")
        let created = try server.curl(["-X", "PUT", server.endpoint + "/" + bucket], sign: true)
        #expect(created.succeeded, "\(created)")
        // An SSE-C key on an object request (over loopback HTTP, which the server accepts), and a wrong secret.
        let customerKey = Data((0..<32).map { UInt8($0 &* 7 &+ 3) })
        let sseC = [
            "-H", "x-amz-server-side-encryption-customer-algorithm: AES256",
            "-H", "x-amz-server-side-encryption-customer-key: \(customerKey.base64EncodedString())",
            "-H", "x-amz-server-side-encryption-customer-key-MD5: \(md5Base64(customerKey))",
        ]
        _ = try server.curl(
            ["-X", "PUT", "--data-binary", "log marker body"] + sseC + [server.endpoint + "/\(bucket)/k.txt"],
            sign: true)
        _ = try server.curl(sseC + [server.endpoint + "/\(bucket)/k.txt"], sign: true)
        let wrongSecret = "wrong-secret-for-the-log-test-0123456789"
        let wrong = try server.curl([server.endpoint + "/"], sign: true, secret: wrongSecret)
        #expect(wrong.stdout.contains("SignatureDoesNotMatch"), "\(wrong)")
        let r = server.stop()
        expectSuccess(r)
        let log = try #require(sb.read("access.log"), "no access log file")
        var st = stat()
        #expect(stat(logFile, &st) == 0 && st.st_mode & 0o077 == 0, "the access log is private: \(st.st_mode)")
        let lines = String(decoding: log, as: UTF8.self).split(separator: "\n")
        #expect(lines.count >= 4, "one line per request: \(lines)")
        var statuses: [Int] = []
        for line in lines {
            let entry = try parseJSONObject(Data(line.utf8))
            for field in ["time", "request_id", "method", "status", "bytes_in", "bytes_out", "duration_ms"] {
                #expect(entry[field] != nil, "field \(field) in \(line)")
            }
            statuses.append(entry["status"] as? Int ?? 0)
        }
        #expect(statuses.contains(403), "the rejected request is logged: \(lines)")
        #expect(lines.contains { $0.contains("\"access_key_id\":\"\(server.accessKeyID)\"") }, "\(lines)")
        #expect(r.stderr.isEmpty, "with --access-log nothing goes to stderr: \(r)")
        var leaks: [String] = []
        for (form, bytes) in secretForms(customerKey) + secretForms(Data(server.secretAccessKey.utf8))
            + [("wrong secret", Data(wrongSecret.utf8))]
        where log.range(of: bytes) != nil {
            leaks.append(form)
        }
        #expect(leaks.isEmpty, "the access log holds secret material (\(leaks)): \(lines)")
    }

    @Test func accessLogGoesToStderrAsText() throws {
        let sb = try Sandbox("serve-logtext")
        let running = try sb.start(["serve", "--listen", "127.0.0.1:0"])
        let line = try #require(ServeProcess.waitForFirstLine(running, timeout: 60), "no ready line")
        let endpoint = try #require(line.split(separator: " ").dropFirst(4).first.map(String.init))
        let pair = try #require(ServeProcess.firstPair(sb.root + "/serve/credentials"))
        let curl = try Tools.run([
            "curl", "-sS", "--aws-sigv4", "aws:amz:local:s3", "--user", "\(pair.0):\(pair.1)", "-H",
            "x-amz-content-sha256: UNSIGNED-PAYLOAD", endpoint + "/",
        ])
        #expect(curl.succeeded, "\(curl)")
        kill(running.process.processIdentifier, SIGTERM)
        let r = running.wait(timeout: 30)
        expectSuccess(r)
        let entry = try #require(r.stderrLines.first { $0.contains(" GET / ") }, "no text log line: \(r)")
        #expect(entry.contains(pair.0) && entry.contains(" 200 "), "method, target, status, key id: \(entry)")
        #expect(!r.stderr.contains(pair.1), "\(r)")
    }
}
