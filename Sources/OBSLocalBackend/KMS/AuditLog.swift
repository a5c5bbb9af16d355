import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// `kms/audit.log`: one JSON object per line for every KMS operation, allowed or denied. Never holds key
/// material: only operation, key id, action, outcome and a short detail. Each line is one `write` to an
/// O_APPEND descriptor, so concurrent processes never interleave within a line.
struct AuditLog {
    let path: String

    func record(operation: String, keyID: String?, action: KMSAction?, outcome: String, detail: String? = nil) {
        var entry: [String: String] = ["time": RFC3339.format(LocalClock.now()), "operation": operation, "outcome": outcome]
        if let keyID { entry["key_id"] = keyID }
        if let action { entry["action"] = action.rawValue }
        if let detail { entry["detail"] = detail }
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        line.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    }
}
