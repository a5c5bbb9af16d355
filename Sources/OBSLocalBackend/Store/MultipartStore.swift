import Foundation
import OBSCore
import OBSCrypto
import OBSTime

/// The rules and on-disk names of multipart uploads (docs/local-backend-design.md, "Multipart uploads"):
///
///     buckets/<b>/uploads/<upload id>/upload.json        the upload record: an ObjectMeta without parts, MAC'd
///     buckets/<b>/uploads/<upload id>/p<n>.json          the newest stored attempt of part n (its commit point)
///     buckets/<b>/uploads/<upload id>/p<n>-<rand>.obx    that attempt's data: OBX1 with part number n (.bin plain)
///     buckets/<b>/uploads/<upload id>/.lock              serialises part commits, Complete and Abort
///
/// Complete hard-links the listed parts into the object directory as `d-<uid>-p<n>.obx` and commits by writing
/// meta.json, as a put does.
enum MultipartRules {
    static let maxPartNumber = 10000
    static let maximumPartSize: Int64 = 5 << 30

    static func objectPartFile(uid: String, part: UInt32, ext: String) -> String { "d-\(uid)-p\(part)\(ext)" }

    /// Upload ids are 32 lowercase hex digits: anything else names no upload (and never a path).
    static func isUploadID(_ s: String) -> Bool {
        s.utf8.count == 32
            && s.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    static func noSuchUpload(_ bucket: BucketName, _ key: String, _ id: String) -> OBSError {
        OBSError(
            code: "NoSuchUpload",
            message: "obs://\(bucket)/\(key) has no multipart upload \(id) (completed, aborted or never begun); "
                + "list the uploads in progress with 'obsctl multipart list obs://\(bucket)'",
            httpStatus: 404, category: .notFound, resource: "\(bucket)/\(key)")
    }

    static func invalidPart(_ message: String) -> OBSError {
        OBSError(code: "InvalidPart", message: message, httpStatus: 400, category: .usage)
    }

    /// S3's and OBS's ETag of a completed upload: the MD5 of the parts' ETags as bytes, "-", the part count. For
    /// encrypted objects the part ETags are keyed digests (see `ObjectMeta.encryptedETag`), so this reveals nothing
    /// of the plaintext either.
    static func objectETag(_ partETags: [String]) -> String {
        var joined: [UInt8] = []
        for e in partETags { joined += Hex.decode(e) ?? Array(e.utf8) }
        return Hex.encode(Digest.md5(joined)) + "-\(partETags.count)"
    }
}

/// `p<n>.json`: one stored part. Replacing it (temp, fsync, rename) is what makes a new attempt the part.
struct PartRecord: Codable, Equatable {
    var n: Int
    var file: String
    var size: Int64
    var etag: String
    var lastModified: String
    /// The part's CRC-32C (base64): in clear for an unencrypted upload (and encrypted parts stored before
    /// `crc32cSealed`), absent in parts stored before either existed.
    var crc32c: String? = nil
    /// An encrypted part's CRC-32C, sealed (`SealedCRC`, the part's number).
    var crc32cSealed: String? = nil
    /// The flexible checksum the part was uploaded with, `ALGORITHM:base64`: in clear for an unencrypted upload,
    /// else in `checksumSealed`, under a pad from the upload's data key (`SealedCRC`): a digest of the plaintext,
    /// which only a holder of the data key (of the customer's key, for SSE-C) may read.
    var checksum: String? = nil
    var checksumSealed: String? = nil

    enum CodingKeys: String, CodingKey {
        case n, file, size, etag, lastModified = "last_modified", crc32c, crc32cSealed = "crc32c_sealed", checksum,
            checksumSealed = "checksum_sealed"
    }

    /// Keeps `checksum`, sealed under `dek` when the upload is encrypted.
    mutating func keep(_ checksum: PartChecksum, sealedUnder dek: SecretBytes?, uid: [UInt8]) {
        guard let dek else { self.checksum = Self.text(checksum); return }
        checksumSealed = SealedCRC.apply(checksum, root: dek, uid: uid, part: UInt32(n)).map(Self.text)
    }

    /// Whether the part's flexible checksum needs the upload's data key to be read.
    var hasSealedChecksum: Bool { checksumSealed != nil }

    /// The part's flexible checksum, opened with the upload's data key when sealed (nil without it); nil when it
    /// was uploaded without one.
    func flexibleChecksum(dek: SecretBytes?, uid: [UInt8]) -> PartChecksum? {
        if let checksum { return Self.parse(checksum) }
        guard let dek, let sealed = checksumSealed.flatMap(Self.parse) else { return nil }
        return SealedCRC.apply(sealed, root: dek, uid: uid, part: UInt32(n))
    }

    /// The part's CRC-32C in base64, opened with `root` when sealed.
    func crc32c(root: () throws -> SecretBytes, uid: [UInt8]) rethrows -> String? {
        try crc32cSealed.map { SealedCRC.apply($0, root: try root(), uid: uid, part: UInt32(n)) } ?? crc32c
    }

    private static func text(_ c: PartChecksum) -> String { c.algorithm + ":" + c.value }
    private static func parse(_ text: String) -> PartChecksum? {
        let pieces = text.split(separator: ":", maxSplits: 1).map(String.init)
        return pieces.count == 2 ? PartChecksum(algorithm: pieces[0], value: pieces[1]) : nil
    }

    var uploaded: UploadedPart {
        UploadedPart(
            partNumber: n, etag: etag, size: size,
            lastModified: Timestamps.parseISO8601(lastModified) ?? Date(timeIntervalSince1970: 0))
    }
}

extension LocalPaths {
    func uploadsDir(_ b: BucketName) -> String { bucketDir(b) + "/uploads" }
    func uploadDir(_ b: BucketName, _ id: String) -> String { uploadsDir(b) + "/" + id }
    func uploadFile(_ b: BucketName, _ id: String) -> String { uploadDir(b, id) + "/upload.json" }
    func uploadLock(_ b: BucketName, _ id: String) -> String { uploadDir(b, id) + "/.lock" }
    func partRecord(_ b: BucketName, _ id: String, _ n: Int) -> String { uploadDir(b, id) + "/p\(n).json" }
}

/// Caps a part's bytes at `limit`: a larger part fails with EntityTooLarge as it streams in.
final class PartSizeLimit: ByteSource {
    private let source: ByteSource
    private let limit: Int64
    private var total: Int64 = 0

    init(_ source: ByteSource, limit: Int64) { self.source = source; self.limit = limit }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try source.read(into: buffer)
        total += Int64(n)
        if total > limit {
            throw OBSError(
                code: "EntityTooLarge",
                message: "a part may hold at most \(limit) bytes; use more, smaller parts",
                httpStatus: 400, category: .usage)
        }
        return n
    }
}
