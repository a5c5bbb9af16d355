import Foundation
import OBSCore
import OBSCrypto

/// Where the embedded backend keeps its data, and the layout below that root:
///
///     FORMAT                                  "obsctl-local 1"
///     inflight/.tmp-<pid>-<rand>              journals of writes in progress, for crash recovery
///     root-key.check                          check value of the root key this store was created with
///     kms/keystore.lock  kms/keys/<id>.json  kms/policy.json  kms/audit.log  kms/audit.head
///     buckets/<b>/bucket.json  buckets/<b>/.lock
///     buckets/<b>/objects/<h2>/<h>/meta.json  d-<uid>.obx | d-<uid>.bin     (h = hex SHA-256 of the key)
///     serve/tls/ca.pem  server.pem  server.key  `obsctl serve --tls-self-signed` (SelfSignedCertificateFiles)
///
/// The root key itself lives outside this tree (see `RootKey`), so copying the data directory leaks nothing.
public struct LocalPaths: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `$OBSCTL_LOCAL_ROOT`, else `$XDG_DATA_HOME/obsctl`, else `~/.local/share/obsctl`.
    public static func resolveRoot(environment env: [String: String]) -> String {
        if let r = env["OBSCTL_LOCAL_ROOT"], !r.isEmpty { return r }
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return x + "/obsctl" }
        return homeDirectory(env) + "/.local/share/obsctl"
    }

    static func homeDirectory(_ env: [String: String]) -> String {
        if let h = env["HOME"], !h.isEmpty { return h }
        return NSHomeDirectory()
    }

    var formatFile: String { root + "/FORMAT" }
    var rootKeyCheckFile: String { root + "/root-key.check" }
    var kmsDir: String { root + "/kms" }
    var keysDir: String { kmsDir + "/keys" }
    var keystoreLock: String { kmsDir + "/keystore.lock" }
    var policyFile: String { kmsDir + "/policy.json" }
    var auditLog: String { kmsDir + "/audit.log" }
    /// Seq and MAC of the audit line of the last key change (see `AuditLog`).
    var auditHead: String { kmsDir + "/audit.head" }
    var bucketsDir: String { root + "/buckets" }
    /// Journals of the writes in progress, naming the object directories they write to (see `InflightJournal`).
    var inflightDir: String { root + "/inflight" }
    /// The throw-away CA and server certificate of `obsctl serve --tls-self-signed`.
    public var selfSignedTLSDir: String { root + "/serve/tls" }

    /// True when the store holds anything made under a root key: its check value, a bucket or a key record.
    /// Such a store never gets a new root key or a new check value by accident. A directory that exists but
    /// cannot be listed counts as holding data.
    var holdsData: Bool {
        func any(_ dir: String, _ isData: (String) -> Bool) -> Bool {
            guard let names = try? FileIO.listExistingDirectory(dir) else { return true }
            return names.contains(where: isData)
        }
        return FileIO.exists(rootKeyCheckFile)
            || any(bucketsDir) { !$0.hasPrefix(".") }
            || any(keysDir) { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
    }

    func keyRecord(_ keyID: String) -> String { keysDir + "/\(keyID).json" }
    func bucketDir(_ b: BucketName) -> String { bucketsDir + "/" + b.value }
    func bucketFile(_ b: BucketName) -> String { bucketDir(b) + "/bucket.json" }
    func bucketLock(_ b: BucketName) -> String { bucketDir(b) + "/.lock" }
    func objectsDir(_ b: BucketName) -> String { bucketDir(b) + "/objects" }

    func objectDir(_ b: BucketName, _ key: ObjectKey) -> String {
        let h = Hex.encode(Digest.sha256(Array(key.value.utf8)))
        return objectsDir(b) + "/" + h.prefix(2) + "/" + h
    }
    func metaFile(_ b: BucketName, _ key: ObjectKey) -> String { objectDir(b, key) + "/meta.json" }
}
