import Foundation
import OBSCore
import OBSTransfer
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files downloads write beside their targets: `.NAME.obsctl-PID-RAND.part`, created 0600 (they
/// hold plaintext) and flock'd by their writer until renamed. One left by a killed obsctl is removed by the next
/// download into that directory (see `AbandonedTemp` for how a dead writer is told from a live one).
enum DownloadTemps {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var swept: Set<String> = []  // touched only under `lock`

    /// A new temp name beside `path`. The name is cut to 100 bytes so it stays within NAME_MAX for long names.
    static func name(for path: String) -> String {
        let dir = LocalPath.parent(path)
        let stem = String(decoding: KeyMapping.baseName(path).utf8.prefix(100), as: UTF8.self)
        return (dir.isEmpty ? "" : dir + "/") + ".\(stem).obsctl-\(getpid())-\(Hex.encode(Random.bytes(4))).part"
    }

    /// The writer's pid of a download temp name, nil for any other name.
    static func writerPID(_ name: String) -> Int32? {
        guard name.hasPrefix("."), name.hasSuffix(".part"),
            let r = name.range(of: ".obsctl-", options: .backwards)
        else {
            return nil
        }
        let parts = name[r.upperBound...].dropLast(5).split(separator: "-")
        guard parts.count == 2, parts[1].count == 8, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return Int32(parts[0])
    }

    /// Removes the temps of dead downloads in `dir` (once per directory and process).
    static func sweep(_ dir: String) {
        let key = dir.isEmpty ? "." : dir
        lock.lock()
        let first = swept.insert(key).inserted
        lock.unlock()
        guard first, let names = try? FileManager.default.contentsOfDirectory(atPath: key) else { return }
        for name in names {
            guard let pid = writerPID(name) else { continue }
            let path = key + "/" + name
            if AbandonedTemp.check(path, pid: pid) { unlink(path) }
        }
    }

    /// The mode a file created by open(2) with 0666 would have under the umask. Read once: umask is read by
    /// setting it, and downloads finishing on several threads at once could each read the other's temporary value.
    static let defaultFileMode: mode_t = {
        let mask = umask(0o077)  // read it; a file created meanwhile gets a stricter mode, never a looser one
        umask(mask)
        return 0o666 & ~mask
    }()
}
