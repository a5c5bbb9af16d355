import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files named on the command line that obsctl reads whole (SSE-C keys, the config file): a device, a directory or
/// an oversized file is one clear error naming it, with nothing stored; a pipe (`<(pass show key)`) works.
@Suite struct SmallFileInputsTests {
    @Test func sseCKeyFilesOfEveryKind() throws {
        let sb = try Sandbox("keyfiles")
        try sb.ok(["bucket", "create", "obs://keyfiles"])
        try sb.write("f.txt", Data("payload".utf8))
        try sb.write("big.key", Data(repeating: 0x61, count: 5000))
        try FileManager.default.createDirectory(atPath: sb.path("keydir"), withIntermediateDirectories: true)
        let cases: [(String, [String])] = [
            ("/dev/zero", ["/dev/zero", "is a device"]),
            (sb.path("keydir"), ["keydir", "is a directory"]),
            (sb.path("big.key"), ["big.key", "larger than 4 KiB"]),
            (sb.path("absent.key"), ["absent.key", "does not exist"]),
        ]
        for (file, words) in cases {
            let r = try sb.run(["upload", "f.txt", "obs://keyfiles/k", "--sse", "c", "--sse-c-key-file", file])
            expectError(r, 7, contains: words)
        }
        let listed = try sb.json(["ls", "obs://keyfiles", "--recursive"])
        #expect((listed["objects"] as? [Any])?.isEmpty == true, "nothing stored: \(listed)")

        // The key through a named pipe, as a shell's process substitution passes it.
        let key = String(repeating: "ab", count: 32)
        let fifo = sb.path("key.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            let bytes = Array((key + "\n").utf8)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        try sb.ok(["upload", "f.txt", "obs://keyfiles/k", "--sse", "c", "--sse-c-key-file", fifo])
        try sb.write("same.key", Data(key.utf8))
        try sb.ok(["download", "obs://keyfiles/k", "out.txt", "--sse-c-key-file", sb.path("same.key")])
        #expect(FileManager.default.contents(atPath: sb.path("out.txt")) == Data("payload".utf8))
    }

    @Test func aConfigFileThatIsNoFileIsAConfigurationError() throws {
        let sb = try Sandbox("configkinds")
        for (file, words) in [("/dev/zero", ["/dev/zero", "is a device"]), (sb.dir.path, ["is a directory"])] {
            expectError(try sb.run(["bucket", "list"], env: ["OBSCTL_CONFIG": file]), 12, contains: words)
        }
    }

    /// Other tools' settings files are found, not named: one that is a pipe with no writer or a device is passed
    /// over as if missing, and no command waits on it.
    @Test func otherToolsFilesThatAreNoFilesAreSkipped() throws {
        let sb = try Sandbox("othertools")
        let fifo = sb.path("aws.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for file in [fifo, "/dev/zero"] {
            let r = try sb.run(
                ["bucket", "list"], env: ["AWS_CONFIG_FILE": file, "AWS_SHARED_CREDENTIALS_FILE": file])
            #expect(r.succeeded && !r.timedOut, "\(file): \(r)")
        }
    }
}
