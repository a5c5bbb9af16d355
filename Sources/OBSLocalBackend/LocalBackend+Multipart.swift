import Foundation
import OBSCore
import OBSCrypto
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

/// Multipart uploads (docs/local-backend-design.md, "Multipart uploads"). Initiate fixes the encryption and wraps
/// the data key once; each part is encrypted with it as it streams in, with a fresh stream salt per attempt (no
/// key and nonce reuse when a part is sent again); Complete links the parts into the object directory and commits
/// with meta.json, as a put does: no re-encryption, and a crash leaves the old object or the whole new one.
extension LocalBackend: MultipartUploads {
    public func initiateMultipartUpload(_ request: PutObjectRequest) async throws -> MultipartUploadInfo {
        try await BlockingPool.shared.run { try self.initiate(request) }
    }

    public func uploadPart(_ target: MultipartUploadTarget, partNumber: Int, body: ByteSource) async throws
        -> UploadedPart
    {
        try await BlockingPool.shared.run { try self.storePart(target, partNumber: partNumber, body: body) }
    }

    public func listParts(_ target: MultipartUploadTarget) async throws -> [UploadedPart] {
        try await partsListing(target).parts
    }

    /// The encryption an upload's parts are stored under (nil: none), from its record.
    public func uploadEncryption(_ target: MultipartUploadTarget) async throws -> SSEMode? {
        try await BlockingPool.shared.run { try self.loadUpload(target).sse.mode }
    }

    /// ListParts' answer: the parts, with what the upload was initiated with, from its own record.
    public struct PartsListing: Sendable {
        public var parts: [UploadedPart]
        /// nil: STANDARD.
        public var storageClass: String?
        /// The flexible checksum algorithm (`PartChecksum.algorithms`), if the upload was initiated with one.
        public var checksumAlgorithm: String?
        /// `FULL_OBJECT` or `COMPOSITE`, with an algorithm.
        public var checksumType: String?
    }

    /// ListParts with the class and checksum algorithm the upload was initiated with.
    public func partsListing(_ target: MultipartUploadTarget) async throws -> PartsListing {
        try await BlockingPool.shared.run {
            let record = try self.loadUpload(target)
            let records = try self.partRecords(target).values.sorted { $0.n < $1.n }
            // Sealed checksums need the data key: for SSE-C the request's customer key, which ListParts need not
            // send. Without it (or the KMS's consent) the parts are listed without their checksums.
            // (Any failure to open it, a wrong key included, lists them without: ListParts needs no key.)
            let dek = records.contains(where: \.hasSealedChecksum) ? (try? self.openUpload(target))?.1 : nil
            let parts = records.map { p in
                var part = p.uploaded
                part.checksum = p.flexibleChecksum(dek: dek, uid: record.uidBytes)
                return part
            }
            return PartsListing(
                parts: parts, storageClass: record.storageClass, checksumAlgorithm: record.checksumAlgorithm,
                checksumType: record.checksumAlgorithm.map { record.checksumType ?? PartChecksum.defaultType(of: $0) })
        }
    }

    public func completeMultipartUpload(_ target: MultipartUploadTarget, parts: [(partNumber: Int, etag: String)])
        async throws -> ObjectInfo
    {
        try await completeMultipartUpload(target, parts: parts, checksums: [:])
    }

    /// `completeMultipartUpload`, also checking the flexible checksums the client lists for each part (by part
    /// number; S3's `Checksum<ALGORITHM>` elements) against those the parts were uploaded with, and a CRC-32C
    /// against the one every part's upload computed: a mismatch is `InvalidPart`, as on S3.
    public func completeMultipartUpload(
        _ target: MultipartUploadTarget, parts: [(partNumber: Int, etag: String)], checksums: [Int: [PartChecksum]],
        objectChecksum: PartChecksum? = nil
    ) async throws -> ObjectInfo {
        let listed = parts.map { (n: $0.partNumber, etag: $0.etag) }
        return try await BlockingPool.shared.run {
            try self.complete(target, listed, checksums: checksums, objectChecksum: objectChecksum)
        }
    }

    public func listMultipartUploads(bucket: BucketName, prefix: String) async throws -> [MultipartUploadInfo] {
        try await BlockingPool.shared.run {
            _ = try self.loadBucket(bucket)
            return try self.uploadRecords(bucket).filter { KeyBytes.hasPrefix($0.record.key, prefix) }.map { u in
                var info = MultipartUploadInfo(
                    bucket: bucket, key: u.record.key, uploadID: u.id,
                    initiated: Timestamps.parseISO8601(u.record.lastModified))
                info.storageClass = u.record.storageClass
                info.checksumAlgorithm = u.record.checksumAlgorithm
                info.checksumType = u.record.checksumAlgorithm.map {
                    u.record.checksumType ?? PartChecksum.defaultType(of: $0)
                }
                return info
            }
        }
    }

    public func abortMultipartUpload(bucket: BucketName, key: ObjectKey, uploadID: String) async throws {
        try await BlockingPool.shared.run {
            let target = MultipartUploadTarget(bucket: bucket, key: key, uploadID: uploadID)
            _ = try self.loadUpload(target)
            try FileLock.withLock(self.paths.uploadLock(bucket, uploadID), missing: self.noSuchUpload(target)) {
                try self.discardUpload(bucket, uploadID, key: key.value)
            }
            self.uploadMacKeys.forget(bucket, uploadID)
        }
    }

    // MARK: Initiate

    private func initiate(_ request: PutObjectRequest) throws -> MultipartUploadInfo {
        try request.validateHeaders()
        let bucket = try loadBucket(request.bucket)
        // Fixed here, as OBS does: a bucket default changed later does not reach an upload in progress.
        let (sse, origin) = SSERules.effective(request: request.sse, bucketDefault: bucket.bucketEncryption)
        let uid = Random.bytes(16)
        let context = WrapContext(bucket: request.bucket.value, key: request.key.value, uid: uid)
        let sealed = try sealKey(sse, origin: origin, context: context)  // kms:* checks and key states, as put
        let now = LocalClock.now()
        var record = ObjectMeta(
            bucket: request.bucket.value, key: request.key.value, objectUID: Hex.encode(uid), size: 0,
            contentType: request.contentType, userMetadata: request.userMetadata,
            lastModified: Timestamps.rfc3339(now), etag: "", sse: sealed.sse,
            layout: .init(
                aead: sealed.dek == nil ? nil : "AES-256-GCM", chunk: sealed.dek == nil ? nil : OBXFormat.chunkSize,
                parts: []))
        record.headerMetadata = request.headerMetadata.isEmpty ? nil : request.headerMetadata
        record.storageClass = bucket.objectStorageClass(requested: request.storageClass)
        record.checksumAlgorithm = request.checksumAlgorithm
        record.checksumType = request.checksumType
        record.seal(macKey: try uploadMacKey(record, dek: sealed.dek))
        let uploadID = Hex.encode(Random.bytes(16))
        let uploads = paths.uploadsDir(request.bucket)
        // mkdir, not mkdir -p: a bucket deleted meanwhile must not come back as a bare directory.
        if mkdir(uploads, 0o700) != 0 && errno != EEXIST {
            if errno == ENOENT { throw OBSError.noSuchBucket(request.bucket.value) }
            throw FileIO.ioError("create directory", uploads)
        }
        // Built in a temp directory and renamed into place: the upload appears with its record or not at all.
        let tmp = FileIO.tempPath(in: uploads)
        guard mkdir(tmp, 0o700) == 0 else { throw FileIO.ioError("create directory", tmp) }
        do {
            try FileIO.atomicWrite(record.encoded(), to: tmp + "/upload.json")
            // Under the bucket lock (shared), so a bucket delete that found no upload cannot take this one with it.
            try withBucketLock(request.bucket, shared: true) {
                guard rename(tmp, paths.uploadDir(request.bucket, uploadID)) == 0 else {
                    throw FileIO.ioError("create upload", paths.uploadDir(request.bucket, uploadID))
                }
                try FileIO.fsyncDirectory(uploads)
            }
        } catch { FileIO.removeTree(tmp); throw error }
        var info = MultipartUploadInfo(
            bucket: request.bucket, key: request.key.value, uploadID: uploadID, initiated: now)
        (info.sseMode, info.kmsKeyURN) = (record.sse.mode, record.sse.kmsKeyURN)
        return info
    }

    /// The upload record's MAC key: the object's, so only a holder of the data key (or, unencrypted, the root key)
    /// can forge or move a record.
    private func uploadMacKey(_ record: ObjectMeta, dek: SecretBytes?) throws -> SecretBytes {
        if let dek { return ObjectMeta.macKey(dek: dek, uid: record.uidBytes) }
        return ObjectMeta.plainMacKey(root: try rootKey.key(), uid: record.uidBytes)
    }

    // MARK: Records

    private func noSuchUpload(_ t: MultipartUploadTarget) -> OBSError {
        MultipartRules.noSuchUpload(t.bucket, t.key.value, t.uploadID)
    }

    /// The record of an upload of `target.key` (unverified: its MAC is checked with the data key by `openUpload`).
    func loadUpload(_ target: MultipartUploadTarget) throws -> ObjectMeta {
        _ = try loadBucket(target.bucket)  // the root key and the bucket record check out first
        guard MultipartRules.isUploadID(target.uploadID),
            let record = try readUploadRecord(target.bucket, target.uploadID),
            KeyBytes.equal(record.key, target.key.value)
        else { throw noSuchUpload(target) }
        return record
    }

    private func readUploadRecord(_ bucket: BucketName, _ id: String) throws -> ObjectMeta? {
        let path = paths.uploadFile(bucket, id)
        guard let bytes = try FileIO.readAll(path) else { return nil }
        guard let record = try? ObjectMeta.decode(bytes, path: path), record.bucket == bucket.value,
            record.layout.parts.isEmpty, (try? ObjectKey(record.key)) != nil
        else {
            throw OBSError.integrity(
                "upload record \(path) does not parse or names another bucket (changed outside obsctl); remove the "
                    + "upload with 'rm -r \(paths.uploadDir(bucket, id))'")
        }
        // A crash between Complete's commit and the removal of the upload leaves its record: the object now
        // carries the upload's uid, so the upload is over. It is removed here and reported as gone.
        if isCompleted(record) {
            try? FileLock.withLock(paths.uploadLock(bucket, id)) { try discardUpload(bucket, id, key: record.key) }
            return nil
        }
        return record
    }

    /// True when the object of the upload's key carries the upload's uid: Complete committed it.
    private func isCompleted(_ record: ObjectMeta) -> Bool {
        guard let bucket = try? BucketName(record.bucket), let key = try? ObjectKey(record.key),
            let bytes = try? FileIO.readAll(paths.metaFile(bucket, key)),
            let meta = try? ObjectMeta.decode(bytes, path: paths.metaFile(bucket, key))
        else { return false }
        return meta.objectUID == record.objectUID
    }

    /// Every upload in progress in the bucket, in key order (then by start). Leftovers of interrupted initiates
    /// and aborts are removed on the way.
    func uploadRecords(_ bucket: BucketName) throws -> [(id: String, record: ObjectMeta)] {
        let dir = paths.uploadsDir(bucket)
        var out: [(id: String, record: ObjectMeta)] = []
        for name in try FileIO.listExistingDirectory(dir) {
            if name.hasPrefix(".") {
                if FileIO.isAbandonedTemp(name, in: dir) { FileIO.removeTree(dir + "/" + name) }
                continue
            }
            guard MultipartRules.isUploadID(name), let r = try readUploadRecord(bucket, name) else { continue }
            out.append((name, r))
        }
        return out.sorted {
            KeyBytes.equal($0.record.key, $1.record.key)
                ? $0.record.lastModified < $1.record.lastModified : ByteKey($0.record.key) < ByteKey($1.record.key)
        }
    }

    /// Renames the upload away (atomic: the upload is gone at once, whole) and then deletes its files.
    /// Called with the upload's lock held.
    private func discardUpload(_ bucket: BucketName, _ id: String, key: String) throws {
        let trash = paths.uploadsDir(bucket) + "/.trash-\(getpid())-\(Hex.encode(Random.bytes(6)))"
        guard rename(paths.uploadDir(bucket, id), trash) == 0 else {
            if errno == ENOENT { throw MultipartRules.noSuchUpload(bucket, key, id) }  // aborted meanwhile
            throw FileIO.ioError("remove upload", paths.uploadDir(bucket, id))
        }
        try FileIO.fsyncDirectory(paths.uploadsDir(bucket))
        FileIO.removeTree(trash)
    }

    private func partRecords(_ t: MultipartUploadTarget) throws -> [Int: PartRecord] {
        let dir = paths.uploadDir(t.bucket, t.uploadID)
        var out: [Int: PartRecord] = [:]
        for name in try FileIO.listExistingDirectory(dir) where name.hasPrefix("p") && name.hasSuffix(".json") {
            guard let n = Int(name.dropFirst().dropLast(5)), let bytes = try FileIO.readAll(dir + "/" + name) else {
                continue
            }
            guard let r = try? JSONDecoder().decode(PartRecord.self, from: Data(bytes)), r.n == n,
                r.file.hasPrefix("p\(n)-"), !r.file.contains("/")
            else { throw OBSError.integrity("part record \(dir)/\(name) does not parse") }
            out[n] = r
        }
        return out
    }

    /// The record and data key of an upload, for a part or Complete: the SSE-C key is checked on every call (OBS's
    /// rule), a KMS key must still be usable and kms:dek:crypto allowed, and the record's MAC must verify.
    private func openUpload(_ target: MultipartUploadTarget) throws -> (ObjectMeta, SecretBytes?) {
        let record = try loadUpload(target)
        let asRead = GetObjectRequest(bucket: target.bucket, key: target.key, customerKey: target.customerKey)
        try checkCustomerKey(record, asRead)
        let dek = try unwrapDataKey(record, asRead)
        if record.sse.mode == .c, let dek {
            uploadMacKeys.remember(try uploadMacKey(record, dek: dek), target.bucket, target.uploadID)
        }
        return (record, dek)
    }

    /// `openUpload` for Complete, with the key that seals the object's metadata. An SSE-C Complete may come without
    /// the customer key, as S3 allows: the record then verifies with the MAC key this process kept from the
    /// upload's keyed requests (`UploadMacKeys`), and the data key stays unknown (nil). Checksums to check are
    /// sealed under the data key, so a Complete that lists any, or an upload with a checksum algorithm, needs the
    /// key, as S3 needs it then; without a kept MAC key it is needed as before.
    private func openForComplete(_ target: MultipartUploadTarget, checksumsListed: Bool) throws
        -> (record: ObjectMeta, dek: SecretBytes?, macKey: SecretBytes)
    {
        if target.customerKey == nil, !checksumsListed {
            let record = try loadUpload(target)
            if record.sse.mode == .c, record.checksumAlgorithm == nil,
                let macKey = uploadMacKeys.key(target.bucket, target.uploadID), record.verify(macKey: macKey)
            {
                return (record, nil, macKey)
            }
        }
        let (record, dek) = try openUpload(target)
        return (record, dek, try uploadMacKey(record, dek: dek))
    }

    // MARK: Parts

    /// A body that verifies a flexible checksum (`ChecksummedSource`) leaves it with the part, for ListParts and
    /// Complete to answer and check.
    private func storePart(_ target: MultipartUploadTarget, partNumber n: Int, body: ByteSource) throws
        -> UploadedPart
    {
        guard (1...MultipartRules.maxPartNumber).contains(n) else {
            throw OBSError.invalidArgument(
                "part number \(n) is out of range; use 1 to \(MultipartRules.maxPartNumber)")
        }
        let (record, dek) = try openUpload(target)
        if let expected = record.checksumAlgorithm,
            let declared = (body as? ChecksummedSource)?.declaredChecksumAlgorithm, declared != expected
        {
            throw OBSError(
                code: "InvalidRequest",
                message: "Checksum Type mismatch occurred, expected checksum Type: \(expected.lowercased()), "
                    + "actual checksum Type: \(declared.lowercased())", httpStatus: 400, category: .usage)
        }
        // A body that is no checked request body (UploadPart-Copy's source) gets the checksum of the upload's
        // algorithm computed as it is stored, as S3 does for a copied part: Complete then needs it listed.
        let computed =
            body is ChecksummedSource
            ? nil : record.checksumAlgorithm.flatMap { ChecksumTap(body: body, algorithm: $0) }
        let dir = paths.uploadDir(target.bucket, target.uploadID)
        let ext = dek == nil ? ".bin" : ".obx"
        let tmp = FileIO.tempPath(in: dir, suffix: ext)
        let fd = AbandonedTemp.create(tmp, flags: O_WRONLY)  // 0600, flock'd while written
        guard fd >= 0 else {
            if errno == ENOENT { throw noSuchUpload(target) }  // aborted meanwhile
            throw FileIO.ioError("create", tmp)
        }
        do {
            let written: WrittenData
            do {
                defer { close(fd) }
                written = try writeData(
                    PartSizeLimit(computed ?? body, limit: MultipartRules.maximumPartSize), fd: fd, path: tmp, dek: dek,
                    uid: record.uidBytes, part: UInt32(n), dataMAC: false)
                let e = GroupSync.shared.sync(fd)
                guard e == 0 else { throw FileIO.ioError("fsync", tmp, e) }
            }
            var part = PartRecord(
                n: n, file: "p\(n)-\(Hex.encode(Random.bytes(6)))\(ext)", size: written.size, etag: written.etag,
                lastModified: Timestamps.rfc3339(LocalClock.now()))
            if dek == nil {
                part.crc32c = written.crc32c
            } else {
                part.crc32cSealed = SealedCRC.apply(
                    written.crc32c, root: try rootKey.key(), uid: record.uidBytes, part: UInt32(n))
            }
            // Read whole: known and verified, or computed.
            let flexible = (body as? ChecksummedSource)?.verifiedChecksum ?? computed?.checksum()
            if let flexible { part.keep(flexible, sealedUnder: dek, uid: record.uidBytes) }
            try FileLock.withLock(paths.uploadLock(target.bucket, target.uploadID), missing: noSuchUpload(target)) {
                guard FileIO.exists(paths.uploadFile(target.bucket, target.uploadID)) else {
                    throw noSuchUpload(target)
                }
                guard rename(tmp, dir + "/" + part.file) == 0 else { throw FileIO.ioError("rename into", dir) }
                let previous = try? partRecords(target)[n]
                let enc = JSONEncoder()
                enc.outputFormatting = [.sortedKeys]
                do {
                    try FileIO.atomicWrite(
                        Array(try enc.encode(part)), to: paths.partRecord(target.bucket, target.uploadID, n))
                } catch { unlink(dir + "/" + part.file); throw error }
                if let previous, previous.file != part.file { unlink(dir + "/" + previous.file) }
            }
            var uploaded = part.uploaded
            (uploaded.sseMode, uploaded.kmsKeyURN) = (record.sse.mode, record.sse.kmsKeyURN)
            uploaded.checksum = flexible
            return uploaded
        } catch {
            unlink(tmp)
            throw error
        }
    }

    // MARK: Complete

    private func complete(
        _ target: MultipartUploadTarget, _ listed: [(n: Int, etag: String)], checksums: [Int: [PartChecksum]],
        objectChecksum: PartChecksum?
    ) throws -> ObjectInfo {
        guard !listed.isEmpty else {
            throw OBSError(
                code: "MalformedXML", message: "complete needs at least one part; list the uploaded parts in order",
                httpStatus: 400, category: .usage)
        }
        for (a, b) in zip(listed, listed.dropFirst()) where b.n <= a.n {
            throw OBSError(
                code: "InvalidPartOrder",
                message: "parts must be listed in ascending order without repeats (part \(b.n) follows \(a.n))",
                httpStatus: 400, category: .usage)
        }
        do {
            let checksumsListed = objectChecksum != nil || checksums.values.contains { !$0.isEmpty }
            let (record, dek, macKey) = try openForComplete(target, checksumsListed: checksumsListed)
            let lock = paths.uploadLock(target.bucket, target.uploadID)
            _ = try makeObjectDirectory(target.bucket, target.key)  // so that the object's own lock can be taken
            return try withObjectLock(target.bucket, target.key) {
                try FileLock.withLock(lock, missing: noSuchUpload(target)) {
                    // Completed or aborted by another process while this one waited for the locks.
                    guard FileIO.exists(paths.uploadFile(target.bucket, target.uploadID)), !isCompleted(record)
                    else { throw noSuchUpload(target) }
                    let chosen = try checkedParts(target, listed, encrypted: record.sse.mode != .unencrypted)
                    try checkChecksums(chosen, checksums, record: record, dek: dek)
                    return try commitUpload(
                        target, record: record, dek: dek, macKey: macKey, parts: chosen, objectChecksum: objectChecksum)
                }
            }
        } catch let e as OBSError where e.code == "NoSuchUpload" {
            guard let info = try completedBefore(target, listed) else { throw e }
            return info
        }
    }

    /// The answer to a Complete of an upload that is gone because an earlier Complete of the same parts succeeded
    /// (a retry after the client lost the answer): the object's info, as S3 answers such a retry. nil when the
    /// object at the key is not that one (overwritten or deleted since, or the upload was aborted): NoSuchUpload.
    private func completedBefore(_ target: MultipartUploadTarget, _ listed: [(n: Int, etag: String)]) throws
        -> ObjectInfo?
    {
        guard let meta = try? readMeta(target.bucket, target.key), meta.uploadID == target.uploadID,
            meta.etag == MultipartRules.objectETag(listed.map { ETags.bare($0.etag) })
        else { return nil }
        // The key rules of the first Complete (an SSE-C key sent must be the object's; none is needed), and the
        // metadata checked as HEAD checks it, whenever that needs no KMS call and no key that was not sent.
        let asRead = GetObjectRequest(bucket: target.bucket, key: target.key, customerKey: target.customerKey)
        if target.customerKey != nil { try checkCustomerKey(meta, asRead) }
        if meta.sse.mode != .kms, meta.sse.mode != .c || target.customerKey != nil {
            _ = try unwrapDataKey(meta, asRead)
        }
        return try meta.info(customerKeyMD5: target.customerKey?.keyMD5, root: rootKey.key)
    }

    /// The stored parts the client listed, after S3's checks: each uploaded, each ETag its own, every part but the
    /// last at least the target's minimum size (S3's unless the caller spoke for OBS), and each data file of the
    /// length its size gives.
    private func checkedParts(_ target: MultipartUploadTarget, _ listed: [(n: Int, etag: String)], encrypted: Bool)
        throws -> [PartRecord]
    {
        let stored = try partRecords(target)
        let dir = paths.uploadDir(target.bucket, target.uploadID)
        return try listed.enumerated().map { i, l in
            guard let p = stored[l.n] else {
                throw MultipartRules.invalidPart("part \(l.n) was never uploaded to upload \(target.uploadID)")
            }
            guard ETags.bare(l.etag) == p.etag else {
                throw MultipartRules.invalidPart(
                    "part \(l.n) has ETag \(p.etag), not \(ETags.bare(l.etag)); list the ETags that "
                        + "UploadPart returned")
            }
            if i < listed.count - 1 && p.size < target.minimumPartSize {
                throw OBSError(
                    code: "EntityTooSmall",
                    message: "part \(l.n) holds \(p.size) bytes; every part but the last needs at least "
                        + "\(target.minimumPartSize)",
                    httpStatus: 400, category: .usage)
            }
            var st = stat()
            let expected = encrypted ? OBXFormat.encryptedSize(plaintextSize: p.size) : p.size
            guard stat(dir + "/" + p.file, &st) == 0, Int64(st.st_size) == expected else {
                throw OBSError.integrity("the data file of part \(l.n) in \(dir) is missing or has the wrong length")
            }
            return p
        }
    }

    /// The checksums Complete lists for each part against the part's own: the flexible one it was uploaded with,
    /// else (for a CRC-32C) the one its upload computed; one the part has no value for is not the part's either
    /// (`InvalidPart`). An upload initiated with an algorithm needs each part's checksum of it listed, as on S3.
    private func checkChecksums(
        _ parts: [PartRecord], _ listed: [Int: [PartChecksum]], record: ObjectMeta, dek: SecretBytes?
    ) throws {
        let uid = record.uidBytes
        for p in parts {
            let given = listed[p.n] ?? []
            let own = p.flexibleChecksum(dek: dek, uid: uid)
            if let algorithm = record.checksumAlgorithm, own != nil,
                !given.contains(where: { $0.algorithm == algorithm })
            {
                throw OBSError(
                    code: "InvalidRequest",
                    message: "The upload was created using a \(algorithm.lowercased()) checksum. The complete request "
                        + "must include the checksum for each part. It was missing for part \(p.n) in the request.",
                    httpStatus: 400, category: .usage)
            }
            for g in given {
                let crc = g.algorithm == "CRC32C" ? try p.crc32c(root: rootKey.key, uid: uid) : nil
                let known =
                    own?.algorithm == g.algorithm ? own : crc.map { PartChecksum(algorithm: "CRC32C", value: $0) }
                guard let known, let a = Base64.decode(g.value), let b = Base64.decode(known.value), a == b else {
                    throw MultipartRules.invalidPart(
                        "part \(p.n)'s Checksum\(g.algorithm) '\(g.value)' is not the one it was uploaded with")
                }
            }
        }
    }

    /// Links the parts into the object directory, then writes meta.json (the commit), then removes the upload.
    /// Called with the object's lock and the upload lock held. `dek`: nil for an SSE-C Complete without the key.
    private func commitUpload(
        _ target: MultipartUploadTarget, record: ObjectMeta, dek: SecretBytes?, macKey: SecretBytes,
        parts: [PartRecord], objectChecksum: PartChecksum?
    ) throws -> ObjectInfo {
        try check(target.precondition, target.bucket, target.key)
        let uploadDir = paths.uploadDir(target.bucket, target.uploadID)
        let encrypted = record.sse.mode != .unencrypted
        let ext = encrypted ? ".obx" : ".bin"
        var meta = record
        meta.uploadID = target.uploadID  // for `completedBefore`
        meta.checksumAlgorithm = nil  // the upload's rules for its parts, nothing of the object's
        meta.checksumType = nil
        meta.size = parts.reduce(0) { $0 + $1.size }
        if let expected = target.expectedSize, expected != meta.size {
            throw OBSError(
                code: "InvalidRequest",
                message: "the object size declared (\(expected) bytes) is not what the parts listed hold "
                    + "(\(meta.size) bytes)", httpStatus: 400, category: .usage)
        }
        meta.etag = MultipartRules.objectETag(parts.map(\.etag))
        meta.lastModified = Timestamps.rfc3339(LocalClock.now())
        meta.layout.parts = parts.map {
            .init(
                n: UInt32($0.n), size: $0.size,
                file: MultipartRules.objectPartFile(uid: record.objectUID, part: UInt32($0.n), ext: ext))
        }
        if !encrypted { meta.dataMAC = try plainDataMAC(record, parts: parts, in: uploadDir) }
        let whole = try wholeCRC32C(parts, uid: record.uidBytes)
        if let objectChecksum {
            try checkFullObject(objectChecksum, parts: parts, wholeCRC32C: whole, dek: dek, uid: record.uidBytes)
        }
        try meta.setCRC32C(whole, root: rootKey.key)
        meta.seal(macKey: macKey)

        let dir = try makeObjectDirectory(target.bucket, target.key)
        let writing = try inflightJournal.begin(bucket: target.bucket, objectDirectory: dir)
        defer { writing.end() }
        var linked: [String] = []
        do {
            // Links, not renames: until the commit the upload keeps its parts, so an interrupted Complete can be
            // run again. The recovery sweep removes links no meta.json refers to.
            for (p, m) in zip(parts, meta.layout.parts) {
                let dst = dir + "/" + m.file
                unlink(dst)  // left by an earlier Complete of this upload that was interrupted
                guard link(uploadDir + "/" + p.file, dst) == 0 else { throw FileIO.ioError("link part into", dst) }
                linked.append(dst)
            }
            try FileIO.fsyncDirectory(dir)
            CrashPoint.hit("complete-parts-linked")
            try FileIO.atomicWrite(
                meta.encoded(), to: paths.metaFile(target.bucket, target.key),
                crashPointPrefix: "complete-meta")
        } catch {
            for l in linked { unlink(l) }
            throw error
        }
        CrashPoint.hit("complete-committed")
        sweepObjectDirectory(dir, keep: meta.layout.parts.map(\.file))
        // A failure here leaves the record, which `isCompleted` recognises and retires on its next read.
        try? discardUpload(target.bucket, target.uploadID, key: target.key.value)
        uploadMacKeys.forget(target.bucket, target.uploadID)
        let info = try meta.info(customerKeyMD5: target.customerKey?.keyMD5, root: rootKey.key)
        return info
    }

    /// The object's CRC-32C from its parts' (none when a part predates them): no byte is read again.
    /// A full-object checksum sent with Complete (S3's FULL_OBJECT type), checked before the commit against the one
    /// the parts' CRCs give: a CRC-32C against the one every part's upload computed (unless a part predates them:
    /// then there is none to compare), a CRC-32 or CRC-64/NVME against the parts' own of that algorithm. One that
    /// cannot be checked (a digest, or a part without a CRC of that algorithm) is refused, never taken unchecked.
    private func checkFullObject(
        _ given: PartChecksum, parts: [PartRecord], wholeCRC32C: String?, dek: SecretBytes?, uid: [UInt8]
    ) throws {
        let header = "x-amz-checksum-" + given.algorithm.lowercased()
        guard let algorithm = FlexibleChecksum.Algorithm(rawValue: given.algorithm.lowercased()),
            let value = Base64.decode(given.value), value.count == algorithm.size
        else { throw OBSError.invalidArgument("\(header) '\(given.value)' is not a \(given.algorithm) in base64") }
        let computed: [UInt8]?
        switch algorithm {
        case .crc32c:
            guard let wholeCRC32C else { return }
            computed = Base64.decode(wholeCRC32C)
        case .sha1, .sha256:
            throw OBSError(
                code: "InvalidRequest",
                message: "a full-object \(given.algorithm) of a multipart upload cannot be checked: S3 keeps whole "
                    + "objects' CRCs only; send x-amz-checksum-crc32c instead, or no full-object checksum",
                httpStatus: 400, category: .usage)
        case .crc32, .crc64nvme:
            var values: [(value: [UInt8], length: Int64)] = []
            for p in parts {
                guard let own = p.flexibleChecksum(dek: dek, uid: uid), own.algorithm == given.algorithm,
                    let bytes = Base64.decode(own.value)
                else {
                    throw OBSError(
                        code: "InvalidRequest",
                        message: "the full-object \(given.algorithm) cannot be checked: part \(p.n) was uploaded "
                            + "without an \(header); upload every part with one, or send x-amz-checksum-crc32c",
                        httpStatus: 400, category: .usage)
                }
                values.append((bytes, p.size))
            }
            computed = FlexibleChecksum.fullObject(algorithm, parts: values)
        }
        guard computed == value else {
            throw OBSError(
                code: "BadDigest",
                message: "The \(algorithm.displayName) you specified did not match the calculated checksum.",
                httpStatus: 400, category: .integrity)
        }
    }

    private func wholeCRC32C(_ parts: [PartRecord], uid: [UInt8]) throws -> String? {
        var whole = CRC32C()
        for p in parts {
            guard let text = try p.crc32c(root: rootKey.key, uid: uid), let crc = CRC32C(base64: text) else {
                return nil
            }
            whole.append(crc, length: p.size)
        }
        return whole.base64
    }

    /// An unencrypted object's `data_mac` is over all its bytes, in order; parts arrive in any order, so it is
    /// computed here, in one read of the parts, each checked against the MD5 its upload recorded.
    private func plainDataMAC(_ record: ObjectMeta, parts: [PartRecord], in dir: String) throws -> String {
        let check = try PlainDataCheck.Writer(root: try rootKey.key(), uid: record.uidBytes)
        for p in parts {
            guard let file = try DataFile(path: dir + "/" + p.file) else {
                throw OBSError.integrity("the data file of part \(p.n) in \(dir) is missing")
            }
            let source = PlainFileSource(
                size: p.size, readAt: { try file.read(at: $0, into: $1) },
                verifier: PlainDataCheck.Verifier(md5: p.etag, what: "part \(p.n) in \(dir)"))
            _ = try Self.copyPlain(from: source, write: { check.update($0) })
        }
        return check.finalize()
    }
}
