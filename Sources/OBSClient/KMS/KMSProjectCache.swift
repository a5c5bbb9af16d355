import Foundation
import OBSCore

/// Project ids found through IAM, kept so that only the first KMS call of a profile asks IAM: a JSON object in
/// `$XDG_CACHE_HOME/obsctl/kms-projects.json` (else `~/.cache/...`), mode 0600, from "KMS endpoint, region, access
/// key id" to the project id. Never a secret or a token. Keyed by where the id is used, not by the IAM endpoint
/// that found it: once known, IAM need not be reachable. A cache that cannot be read or written is only a cache:
/// the lookup is made again.
public struct KMSProjectCache: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public init(environment env: [String: String]) {
        let base =
            env["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? ((env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.cache")
        path = base + "/obsctl/kms-projects.json"
    }

    public static func key(kms: ServiceEndpoint, region: String, accessKeyID: String) -> String {
        "\(kms.url) \(region) \(accessKeyID)"
    }

    public func lookup(_ key: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_uid == getuid() else { return nil }
        return entries()[key]
    }

    /// Adds `projectID` under `key`.
    public func store(_ projectID: String, for key: String) {
        var all = entries()
        all[key] = projectID
        save(all)
    }

    /// Drops the entry under `key` if it still says `projectID` (KMS refused that id: it went stale). Another
    /// process may have stored a fresh id meanwhile; that one is kept.
    public func remove(_ key: String, ifStill projectID: String) {
        var all = entries()
        guard all[key] == projectID else { return }
        all[key] = nil
        save(all)
    }

    /// Written to a temporary file and renamed, so a reader never sees half a file.
    private func save(_ all: [String: String]) {
        guard let data = try? JSONSerialization.data(withJSONObject: all, options: [.sortedKeys]) else { return }
        let dir = LocalPath.parent(path)
        mkdir(LocalPath.parent(dir), 0o700)
        mkdir(dir, 0o700)
        try? AtomicFile.write([UInt8](data), to: path, durable: false)  // a cache: a lost write is a miss
    }

    private func entries() -> [String: String] {
        // A cache file that is a pipe, a device or huge is a miss, never a wait or a flood.
        guard let bytes = try? SmallFile.read(path, limit: 1 << 20, pipes: false),
            let object = try? JSONSerialization.jsonObject(with: Data(bytes.copyBytes())) as? [String: String]
        else { return [:] }
        return object
    }
}
