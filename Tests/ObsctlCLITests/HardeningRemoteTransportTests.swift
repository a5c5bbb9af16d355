import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

// Issue 9, item 1: SSE-KMS and SSE-C over plain HTTP go only to a loopback address, decided on the address the
// connection uses, never on how the host is spelled. A TCP listener on this machine's non-loopback address stands
// for "another machine" and records every byte it receives; names are mapped to it by a private /etc/hosts
// (a mount namespace made with `unshare -rm`, so the real file is never touched).

/// A TCP listener (python3) on `address` that appends every received byte to a file, until stopped.
final class RecordingListener {
    let port: Int
    let log: URL
    private let process: Process

    init(address: String, directory: URL) throws {
        log = directory.appendingPathComponent("listener-\(UUID().uuidString.prefix(8)).bin")
        let portFile = directory.appendingPathComponent("listener-\(UUID().uuidString.prefix(8)).port")
        let script = """
            import socket, sys, threading
            s = socket.socket(); s.bind((sys.argv[1], 0)); s.listen(16)
            open(sys.argv[3], "w").write(str(s.getsockname()[1]))
            out = open(sys.argv[2], "ab", buffering=0)
            def serve(c):
                try:
                    while True:
                        d = c.recv(65536)
                        if not d: break
                        out.write(d)
                except OSError: pass
                c.close()
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, address, log.path, portFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var port = 0
        for _ in 0..<100 where port == 0 {
            Thread.sleep(forTimeInterval: 0.05)
            port = Int((try? String(contentsOf: portFile, encoding: .utf8)) ?? "") ?? 0
        }
        self.port = port
    }

    /// Everything received so far.
    var received: Data { (try? Data(contentsOf: log)) ?? Data() }

    deinit { kill(process.processIdentifier, SIGKILL) }  // this child only, by its pid
}

enum NonLoopback {
    /// An IPv4 address of this machine that is not loopback, if there is one.
    static let ipv4: String? = {
        var list: UnsafeMutablePointer<ifaddrs>? = nil
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var p = list
        while let a = p {
            defer { p = a.pointee.ifa_next }
            guard let sa = a.pointee.ifa_addr, sa.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    sa, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
                    == 0
            else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { return text }
        }
        return nil
    }()

    /// `unshare -rm` works here (a private mount namespace for a private /etc/hosts).
    static let canUnshare: Bool = (try? Tools.run(["unshare", "-rm", "true"], timeout: 10).succeeded) ?? false
}

@Suite(
    "Hardening: SSE over plain HTTP only to a loopback address (connected address)", .serialized,
    .enabled(if: NonLoopback.ipv4 != nil, "this machine has no non-loopback IPv4 address"))
struct HardeningRemoteTransportTests {
    /// Every command that carries SSE-KMS or SSE-C intent, against `obs://rt-sse/...`.
    static let commands: [[String]] = [
        ["upload", "f.bin", "obs://rt-sse/f", "--sse-c-key-file", "k"],
        ["upload", "f.bin", "obs://rt-sse/f", "--sse", "kms"],
        ["upload", "big.bin", "obs://rt-sse/f", "--sse-c-key-file", "k", "--multipart-threshold", "5M"],
        ["download", "obs://rt-sse/f", "out.bin", "--sse-c-key-file", "k"],
        ["stat", "obs://rt-sse/f", "--sse-c-key-file", "k"],
        ["cp", "obs://rt-sse/f", "obs://rt-sse/g", "--sse", "kms"],
        ["cp", "obs://rt-sse/f", "obs://rt-sse/g", "--source-sse-c-key-file", "k"],
        ["bucket", "create", "obs://rt-sse", "--sse", "kms"],
        ["bucket", "encryption", "enable", "obs://rt-sse", "--sse", "kms"],
    ]

    private func sandbox(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        sb.environment["OBS_ACCESS_KEY_ID"] = "AKIDTEST"
        sb.environment["OBS_SECRET_ACCESS_KEY"] = "secret-test-key"
        try sb.write("f.bin", Data("payload".utf8))
        try sb.write("big.bin", Data(count: 6 << 20))
        try sb.write("k", Data((0..<32).map { UInt8($0) }), mode: 0o600)
        return sb
    }

    /// Runs obsctl with `hosts` as /etc/hosts (a private mount namespace).
    private func runWithHosts(_ sb: Sandbox, _ hosts: String, _ args: [String]) throws -> RunResult {
        let hostsFile = try sb.write("hosts", Data(hosts.utf8))
        let binary = try ObsctlBinary.require()
        let wrapper = try sb.write(
            "with-hosts.sh",
            Data(
                """
                #!/bin/sh
                exec unshare -rm sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' \(hostsFile) \(binary) "$@"

                """.utf8), mode: 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper)
        process.arguments = args
        process.environment = sb.childEnvironment([:])
        process.currentDirectoryURL = sb.dir
        let id = UUID().uuidString.prefix(8)
        let outURL = sb.ioDir.appendingPathComponent("\(id).out"), errURL = sb.ioDir.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let running = RunningObsctl(process: process, arguments: args, outURL: outURL, errURL: errURL)
        process.terminationHandler = { [done = running.done] _ in done.signal() }
        try process.run()
        try? out.close(); try? err.close()
        return running.wait()
    }

    @Test("a literal non-loopback address: refused before any connection, exit 2, the listener got nothing")
    func literalAddress() throws {
        let ip = try #require(NonLoopback.ipv4)
        let sb = try sandbox("sse-literal")
        let listener = try RecordingListener(address: ip, directory: sb.dir)
        try #require(listener.port > 0, "the listener did not start")
        for args in Self.commands {
            let r = try sb.run(args + ["--endpoint", "http://\(ip):\(listener.port)", "--retries", "0"])
            expectRemoteError(r, 2, contains: ["HTTPS", ip])
            #expect(!sb.exists("out.bin"))
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(
            listener.received.isEmpty,
            "bytes reached the listener: \(String(decoding: listener.received.prefix(300), as: UTF8.self))")
    }

    @Test(
        "a name starting with 127. that resolves elsewhere: refused, exit 2, the listener got nothing",
        .enabled(if: NonLoopback.canUnshare, "unshare -rm is not available"))
    func misleadingName() throws {
        let ip = try #require(NonLoopback.ipv4)
        let sb = try sandbox("sse-name")
        let listener = try RecordingListener(address: ip, directory: sb.dir)
        try #require(listener.port > 0, "the listener did not start")
        let hosts = "127.0.0.1 localhost\n\(ip) 127.attacker.example localhost.attacker.example\n"
        for host in ["127.attacker.example", "localhost.attacker.example"] {
            for args in Self.commands {
                let r = try runWithHosts(
                    sb, hosts,
                    args + [
                        "--endpoint", "http://\(host):\(listener.port)", "--retries", "0",
                        "--addressing", "path",
                    ])
                expectRemoteError(r, 2, contains: ["HTTPS", ip])
            }
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(
            listener.received.isEmpty,
            "bytes reached the listener: \(String(decoding: listener.received.prefix(300), as: UTF8.self))")
    }

    @Test(
        "the endpoint resolves to loopback but the bucket's virtual host does not: stopped on the connected address",
        .enabled(if: NonLoopback.canUnshare, "unshare -rm is not available"))
    func connectedAddressDecides() throws {
        let ip = try #require(NonLoopback.ipv4)
        let sb = try sandbox("sse-rebind")
        let listener = try RecordingListener(address: ip, directory: sb.dir)
        try #require(listener.port > 0, "the listener did not start")
        // The name check passes (127.0.0.1); the request itself goes to rt-sse.<name>, which is the other address.
        let hosts = "127.0.0.1 localhost sse.rebind.example\n\(ip) rt-sse.sse.rebind.example\n"
        // Not `bucket create` (its own name is the virtual host) nor `cp --sse kms` (its HEAD of the source, which
        // carries no SSE, goes first and finds no HTTP server).
        for args in Self.commands
        where (args[0] != "bucket" || args[1] == "encryption") && !(args[0] == "cp" && args.contains("kms")) {
            let r = try runWithHosts(
                sb, hosts,
                args + [
                    "--endpoint", "http://sse.rebind.example:\(listener.port)", "--retries", "0",
                    "--addressing", "virtual",
                ])
            expectRemoteError(r, 2, contains: ["HTTPS", ip])
            #expect(!sb.exists("out.bin"))
        }
        Thread.sleep(forTimeInterval: 0.3)
        // A connection was made (that is where the address is known), but no request with SSE intent was sent:
        // no SSE header, no encryption configuration (requests without SSE intent, such as a HEAD, may go).
        let text = String(decoding: listener.received, as: UTF8.self).lowercased()
        #expect(
            !text.contains("server-side-encryption") && !text.contains("?encryption") && !text.contains("aws:kms"),
            "an SSE request reached the listener: \(text.prefix(600))")
    }
}
