import Foundation
import OBSCore
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The local backend's root key: every CMK's material, every keystore record MAC and the SSE-OBS service key
/// derive from it. From `OBSCTL_LOCAL_ROOT_KEY` (base64 of 32 bytes), or a 0600 file
/// `$XDG_CONFIG_HOME/obsctl/local-root.key` created on first use.
public enum RootKey {
    public static let environmentVariable = "OBSCTL_LOCAL_ROOT_KEY"

    public static func keyFilePath(environment env: [String: String]) -> String {
        let config =
            env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? LocalPaths.homeDirectory(env) + "/.config"
        return config + "/obsctl/local-root.key"
    }

    /// Loads the key, creating the key file when neither source exists and the store holds nothing yet: a store
    /// with data never gets a fresh random key by accident (its objects would be unreadable under it).
    static func load(environment env: [String: String], storeHoldsData: () -> String?) throws -> SecretBytes {
        if let text = env[environmentVariable] {
            guard let raw = Base64.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32 else {
                throw OBSError.configuration(
                    "\(environmentVariable) must be the base64 of exactly 32 bytes; create one with 'head -c 32 "
                        + "/dev/urandom | base64'"
                )
            }
            return SecretBytes(copying: raw)
        }
        let path = keyFilePath(environment: env)
        let dir = LocalPath.parent(path)
        FileIO.sweepAbandonedTemps(dir)
        if let key = try readKeyFile(path) { return key }
        if let root = storeHoldsData() {
            throw OBSError.configuration(
                "root key file \(path) missing: the store \(root) holds data "
                    + "created under a root key; "
                    + "restore the key file from your backup or set \(environmentVariable) to that key")
        }
        try createKeyFile(path)
        guard let key = try readKeyFile(path) else {
            throw OBSError.configuration("root key file \(path) vanished while being created")
        }
        return key
    }

    private static func readKeyFile(_ path: String) throws -> SecretBytes? {
        // As `FileIO.openRegular`, plus O_NOFOLLOW, ownership and mode checks, and exit 12 (configuration).
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP {
                throw OBSError.configuration(
                    "root key file \(path) is a symbolic link, which obsctl does not follow; "
                        + "replace it with the key file itself or set \(environmentVariable)")
            }
            throw OBSError.configuration(
                "cannot read root key file \(path): \(OBSError.reason(errno)); fix its permissions (chmod "
                    + "600) or set \(environmentVariable)"
            )
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw OBSError.configuration("cannot stat root key file \(path)") }
        if let kind = FileKind.describe(st.st_mode) {
            throw OBSError.configuration(
                "root key file \(path) is \(kind), not a regular file; move it "
                    + "away and restore "
                    + "the key file from your backup (or set \(environmentVariable))")
        }
        guard st.st_uid == geteuid() else {
            throw OBSError.configuration(
                "root key file \(path) belongs to another user (uid \(st.st_uid)); refusing to use it")
        }
        guard st.st_mode & 0o077 == 0 else {
            throw OBSError.configuration(
                String(
                    format: "root key file %@ is readable by group or others (mode %04o); run 'chmod 600 %@'", path,
                    Int(st.st_mode & 0o777), path))
        }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        defer { buf.withUnsafeMutableBytes { wipe($0) } }
        guard n > 0,
            let raw = Base64.decode(
                String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            raw.count == 32
        else {
            throw OBSError.configuration(
                "root key file \(path) does not hold the base64 of 32 bytes; restore it from your backup or set "
                    + "\(environmentVariable)"
            )
        }
        return SecretBytes(copying: raw)
    }

    /// Writes a fresh key to a temp file and links it into place: `link` fails if another process won the race,
    /// and then that process's key is the one used.
    private static func createKeyFile(_ path: String) throws {
        let dir = LocalPath.parent(path)
        try FileIO.makeDirectories(dir)
        let key = Random.secret(32)
        var text = Array((Base64.encode(key.copyBytes()) + "\n").utf8)
        defer { text.withUnsafeMutableBytes { wipe($0) } }
        let tmp = FileIO.tempPath(in: dir)
        let fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw OBSError.configuration("cannot create root key file in \(dir): \(OBSError.reason(errno))")
        }
        defer { unlink(tmp) }
        do {
            defer { close(fd) }
            try text.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: tmp) }
            let e = GroupSync.shared.sync(fd)
            guard e == 0 else { throw FileIO.ioError("fsync", tmp, e) }
        }
        if link(tmp, path) != 0 && errno != EEXIST {
            throw OBSError.configuration("cannot create root key file \(path): \(OBSError.reason(errno))")
        }
        try FileIO.fsyncDirectory(dir)
    }

    /// A short, non-secret value that identifies the key, stored beside the data so a different key is reported
    /// as "root key mismatch" rather than as tampering.
    static func checkValue(_ key: SecretBytes) -> String {
        Hex.encode(HMAC.sha256(key: key, data: Array("obsctl/v1/kcv".utf8)).prefix(8))
    }
}

/// Wipes a buffer that held key material (`explicit_bzero` is not optimised away, unlike a plain memset).
func wipe(_ b: UnsafeMutableRawBufferPointer) { if let p = b.baseAddress { explicit_bzero(p, b.count) } }
