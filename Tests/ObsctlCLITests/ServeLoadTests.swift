import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `obsctl serve` under load and through a crash, with boto3 (`.ci/peers/serve_load.py`): 32 concurrent clients
/// for a bounded time with zero errors, byte-exact gets and a bounded peak RSS; then kill -9 during uploads and a
/// restart on the same store, where every object is one whole version and unfinished uploads are listed and
/// aborted.
@Suite("serve load and crash", .serialized, .enabled(if: ServeClients.hasBoto3, ServeClientsTests.boto3Missing))
struct ServeLoadTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci/peers/serve_load.py").path

    /// The run's length: OBSCTL_TEST_SERVE_LOAD_SECONDS (shorter for a quick look by hand), else the issue's 60 s.
    static var seconds: Int {
        ProcessInfo.processInfo.environment["OBSCTL_TEST_SERVE_LOAD_SECONDS"].flatMap { Int($0) } ?? 60
    }

    /// The bound on the server's peak RSS (VmHWM). What a connection may hold is fixed, whatever the object size:
    /// the request and response bridges (1 MiB each, plus a chunk), the backend's 1 MiB encrypt or decrypt batch
    /// and its copies, NIO's write buffer, and what glibc's per-thread pools keep of freed 1 MiB buffers: measured,
    /// 9-10 MiB per slow GET (debug build), 20 MiB at most; the idle footprint is about 45 MiB. 32 clients, most of
    /// them on small objects at any time, measured 177-190 MiB over 25 s and 215 MiB over 60 s, near 86% of the
    /// 256 MiB bound this test had. 384 MiB (45 + 32 x 10 and room for the allocator) keeps a loaded CI machine from
    /// failing it while still far below what a run moves (bytes_put + bytes_got, at least twice the bound, checked
    /// below), so a server that kept what passed through it fails.
    static let peakRSSBoundKiB = 384 << 10

    static func script(
        _ server: ServeProcess, _ arguments: [String], timeout: TimeInterval,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> (json: [String: Any], run: ToolRun) {
        let r = try Tools.run(
            [ServeClients.python, script] + arguments, env: server.sdkEnvironment(), timeout: timeout)
        return (try Tools.lastJSONLine(r, sourceLocation: sourceLocation), r)
    }

    /// VmHWM of a process, in KiB.
    static func peakRSS(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }

    @Test("32 clients mix put (some SSE-KMS), get, list and delete: no error, every get byte-exact, RSS bounded")
    func boundedLoad() throws {
        let sb = try Sandbox("serve-load")
        let server = try ServeProcess(sb, arguments: ["--access-log", sb.path("access.log")])
        let seconds = Self.seconds
        let (j, r) = try Self.script(
            server, ["load", RemoteSession.uniqueName("load"), "\(seconds)", "32"], timeout: TimeInterval(seconds + 300)
        )
        let peak = try #require(Self.peakRSS(server.pid), "no VmHWM for pid \(server.pid)")
        #expect(j["ok"] as? Bool == true, "\(r)")
        #expect(j["errors"] as? Int == 0 && j["mismatches"] as? Int == 0, "\(j)")
        let ops = j["ops"] as? [String: Int] ?? [:]
        #expect((ops["put_kms"] ?? 0) > 0 && (ops["get"] ?? 0) > 0 && (ops["list"] ?? 0) > 0, "\(ops)")
        #expect(peak < Self.peakRSSBoundKiB, "peak RSS \(peak) KiB, bound \(Self.peakRSSBoundKiB) KiB: \(j)")
        let moved = (j["bytes_put"] as? Int ?? 0) + (j["bytes_got"] as? Int ?? 0)
        #expect(moved > 2 * Self.peakRSSBoundKiB * 1024, "the run moved only \(moved) bytes: \(j)")
        print("serve load: \(seconds) s, 32 clients, \(ops), \(moved) bytes moved, peak RSS \(peak) KiB")
        expectSuccess(server.stop())
    }

    @Test(
        """
        kill -9 during uploads (single PUT SSE-KMS and multipart), restart on the same store: every object old or \
        new, listing works, unfinished uploads listed and aborted
        """
    )
    func crashDuringUploads() throws {
        let sb = try Sandbox("serve-crash")
        // A fixed pair: the restarted server must accept the same credentials.
        let env: [String: String?] = [
            ServeProcess.accessKeyVariable: "CRASHTESTKEY", ServeProcess.secretKeyVariable: "crash-test-secret-0123",
        ]
        let bucket = RemoteSession.uniqueName("crash"), keys = "24"
        let first = try ServeProcess(sb, env: env)
        let prepared = try Self.script(first, ["crash-prepare", bucket, keys], timeout: 300)
        try #require(prepared.json["ok"] as? Bool == true, "\(prepared.run)")
        let abandoned = prepared.json["uploads"] as? [String] ?? []

        let uploads = try Tools.start(
            [ServeClients.python, Self.script, "crash-upload", bucket, keys, "16"], env: first.sdkEnvironment())
        try #require(uploads.waitFor("in flight", timeout: 60), "uploads never started: \(uploads.wait(timeout: 5))")
        Thread.sleep(forTimeInterval: 3)  // well into bodies and completes
        let killed = first.stop(signal: SIGKILL)
        #expect(killed.signaled, "the server was not killed: \(killed)")
        let uploaded = uploads.wait(timeout: 120)
        #expect(!uploaded.timedOut, "the uploading clients did not stop: \(uploaded)")
        // The kill cut uploads in flight (each client stops at its first failure).
        let cut = (try? Tools.lastJSONLine(uploaded))?["errors"] as? Int ?? 0
        #expect(cut > 0, "no upload was in flight at the kill: \(uploaded)")

        let second = try ServeProcess(sb, env: env)
        let verified = try Self.script(
            second, ["crash-verify", bucket, keys, abandoned.joined(separator: ",")], timeout: 300)
        #expect(verified.json["ok"] as? Bool == true, "\(verified.run)\n--- uploads:\n\(uploaded)")
        print("serve crash: \(uploaded.stdout.split(separator: "\n").last ?? ""), after restart \(verified.json)")
        expectSuccess(second.stop())
    }
}
