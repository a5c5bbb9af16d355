import Foundation
import Testing

/// A store on a full file system (a small tmpfs, mounted in a mount namespace of the test's own: real ENOSPC, no
/// fault injected): writes fail cleanly, and deleting, the way to free space, still works.
@Suite("A full store")
struct FullStoreTests {
    /// Whether this machine lets the test mount a tmpfs in a new mount namespace (root, or a user namespace).
    static let canMount: Bool = {
        let probe =
            "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs \"$d\" && umount \"$d\"; s=$?; rmdir \"$d\"; exit $s"
        return (try? Tools.run(["unshare", "--mount", "--", "sh", "-c", probe]))?.succeeded == true
    }()

    @Test(.enabled(if: canMount, "cannot mount a tmpfs in a mount namespace here (needs root)"))
    func deletingWorksOnAFullStore() throws {
        let sb = try Sandbox("full-store")
        try sb.write("one.bin", randomData(1 << 20))
        let binary = try ObsctlBinary.require()
        let mountPoint = sb.path("mnt")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // One shell in the namespace: the mount lives as long as it does.
        let script = """
            mount -t tmpfs -o size=3m tmpfs "$M" || exit 99
            export OBSCTL_LOCAL_ROOT="$M/store"
            "$B" bucket create obs://full -q || exit 98
            "$B" upload one.bin obs://full/one -q || exit 97
            "$B" upload one.bin obs://full/two -q 2>/dev/null
            cat /dev/zero > "$M/fill" 2>/dev/null
            "$B" upload one.bin obs://full/three -q 2>upload.err; echo "upload=$?"
            "$B" rm obs://full/one 2>rm.err; echo "rm=$?"
            "$B" rm obs://full/ -r -q 2>rmr.err; echo "rmr=$?"
            "$B" ls obs://full/ -r; echo "ls=$?"
            ls -A "$M/store/inflight" 2>/dev/null | wc -l | sed 's/^/inflight=/'
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["--mount", "--", "/bin/sh", "-c", script]
        p.environment = sb.childEnvironment(["B": binary, "M": mountPoint])
        p.currentDirectoryURL = sb.dir
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let errors = ["upload.err", "rm.err", "rmr.err"].map {
            sb.read($0).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        try #require(p.terminationStatus == 0, "set-up failed (\(p.terminationStatus)): \(text)")
        // The write that found no room failed with the local I/O code and its one line.
        #expect(text.contains("upload=1") && errors[0].contains("No space left"), "\(text) \(errors[0])")
        #expect(text.contains("rm=0"), "\(text) \(errors[1])")
        #expect(text.contains("rmr=0"), "\(text) \(errors[2])")
        // Nothing listed: no line between the last rm's status and ls's.
        let lines = text.split(separator: "\n").map(String.init)
        let listed = lines.drop { !$0.hasPrefix("rmr=") }.dropFirst().prefix { !$0.hasPrefix("ls=") }
        #expect(text.contains("ls=0") && listed.isEmpty, "\(text)")
        #expect(text.contains("inflight=0"), "\(text)")
    }
}
