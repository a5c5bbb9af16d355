import OBSClient
import OBSCore

/// The aliases of the KMS keys a command shows (`stat`, `ls --output json|ndjson`), for display only: each distinct
/// key is asked of KMS once per command (a listing of many objects under one key makes one call), and nothing
/// that goes wrong here fails the command. A key KMS does not know has no alias; any other failure (no KMS to
/// ask, KMS unreachable, permission denied) stops the asking for the rest of the command. Each is said once
/// under `--debug`.
final class KMSAliases {
    /// The key's alias (nil: it has none), or a thrown error; nil when no KMS can be asked.
    private let describe: ((String) throws -> String?)?
    /// Why there is no KMS to ask (with `describe` nil).
    private let unavailable: String
    private let note: ((String) -> Void)?
    /// Set on the first failure that is not about one key: KMS is not asked again.
    private var gaveUp = false
    private var known: [String: String?] = [:]

    /// `describe`: the alias of a key id or URN. `note`: the `--debug` output, nil without `--debug`.
    init(describe: @escaping (String) throws -> String?, note: ((String) -> Void)?) {
        self.describe = describe
        self.unavailable = ""
        self.note = note
    }

    /// No KMS to ask, and why (said under `--debug` when a key would have been looked up).
    init(unavailable: String, note: ((String) -> Void)?) {
        self.describe = nil
        self.unavailable = unavailable
        self.note = note
    }

    /// The alias of the key `object` is encrypted under, nil when it has none or it cannot be told.
    func alias(for object: ObjectInfo) -> String? {
        guard let ref = object.kmsKeyID ?? object.kmsKeyURN, !ref.isEmpty else { return nil }
        // An id and a URN of one key are one key: asked once.
        let key = KMSKeyReference(ref).keyID ?? ref
        if let cached = known[key] { return cached }
        let found = lookup(ref)
        known[key] = found
        return found
    }

    private func lookup(_ ref: String) -> String? {
        guard !gaveUp else { return nil }
        guard let describe else {
            gaveUp = true
            note?("* KMS key aliases are not shown: \(unavailable)")
            return nil
        }
        do {
            return try describe(ref).flatMap { $0.isEmpty ? nil : $0 }
        } catch let e as OBSError where Self.isUnknownKey(e) {
            note?("* KMS key \(ref) has no alias to show: \(e.message)")
            return nil
        } catch {
            gaveUp = true
            let why = (error as? OBSError)?.message ?? "\(error)"
            note?("* KMS key aliases are not shown: KMS could not be asked about \(ref): \(why)")
            return nil
        }
    }

    /// KMS answered, and does not know this key (deleted, or of another project): other keys may still resolve.
    static func isUnknownKey(_ e: OBSError) -> Bool {
        ["KMS.0207", "KMS.0205", "KMS.NotFoundException", "KMS.KeyDeletedException"].contains(e.code)
    }
}
