import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

/// Data-key wrapping (docs/local-backend-design.md §7.5): the canonical context encoding, SSE-OBS and SSE-C wraps, and
/// the 117-byte KMS data key blob.
@Suite("Key wrapping")
struct KeyWrapTests {
    static let dekBytes: [UInt8] = (0..<32).map { 0xC0 + UInt8($0) }
    static var dek: SecretBytes { SecretBytes(copying: dekBytes) }
    static let uid: [UInt8] = (0..<16).map { 0x50 + UInt8($0) }
    static let context = WrapContext(bucket: "bucket-a", key: "dir/file.txt", uid: uid)

    /// Every single-field change of the wrap context.
    static var alteredContexts: [WrapContext] {
        var uid2 = uid; uid2[0] ^= 1
        return [
            WrapContext(bucket: "bucket-b", key: "dir/file.txt", uid: uid),
            WrapContext(bucket: "bucket-a", key: "dir/file.txT", uid: uid),
            WrapContext(bucket: "bucket-a", key: "dir/file.txt", uid: uid2),
            // Shifting a byte between bucket and key must not produce the same encoding.
            WrapContext(bucket: "bucket-ad", key: "ir/file.txt", uid: uid),
        ]
    }

    // MARK: Canonical encoding

    @Test("canonical encoding is length-prefixed, sorted by UTF-8 bytes, and exact")
    func canonicalBytes() {
        var w = CanonicalWriter(label: "L")
        w.append(["b": "2", "a": "1"])
        // lp("L") ‖ BE32(2) ‖ lp("a") lp("1") ‖ lp("b") lp("2")
        #expect(
            Hex.encode(w.bytes) == "000000014c" + "00000002" + "0000000161" + "0000000131" + "0000000162" + "0000000132"
        )

        var x = CanonicalWriter(label: "L"); x.append(["ab": "c"])
        var y = CanonicalWriter(label: "L"); y.append(["a": "bc"])
        #expect(x.bytes != y.bytes)

        // Byte order, not locale order: "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9).
        var z = CanonicalWriter(label: ""); z.append(["é": "3", "a": "2", "Z": "1"])
        let s = z.bytes
        let iZ = s.firstIndex(of: 0x5A)!, ia = s.firstIndex(of: 0x61)!, ie = s.firstIndex(of: 0xC3)!
        #expect(iZ < ia && ia < ie)

        // Optional strings: absent and empty differ.
        var n1 = CanonicalWriter(label: ""); n1.append(nil as String?)
        var n2 = CanonicalWriter(label: ""); n2.append("" as String?)
        #expect(n1.bytes != n2.bytes)
    }

    @Test("wrap context names bucket, object and hex uid")
    func wrapContextMap() {
        #expect(
            Self.context.map == [
                "obs:bucket": "bucket-a", "obs:object": "dir/file.txt", "obs:uid": "505152535455565758595a5b5c5d5e5f",
            ])
        for other in Self.alteredContexts {
            #expect(other.canonical(label: "x") != Self.context.canonical(label: "x"))
        }
    }

    // MARK: SSE-OBS

    @Test("SSE-OBS wrap round-trips and binds root key and context")
    func sseOBS() throws {
        let root = SecretBytes(copying: testRootKeyBytes)
        let w = try SSEOBSWrap.seal(dek: Self.dek, root: root, context: Self.context)
        #expect(w.salt.count == 16 && w.nonce.count == 12 && w.sealed.count == 48)
        #expect(try SSEOBSWrap.open(w, root: root, context: Self.context).copyBytes() == Self.dekBytes)

        #expect(throws: (any Error).self) {
            _ = try SSEOBSWrap.open(w, root: SecretBytes(copying: otherRootKeyBytes), context: Self.context)
        }
        for other in Self.alteredContexts {
            #expect(throws: (any Error).self) { _ = try SSEOBSWrap.open(w, root: root, context: other) }
        }
        for field in 0..<3 {
            var bad = w
            switch field {
            case 0: bad.salt[0] ^= 1;
            case 1: bad.nonce[0] ^= 1;
            default: bad.sealed[40] ^= 1
            }
            #expect(throws: (any Error).self) { _ = try SSEOBSWrap.open(bad, root: root, context: Self.context) }
        }
        // Fresh salt and nonce every time.
        let w2 = try SSEOBSWrap.seal(dek: Self.dek, root: root, context: Self.context)
        #expect(w2.salt != w.salt && w2.nonce != w.nonce && w2.sealed != w.sealed)
        // The wrap never holds the data key in the clear.
        #expect(!contains(w.salt + w.nonce + w.sealed, Array(Self.dekBytes[0..<8])))
    }

    // MARK: SSE-C

    @Test("SSE-C wrap round-trips and fails with another key or context")
    func sseC() throws {
        let k = try customerKey()
        let w = try SSECWrap.seal(dek: Self.dek, customerKey: k, context: Self.context)
        #expect(w.salt.count == 32 && w.nonce.count == 12 && w.sealed.count == 48)
        #expect(try SSECWrap.open(w, customerKey: k, context: Self.context).copyBytes() == Self.dekBytes)

        #expect(throws: CryptoError.authenticationFailed) {
            _ = try SSECWrap.open(w, customerKey: try customerKey(0x61), context: Self.context)
        }
        for other in Self.alteredContexts {
            #expect(throws: CryptoError.authenticationFailed) {
                _ = try SSECWrap.open(w, customerKey: k, context: other)
            }
        }
        var badIV = w; badIV.salt[31] ^= 0x80
        #expect(throws: CryptoError.authenticationFailed) {
            _ = try SSECWrap.open(badIV, customerKey: k, context: Self.context)
        }

        // Nothing stored reveals the customer key or its MD5.
        let stored = w.salt + w.nonce + w.sealed
        let raw = k.key.copyBytes()
        #expect(!contains(stored, Array(raw[0..<8])))
        #expect(!contains(stored, Digest.md5(raw)))
    }

    @Test("a wrap that opens to anything but 32 bytes is refused")
    func wrongDEKLength() throws {
        let kek = SecretBytes(copying: [UInt8](repeating: 7, count: 32))
        let w = try KeyWrap.seal(
            dek: SecretBytes(copying: [UInt8](repeating: 1, count: 16)), kek: kek, salt: [], aad: [1])
        #expect(throws: CryptoError.authenticationFailed) { _ = try w.open(kek: kek, aad: [1]) }
        let ok = try KeyWrap.seal(dek: Self.dek, kek: kek, salt: [], aad: [1])
        #expect(try ok.open(kek: kek, aad: [1]).copyBytes() == Self.dekBytes)
        #expect(throws: CryptoError.authenticationFailed) { _ = try ok.open(kek: kek, aad: [2]) }
    }

    // MARK: KMS data key blob

    static let keyID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
    static let material = SecretBytes(copying: (0..<32).map { 0x30 + UInt8($0) })
    static let blobContext = ["obs:bucket": "bkt", "obs:object": "a/b", "obs:uid": "00112233445566778899aabbccddeeff"]

    @Test("blob layout: 117 bytes, fields at their offsets")
    func blobLayout() throws {
        let blob = try DataKeyBlob.seal(
            dek: Self.dek, keyID: Self.keyID, cmkVersion: 0x0102_0304, material: Self.material,
            context: Self.blobContext)
        let b = blob.encoded
        #expect(b.count == 117)
        #expect(DataKeyBlob.size == 117)
        #expect(b[0] == 0x01)
        #expect(Array(b[1..<37]) == Array(Self.keyID.utf8))
        #expect(Array(b[37..<41]) == [1, 2, 3, 4])
        #expect(Array(b[41..<57]) == blob.salt && blob.salt.count == 16)
        #expect(Array(b[57..<69]) == blob.nonce && blob.nonce.count == 12)
        #expect(Array(b[69..<117]) == blob.sealed && blob.sealed.count == 48)
        #expect(try DataKeyBlob.decode(b) == blob)
        #expect(!contains(b, Array(Self.dekBytes[0..<8])))

        // The wrap, rebuilt from the primitives: key = HKDF(material, salt, "obsctl/v1/kms-dek-wrap"),
        // AAD = blob[0..<57] ‖ lp("obsctl/v1/kms-context") ‖ BE32(count) ‖ sorted lp(key) lp(value).
        let wrapKey = HKDF.sha256(
            key: Self.material, salt: Array(b[41..<57]), info: Array("obsctl/v1/kms-dek-wrap".utf8))
        var aad = Array(b[0..<57])
        func lp(_ s: String) -> [UInt8] {
            withUnsafeBytes(of: UInt32(s.utf8.count).bigEndian, Array.init) + Array(s.utf8)
        }
        aad += lp("obsctl/v1/kms-context") + [0, 0, 0, 3]
        for k in Self.blobContext.keys.sorted() { aad += lp(k) + lp(Self.blobContext[k]!) }
        let opened = try AESGCM(key: wrapKey).open(nonce: Array(b[57..<69]), aad: aad, sealed: Array(b[69..<117]))
        #expect(opened.copyBytes() == Self.dekBytes)
    }

    /// A blob with fixed salt and nonce (seal() draws them at random), built with the blob's own wrap key and AAD
    /// functions. The bytes were reproduced by an independent implementation of docs/local-backend-design.md §7.5
    /// (Python `cryptography`), so a change to the wrap key derivation, the AAD or the layout breaks this test.
    static let blobKAT =
        "0130663165326433632d346235612d343937382d383639352d61346233633264316530663900000001"
        + "909192939495969798999a9b9c9d9e9f" + "a0a1a2a3a4a5a6a7a8a9aaab"
        + "944537106a9ea06456f486da216814bfa0eedf50659a259a2b182421f12d274977194ff016d72b0732ffeb2d58062e2d"

    @Test("known-answer vector: KMS data key blob with fixed salt and nonce")
    func blobKnownAnswer() throws {
        var blob = DataKeyBlob(
            keyID: Self.keyID, cmkVersion: 1, salt: (0..<16).map { 0x90 + UInt8($0) },
            nonce: (0..<12).map { 0xA0 + UInt8($0) }, sealed: [])
        blob.sealed = try AESGCM(key: DataKeyBlob.wrapKey(material: Self.material, salt: blob.salt))
            .seal(
                nonce: blob.nonce, aad: DataKeyBlob.aad(prefix: blob.prefix, context: Self.blobContext),
                plaintext: Self.dek)
        #expect(Hex.encode(blob.encoded) == Self.blobKAT)
        let decoded = try DataKeyBlob.decode(try #require(Hex.decode(Self.blobKAT)))
        #expect(decoded == blob)
        #expect(try decoded.open(material: Self.material, context: Self.blobContext).copyBytes() == Self.dekBytes)
    }

    @Test("blob opens with the same context and fails with any change")
    func blobContextBinding() throws {
        let blob = try DataKeyBlob.seal(
            dek: Self.dek, keyID: Self.keyID, cmkVersion: 1, material: Self.material, context: Self.blobContext)
        #expect(try blob.open(material: Self.material, context: Self.blobContext).copyBytes() == Self.dekBytes)

        var variants: [[String: String]] = []
        for (k, v) in Self.blobContext {
            var changedValue = Self.blobContext; changedValue[k] = v + "x"; variants.append(changedValue)
            var removed = Self.blobContext; removed[k] = nil; variants.append(removed)
            var renamed = Self.blobContext; renamed[k] = nil; renamed[k + "2"] = v; variants.append(renamed)
        }
        var added = Self.blobContext; added["extra"] = ""; variants.append(added)
        variants.append([:])
        for ctx in variants {
            #expect(throws: (any Error).self, "context \(ctx) must not open the blob") {
                _ = try blob.open(material: Self.material, context: ctx)
            }
        }
        // Another CMK's material fails too.
        #expect(throws: (any Error).self) {
            _ = try blob.open(
                material: SecretBytes(copying: [UInt8](repeating: 0x30, count: 32)), context: Self.blobContext)
        }
    }

    @Test("every byte region of the blob is authenticated or validated")
    func blobTamper() throws {
        let blob = try DataKeyBlob.seal(
            dek: Self.dek, keyID: Self.keyID, cmkVersion: 1, material: Self.material, context: Self.blobContext)
        let good = blob.encoded
        // Key id swapped for another valid id, and version changed: decode succeeds, open fails (AAD).
        var otherID = good
        otherID.replaceSubrange(1..<37, with: Array("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee".utf8))
        let decodedOther = try DataKeyBlob.decode(otherID)
        #expect(throws: (any Error).self) {
            _ = try decodedOther.open(material: Self.material, context: Self.blobContext)
        }

        for offset in [0, 1, 20, 36, 37, 40, 41, 56, 57, 68, 69, 100, 101, 116] {
            var bad = good
            bad[offset] ^= 0x01
            let opened: SecretBytes? = try? DataKeyBlob.decode(bad).open(
                material: Self.material, context: Self.blobContext)
            #expect(opened == nil, "flipping blob byte \(offset) went unnoticed")
        }
        // Malformed blobs are integrity errors naming the blob.
        expectOBSErrorSync(.integrity) { _ = try DataKeyBlob.decode(Array(good.prefix(116))) }
        expectOBSErrorSync(.integrity) { _ = try DataKeyBlob.decode(good + [0]) }
        var v2 = good; v2[0] = 2
        expectOBSErrorSync(.integrity) { _ = try DataKeyBlob.decode(v2) }
        var upper = good; upper[1] = UInt8(ascii: "F")
        expectOBSErrorSync(.integrity) { _ = try DataKeyBlob.decode(upper) }
        var noDash = good; noDash[9] = UInt8(ascii: "0")
        expectOBSErrorSync(.integrity) { _ = try DataKeyBlob.decode(noDash) }
    }

    @Test("two seals of the same key differ (fresh salt and nonce)")
    func blobFreshness() throws {
        let a = try DataKeyBlob.seal(
            dek: Self.dek, keyID: Self.keyID, cmkVersion: 1, material: Self.material, context: Self.blobContext)
        let b = try DataKeyBlob.seal(
            dek: Self.dek, keyID: Self.keyID, cmkVersion: 1, material: Self.material, context: Self.blobContext)
        #expect(a.salt != b.salt && a.nonce != b.nonce && a.sealed != b.sealed)
        #expect(Array(a.encoded[0..<41]) == Array(b.encoded[0..<41]))
    }
}
