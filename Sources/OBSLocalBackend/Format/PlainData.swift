import OBSCore
import OBSCrypto

/// The integrity of an unencrypted data file (`d-<uid>.bin`), which has no AEAD of its own.
///
/// New objects record a GMAC of their bytes (`data_mac` in meta.json) under a key derived from the root key and the
/// object's uid: as cheap as a CRC to compute, but a change to the bytes cannot be made to keep it without the root
/// key. Objects written before it existed have none; for them the MD5 their ETag records is checked instead
/// (slower). Either value is covered by the metadata MAC, so it cannot be edited or dropped either.
enum PlainDataCheck {
    static func key(root: SecretBytes, uid: [UInt8]) -> SecretBytes {
        HKDF.sha256(key: root, salt: uid, info: Array("obsctl/v1/plain-data-mac".utf8))
    }

    /// Computes the `data_mac` of bytes as they are written.
    final class Writer {
        private let gmac: GMAC
        init(root: SecretBytes, uid: [UInt8]) throws { gmac = try GMAC(key: PlainDataCheck.key(root: root, uid: uid)) }
        func update(_ bytes: UnsafeRawBufferPointer) { gmac.update(bytes) }
        func finalize() -> String { Base64.encode(gmac.finalize()) }
    }

    /// Checks bytes as they are read against what the metadata recorded.
    final class Verifier {
        private enum Kind { case gmac(GMAC, expected: [UInt8]), md5(Digest, expected: String) }
        private let kind: Kind
        private let what: String

        /// `what` names the object in the error.
        init(meta: ObjectMeta, root: SecretBytes, what: String) throws {
            self.what = what
            if let recorded = meta.dataMAC {
                guard let expected = Base64.decode(recorded), expected.count == AESGCM.tagSize else {
                    throw OBSError.integrity("metadata of \(what) holds a malformed data_mac")
                }
                kind = .gmac(try GMAC(key: PlainDataCheck.key(root: root, uid: meta.uidBytes)), expected: expected)
            } else {
                kind = .md5(Digest(.md5), expected: meta.etag.lowercased())
            }
        }

        /// Checks bytes against their hex MD5 (a stored part of an unencrypted multipart upload).
        init(md5: String, what: String) {
            self.what = what
            kind = .md5(Digest(.md5), expected: md5.lowercased())
        }

        func update(_ bytes: UnsafeRawBufferPointer) {
            switch kind {
            case .gmac(let g, _): g.update(bytes)
            case .md5(let d, _): d.update(bytes)
            }
        }

        func verify() throws {
            let ok: Bool
            switch kind {
            case .gmac(let g, let expected): ok = constantTimeEquals(g.finalize(), expected)
            case .md5(let d, let expected): ok = Hex.encode(d.finalize()) == expected
            }
            guard ok else {
                throw OBSError.integrity("the bytes of \(what) do not match the checksum recorded at upload")
            }
        }
    }
}

/// Serves an unencrypted data file. Every byte goes through the verifier, and the read that reaches the end
/// returns its bytes only after the check passed: an object of up to one read (1 MiB from a download) that was
/// altered yields no byte at all; a larger one fails before its last piece, and a download to a file leaves no file.
final class PlainFileSource: ByteSource {
    private let size: Int64
    private let readAt: OBXDecryptor.ReadAt
    private let verifier: PlainDataCheck.Verifier
    private var offset: Int64 = 0
    private var verified = false

    /// `verifiesAtEnd` false: one part of a multipart object, whose bytes the verifier checks with the parts after.
    init(
        size: Int64, readAt: @escaping OBXDecryptor.ReadAt, verifier: PlainDataCheck.Verifier,
        verifiesAtEnd: Bool = true
    ) {
        self.size = size; self.readAt = readAt; self.verifier = verifier; verified = !verifiesAtEnd
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = Int(min(Int64(buffer.count), size - offset))
        if want <= 0 {
            if !verified { try verifier.verify(); verified = true }
            return 0
        }
        let n = try readAt(offset, UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if n == 0 { throw OBSError.integrity("data file ended early") }
        verifier.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        offset += Int64(n)
        if offset == size && !verified { try verifier.verify(); verified = true }
        return n
    }
}
