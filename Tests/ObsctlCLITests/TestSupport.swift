import Foundation
import Testing
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

// End-to-end support: every test runs the built `obsctl` binary as a child process in its own temporary directory,
// with an environment built from scratch (nothing named OBSCTL_* leaks in from the parent). Tests run in parallel,
// so nothing here calls setenv or chdir: the working directory is passed to the child through Process.

// MARK: - The binary

enum ObsctlBinary {
    /// The `obsctl` executable built next to the test bundle, or `$OBSCTL_TEST_BINARY` when set.
    static let path: String? = locate()

    private static func locate() -> String? {
        let fm = FileManager.default
        if let p = ProcessInfo.processInfo.environment["OBSCTL_TEST_BINARY"], fm.isExecutableFile(atPath: p) {
            return p
        }
        var starts: [URL] = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap {
            $0
        }
        if let arg0 = CommandLine.arguments.first {
            let cwd = URL(fileURLWithPath: fm.currentDirectoryPath, isDirectory: true)
            starts.append(URL(fileURLWithPath: arg0, relativeTo: cwd).deletingLastPathComponent())
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            starts.append(bundle.bundleURL.deletingLastPathComponent())
        }
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent("obsctl").path
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
                    fm.isExecutableFile(atPath: candidate)
                {
                    return candidate
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(
            path,
            """
            cannot find the obsctl executable next to the test bundle (\(Bundle.main.bundlePath)); build it with \
            'swift build --build-tests'
            """,
            sourceLocation: sourceLocation)
    }
}

// MARK: - A finished run

struct RunResult: CustomStringConvertible {
    var arguments: [String]
    /// Exit status, or the signal number when `signaled`.
    var status: Int32
    /// True when the process ended by an uncaught signal (`Process.TerminationReason.uncaughtSignal`).
    var signaled: Bool
    var timedOut: Bool
    var stdout: Data
    var stderr: String

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var stderrLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
    var succeeded: Bool { !signaled && !timedOut && status == 0 }

    var description: String {
        "obsctl \(arguments.joined(separator: " ")) -> \(signaled ? "signal " : "status ")\(status)"
            + "\(timedOut ? " (timed out)" : "")\n--- stdout (\(stdout.count) bytes):\n\(String(out.prefix(2000)))\n"
            + "--- stderr:\n\(String(stderr.prefix(2000)))"
    }
}

/// A process started with `Sandbox.start`, to be waited for with `wait()`.
final class RunningObsctl {
    let process: Process
    let arguments: [String]
    let outURL: URL
    let errURL: URL
    let done = DispatchSemaphore(value: 0)

    init(process: Process, arguments: [String], outURL: URL, errURL: URL) {
        self.process = process; self.arguments = arguments; self.outURL = outURL; self.errURL = errURL
    }

    /// Whether `text` shows up in what the process wrote to stderr so far, polled for `timeout` at most.
    func waitForStderr(_ text: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        repeat {
            if let data = try? Data(contentsOf: errURL), String(decoding: data, as: UTF8.self).contains(text) {
                return true
            }
            usleep(20_000)
        } while Date() < deadline
        return false
    }

    func wait(timeout: TimeInterval = 90) -> RunResult {
        var timedOut = false
        if done.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)  // only this child, by its pid
            _ = done.wait(timeout: .now() + 10)
        }
        let stdout = (try? Data(contentsOf: outURL)) ?? Data()
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        return RunResult(
            arguments: arguments, status: process.terminationStatus,
            signaled: process.terminationReason == .uncaughtSignal, timedOut: timedOut, stdout: stdout, stderr: stderr)
    }
}

// MARK: - The sandbox

/// One test's private world: `<dir>/root` is the local backend root, `<dir>/cfg` the XDG config home (where the
/// root key file is created), `<dir>` is HOME and the working directory of every run. Removed at the end of the
/// test unless OBSCTL_TEST_KEEP is set.
final class Sandbox {
    let dir: URL
    let ioDir: URL
    var root: String { dir.path + "/root" }
    var configHome: String { dir.path + "/cfg" }
    var rootKeyFile: String { configHome + "/obsctl/local-root.key" }
    /// Extra variables for every run of this sandbox (for example OBSCTL_LOCAL_ROOT_KEY).
    var environment: [String: String] = [:]

    init(_ name: String = "t") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("obsctl-cli-tests", isDirectory: true)
        dir = base.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        ioDir = base.appendingPathComponent(".io-\(dir.lastPathComponent)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: ioDir, withIntermediateDirectories: true)
    }

    deinit {
        if ProcessInfo.processInfo.environment["OBSCTL_TEST_KEEP"] == nil {
            try? FileManager.default.removeItem(at: dir)
        }
        try? FileManager.default.removeItem(at: ioDir)
    }

    /// The child's environment: built from scratch, never inheriting OBSCTL_* from the parent. A nil value in
    /// `extra` removes that variable.
    func childEnvironment(_ extra: [String: String?]) -> [String: String] {
        var env: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": dir.path,
            "XDG_CONFIG_HOME": configHome,
            "OBSCTL_LOCAL_ROOT": root,
            "LANG": "C.UTF-8",
        ]
        for (k, v) in environment { env[k] = v }
        for (k, v) in extra { env[k] = v }
        return env
    }

    /// Starts obsctl without waiting. stdout and stderr go to files (no pipes to drain), stdin is `stdin` or
    /// /dev/null. `fileSizeLimit`: a limit in bytes on the files obsctl writes (RLIMIT_FSIZE, with SIGXFSZ
    /// ignored), so that writing past it fails with EFBIG as on a full disk. `wrapper`: a shell script obsctl runs
    /// through, ending in `exec ... "$@"` (another user, other limits).
    func start(
        _ arguments: [String], stdin: Data? = nil, stdinPipe: Pipe? = nil, env extra: [String: String?] = [:],
        cwd: URL? = nil,
        fileSizeLimit: Int? = nil, wrapper: String? = nil
    ) throws -> RunningObsctl {
        let binary = try ObsctlBinary.require()
        let id = UUID().uuidString.prefix(12)
        let outURL = ioDir.appendingPathComponent("\(id).out"), errURL = ioDir.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        if let script = wrapper ?? fileSizeLimit.map({ "trap '' XFSZ; exec prlimit --fsize=\($0) -- \"$@\"" }) {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, "sh", binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
        }
        process.environment = childEnvironment(extra)
        process.currentDirectoryURL = cwd ?? dir
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        var inHandle: FileHandle? = nil
        if let stdinPipe {
            process.standardInput = stdinPipe
        } else if let stdin {
            let inURL = ioDir.appendingPathComponent("\(id).in")
            try stdin.write(to: inURL)
            inHandle = try FileHandle(forReadingFrom: inURL)
            process.standardInput = inHandle
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let running = RunningObsctl(process: process, arguments: arguments, outURL: outURL, errURL: errURL)
        process.terminationHandler = { [done = running.done] _ in done.signal() }
        try process.run()
        try? outHandle.close(); try? errHandle.close(); try? inHandle?.close()
        return running
    }

    /// Runs obsctl through `script` (a shell script that ends in `exec ... "$@"`) to completion.
    func runWrapped(_ script: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> RunResult {
        try start(arguments, wrapper: script).wait(timeout: timeout)
    }

    /// The tests run as root, whom permissions do not stop: `runAsNobody` runs obsctl as nobody, which must own
    /// the sandbox first (this call) to use its store.
    func giveToNobody() throws {
        let chown = Process()
        chown.executableURL = URL(fileURLWithPath: "/bin/chown")
        chown.arguments = ["-R", "65534:65534", dir.path]
        try chown.run(); chown.waitUntilExit()
        try #require(chown.terminationStatus == 0, "chown of \(dir.path) failed")
    }

    /// Runs obsctl as nobody (uid and gid 65534, no supplementary groups), so that file permissions apply.
    func runAsNobody(_ arguments: [String]) throws -> RunResult {
        try runWrapped("exec setpriv --reuid=65534 --regid=65534 --clear-groups -- \"$@\"", arguments)
    }

    /// Runs obsctl to completion.
    @discardableResult
    func run(
        _ arguments: [String], stdin: Data? = nil, env extra: [String: String?] = [:], cwd: URL? = nil,
        fileSizeLimit: Int? = nil
    ) throws -> RunResult {
        try start(arguments, stdin: stdin, env: extra, cwd: cwd, fileSizeLimit: fileSizeLimit).wait()
    }

    /// A sandbox with a made-up key pair in OBS_ACCESS_KEY_ID / OBS_SECRET_ACCESS_KEY: for commands refused before
    /// any request, or sent to an endpoint that never answers with a signature check.
    static func withExampleCredentials(_ name: String) throws -> Sandbox {
        let sb = try Sandbox(name)
        sb.environment["OBS_ACCESS_KEY_ID"] = "AKIAEXAMPLE000000000"
        sb.environment["OBS_SECRET_ACCESS_KEY"] = "secretsecretsecretsecretsecretsecret0000"
        return sb
    }

    /// A new local bucket holding a small object under each of `keys`.
    func bucket(_ name: String, withObjects keys: [String]) throws {
        try ok(["bucket", "create", "obs://" + name])
        try write("object-body.txt", Data("f".utf8))
        for key in keys { try ok(["upload", "object-body.txt", "obs://\(name)/\(key)"]) }
    }

    /// Runs obsctl and requires success.
    @discardableResult
    func ok(
        _ arguments: [String], stdin: Data? = nil, env extra: [String: String?] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> RunResult {
        let r = try run(arguments, stdin: stdin, env: extra)
        try #require(r.succeeded, "expected success: \(r)", sourceLocation: sourceLocation)
        return r
    }

    /// Runs obsctl with `--output json` appended and parses stdout as a JSON object.
    func json(
        _ arguments: [String], stdin: Data? = nil, env extra: [String: String?] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        let r = try ok(arguments + ["--output", "json"], stdin: stdin, env: extra, sourceLocation: sourceLocation)
        return try parseJSONObject(r.stdout, sourceLocation: sourceLocation)
    }

    // MARK: Files

    func path(_ relative: String) -> String { dir.path + "/" + relative }

    @discardableResult
    func write(_ relative: String, _ data: Data, mode: Int = 0o644) throws -> String {
        let p = path(relative)
        try FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: p))
        chmod(p, mode_t(mode))
        return p
    }

    func read(_ relative: String) -> Data? { FileManager.default.contents(atPath: path(relative)) }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Every regular file below `relative` (default: the whole sandbox), as paths relative to the sandbox.
    func files(under relative: String = "") -> Set<String> {
        let base = relative.isEmpty ? dir.path : path(relative)
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out = Set<String>()
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = base + "/" + rel
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out.insert(relative.isEmpty ? rel : relative + "/" + rel)
            }
        }
        return out
    }

    /// The object directories of a bucket: root/buckets/<b>/objects/<h2>/<h>.
    func objectDirectories(bucket: String) -> [String] {
        let objects = root + "/buckets/\(bucket)/objects"
        var out: [String] = []
        for h2 in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] where !h2.hasPrefix(".") {
            for h in (try? FileManager.default.contentsOfDirectory(atPath: objects + "/" + h2)) ?? []
            where !h.hasPrefix(".") {
                out.append(objects + "/" + h2 + "/" + h)
            }
        }
        return out.sorted()
    }

    /// The directory of one object, found through its meta.json's key.
    /// Damages a local object's metadata and returns its directory: `keyKept` keeps the key readable (a field is
    /// renamed, so a listing still places the object), else the metadata is not JSON and the key is lost too.
    @discardableResult
    func damageObject(bucket: String, key: String, keyKept: Bool) throws -> String {
        let dir = try #require(objectDirectory(bucket: bucket, key: key))
        let meta = try String(contentsOfFile: dir + "/meta.json", encoding: .utf8)
        let damaged = keyKept ? meta.replacingOccurrences(of: "\"size\"", with: "\"sise\"") : "garbage"
        try damaged.write(toFile: dir + "/meta.json", atomically: false, encoding: .utf8)
        return dir
    }

    func objectDirectory(bucket: String, key: String) -> String? {
        for d in objectDirectories(bucket: bucket) {
            guard let data = FileManager.default.contents(atPath: d + "/meta.json"),
                let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            if obj["key"] as? String == key { return d }
        }
        return nil
    }

    func directoryListing(_ absolute: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []).sorted()
    }
}

// MARK: - Assertions

/// Expects a single failed command: exit `code`, exactly one non-empty line on stderr starting "obsctl: error:",
/// nothing on stdout (unless `allowStdout`), and the message containing each of `contains` (case-insensitive).
func expectError(
    _ r: RunResult, _ code: Int32, contains: [String] = [], allowStdout: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        !r.signaled && !r.timedOut && r.status == code, "expected exit \(code): \(r)", sourceLocation: sourceLocation)
    let lines = r.stderrLines
    #expect(lines.count == 1, "expected exactly one line on stderr: \(r)", sourceLocation: sourceLocation)
    #expect(
        lines.first?.hasPrefix("obsctl: error:") == true, "stderr must start with 'obsctl: error:': \(r)",
        sourceLocation: sourceLocation)
    if !allowStdout { #expect(r.stdout.isEmpty, "expected nothing on stdout: \(r)", sourceLocation: sourceLocation) }
    for word in contains {
        #expect(
            r.stderr.lowercased().contains(word.lowercased()), "stderr should mention '\(word)': \(r)",
            sourceLocation: sourceLocation)
    }
}

func expectSuccess(_ r: RunResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.succeeded, "expected success: \(r)", sourceLocation: sourceLocation)
}

func parseJSONObject(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let any = try JSONSerialization.jsonObject(with: data)
    return try #require(
        any as? [String: Any], "stdout is not a JSON object: \(String(decoding: data, as: UTF8.self))",
        sourceLocation: sourceLocation)
}

/// `"name:   value"` lines (stat, kms key describe) as a dictionary.
func fields(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return out
}

func isUUID(_ s: Any?) -> Bool {
    guard let s = s as? String, s.count == 36 else { return false }
    return UUID(uuidString: s) != nil && s == s.lowercased()
}

func isRFC3339(_ s: Any?) -> Bool {
    guard let s = s as? String else { return false }
    let f = ISO8601DateFormatter(); f.formatOptions = [.withInternetDateTime]
    return f.date(from: s) != nil
}

// MARK: - Bytes

func randomData(_ count: Int) -> Data {
    var g = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: count)
    for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &g) }
    return Data(bytes)
}

func hexString(_ d: Data, uppercase: Bool = false) -> String {
    let s = d.map { String(format: "%02x", $0) }.joined()
    return uppercase ? s.uppercased() : s
}

func md5Base64(_ d: Data) -> String { Data(Digest.md5(Array(d))).base64EncodedString() }

/// Every text form a secret could leak in: raw, lower and upper hex, base64 (standard, unpadded, URL-safe).
func secretForms(_ secret: Data) -> [(String, Data)] {
    let b64 = secret.base64EncodedString()
    let unpadded = b64.replacingOccurrences(of: "=", with: "")
    let url = unpadded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    return [
        ("raw", secret), ("hex", Data(hexString(secret).utf8)), ("HEX", Data(hexString(secret, uppercase: true).utf8)),
        ("base64", Data(b64.utf8)), ("base64-unpadded", Data(unpadded.utf8)), ("base64url", Data(url.utf8)),
    ]
}

/// Flips one bit of the byte at `offset` in a file.
func flipByte(_ path: String, at offset: Int) throws {
    var d = try Data(contentsOf: URL(fileURLWithPath: path))
    d[offset] ^= 0x01
    try d.write(to: URL(fileURLWithPath: path))
}
