import Foundation
import OBSCore
import OBSCrypto
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

extension LocalBackend {
    // MARK: Put

    /// The data key of a new object and the SSE fields that describe how it is wrapped.
    struct SealedKey { var dek: SecretBytes?; var sse: ObjectMeta.SSE }

    /// Authorises and produces the data key for `sse`. Runs before any byte is written: a denied kms:* action or
    /// an unusable key leaves nothing behind.
    func sealKey(_ sse: SSERequest, origin: SSEOrigin, context: WrapContext) throws -> SealedKey {
        func wrapBlock(_ w: KeyWrap) -> ObjectMeta.Wrap {
            ObjectMeta.Wrap(salt: Base64.encode(w.salt), nonce: Base64.encode(w.nonce), sealed: Base64.encode(w.sealed))
        }
        switch sse {
        case .unencrypted:
            return SealedKey(dek: nil, sse: .init(mode: .unencrypted, origin: origin))
        case .obs:
            let dek = Random.secret(32)
            let w = try SSEOBSWrap.seal(dek: dek, root: try rootKey.key(), context: context)
            return SealedKey(dek: dek, sse: .init(mode: .obs, origin: origin, wrap: wrapBlock(w)))
        case .kms(let keyID):
            let issued: LocalKMS.IssuedDataKey
            do { issued = try kms.generateDataKey(keyRef: keyID, context: context.map) } catch let e as OBSError
                where origin == .bucketDefault
            {
                throw e.fromBucketDefault(context.bucket)
            }
            return SealedKey(
                dek: issued.dek,
                sse: .init(
                    mode: .kms, origin: origin, kmsKeyID: issued.keyID, kmsKeyURN: issued.urn,
                    kmsBlob: Base64.encode(issued.blob.encoded)))
        case .customer(let k):
            let dek = Random.secret(32)
            let w = try SSECWrap.seal(dek: dek, customerKey: k, context: context)
            return SealedKey(dek: dek, sse: .init(mode: .c, origin: origin, wrap: wrapBlock(w)))
        }
    }

    public func putObject(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo {
        try await BlockingPool.shared.run { try self.store(request, body: body) }
    }

    /// Encrypts, writes and fsyncs: blocking work, which the async entry points run on the blocking pool.
    /// `ifMatch`: the commit happens only while the object's ETag is still this one (checked under the lock).
    private func store(_ request: PutObjectRequest, body: ByteSource, ifMatch: String? = nil) throws -> ObjectInfo {
        try request.validateHeaders()  // what the remote backend would refuse to send is not stored either
        let bucket = try loadBucket(request.bucket)
        let (sse, origin) = SSERules.effective(request: request.sse, bucketDefault: bucket.bucketEncryption)
        let uid = Random.bytes(16)
        let context = WrapContext(bucket: request.bucket.value, key: request.key.value, uid: uid)
        let sealed = try sealKey(sse, origin: origin, context: context)

        let (dir, made) = try makeObjectDirectoryUnsynced(request.bucket, request.key)
        let writing = try inflightJournal.begin(bucket: request.bucket, objectDirectory: dir)
        defer { writing.end() }
        let ext = sealed.dek == nil ? ".bin" : ".obx"
        let tmp = FileIO.tempPath(in: dir, suffix: ext)
        let metaTemp = FileIO.tempPath(in: dir)
        let fd = AbandonedTemp.create(tmp, flags: O_WRONLY)  // 0600, flock'd while open
        guard fd >= 0 else { throw FileIO.ioError("create", tmp) }
        var metaFd: Int32 = -1
        // Both temporaries stay open, so flock'd, until the commit has renamed them: until then another process's
        // sweep must see them live, whatever their pid means in its pid namespace.
        defer {
            close(fd)
            if metaFd >= 0 { close(metaFd) }
        }
        var meta: ObjectMeta
        do {
            let written = try writeData(body, fd: fd, path: tmp, dek: sealed.dek, uid: uid, part: 0, dataMAC: true)
            let size = written.size, etag = written.etag, dataMAC = written.dataMAC, crc32c = written.crc32c
            CrashPoint.hit("put-data-written")
            let file = "d-\(Hex.encode(uid))\(ext)"
            meta = ObjectMeta(
                bucket: request.bucket.value, key: request.key.value, objectUID: Hex.encode(uid), size: size,
                contentType: request.contentType, userMetadata: request.userMetadata,
                lastModified: Timestamps.rfc3339(LocalClock.now()), etag: etag, sse: sealed.sse,
                layout: .init(
                    aead: sealed.dek == nil ? nil : "AES-256-GCM", chunk: sealed.dek == nil ? nil : OBXFormat.chunkSize,
                    parts: [.init(n: 0, size: size, file: file)]),
                dataMAC: dataMAC)
            meta.headerMetadata = request.headerMetadata.isEmpty ? nil : request.headerMetadata
            meta.storageClass = bucket.objectStorageClass(requested: request.storageClass)
            try meta.setCRC32C(crc32c, root: rootKey.key)
            if let dek = sealed.dek {
                meta.seal(macKey: ObjectMeta.macKey(dek: dek, uid: uid))
            } else {
                meta.seal(macKey: ObjectMeta.plainMacKey(root: try rootKey.key(), uid: uid))
            }
            // The record is written beside the data before either is synced: one sync round for the data, the
            // record and the new object directory's entry, where one after the other cost a round each (a PUT
            // waited for up to five). Nothing is renamed into place before that round has made all of it durable.
            do {
                metaFd = try FileIO.writeTemporary(meta.encoded(), metaTemp)
            } catch  where !FileIO.isDirectory(dir) {
                throw OBSError.noSuchBucket(request.bucket.value)  // the directory went with its bucket meanwhile
            }
            CrashPoint.hit("put-meta-tmp-written")
            try FileIO.syncTogether([(fd, tmp), (metaFd, metaTemp)], directories: made.parents)
            ObjectDirectories.shared.synced(made)
        } catch {
            unlink(tmp)
            unlink(metaTemp)
            throw error
        }
        do {
            try commit(
                meta, dataTemp: tmp, metaTemp: metaTemp, bucket: request.bucket, key: request.key, ifMatch: ifMatch,
                precondition: request.precondition)
        } catch {
            unlink(tmp)
            unlink(metaTemp)
            throw error
        }
        let info = try meta.info(root: rootKey.key)
        if case .customer(let k) = sse { var i = info; i.customerKeyMD5 = k.keyMD5; return i }
        return info
    }

    struct WrittenData {
        var size: Int64
        var etag: String
        var dataMAC: String? = nil
        /// The plaintext's CRC-32C, base64.
        var crc32c = ""
    }

    /// Writes `body` into `fd` as OBX1 part `part` under `dek`, or as plain bytes when `dek` is nil (with their
    /// `data_mac` when `dataMAC`). The ETag is the keyed digest of the chunk tags, or the plain bytes' MD5.
    func writeData(
        _ source: ByteSource, fd: Int32, path: String, dek: SecretBytes?, uid: [UInt8], part: UInt32, dataMAC: Bool
    ) throws -> WrittenData {
        // Written by a thread of its own while the next batch is encrypted, past the page cache once larger than a
        // small file (as `DataFile` reads it back): a GiB PUT to serve cost 7.5 to 9.7 server CPU-seconds through
        // the cache on our VM, mostly the kernel's first touch of fresh cache pages, and 3.2 direct. The sink is
        // released, its writer stopped, before this returns and the caller closes the descriptor.
        let sink = PipelinedFileSink(fd: fd, path: path, directIO: true)
        let body = CRC32CTap(source)
        let write = { (b: UnsafeRawBufferPointer) in try sink.write(b) }
        var result: WrittenData
        if let dek {
            let header = OBXHeader(partNumber: part, streamSalt: Random.bytes(16), objectUID: uid)
            let r = try OBXEncryptor.encrypt(source: body, dek: dek, header: header, write: write)
            let etag = ObjectMeta.encryptedETag(macKey: ObjectMeta.macKey(dek: dek, uid: uid), tagDigest: r.tagDigest)
            result = WrittenData(size: r.plaintextSize, etag: etag)
        } else if dataMAC {
            let check = try PlainDataCheck.Writer(root: try rootKey.key(), uid: uid)
            let (size, etag) = try Self.copyPlain(
                from: body,
                write: {
                    check.update($0); try write($0)
                })
            result = WrittenData(size: size, etag: etag, dataMAC: check.finalize())
        } else {
            let (size, etag) = try Self.copyPlain(from: body, write: write)
            result = WrittenData(size: size, etag: etag)
        }
        try sink.finish()
        result.crc32c = body.crc.base64
        return result
    }

    /// Creates the object's directory below the bucket's existing `objects/`: a bucket deleted meanwhile gives
    /// NoSuchBucket rather than a half-recreated bucket directory.
    func makeObjectDirectory(_ bucket: BucketName, _ key: ObjectKey) throws -> String {
        let (dir, made) = try makeObjectDirectoryUnsynced(bucket, key)
        try FileIO.syncTogether([], directories: made.parents)
        ObjectDirectories.shared.synced(made)
        return dir
    }

    /// `makeObjectDirectory` without the sync of the object's own directory: also returns what the caller syncs
    /// (`ObjectDirectories.Made.parents`) with its own files before it renames anything into place, and then
    /// reports synced (`ObjectDirectories.synced`).
    func makeObjectDirectoryUnsynced(_ bucket: BucketName, _ key: ObjectKey) throws -> (String, ObjectDirectories.Made)
    {
        let dir = paths.objectDir(bucket, key)
        let h2 = LocalPath.parent(dir)
        do {
            return (dir, try ObjectDirectories.shared.make([h2, dir], syncedAtOnce: [h2]))
        } catch {
            if error.errno == ENOENT && !error.synced { throw OBSError.noSuchBucket(bucket.value) }
            throw FileIO.ioError(error.synced ? "fsync directory" : "create directory", error.path, error.errno)
        }
    }

    static func copyPlain(from body: ByteSource, write: (UnsafeRawBufferPointer) throws -> Void) throws -> (
        Int64, String
    ) {
        let md5 = Digest(.md5)
        var buf = ioBuffer(count: 1 << 20)
        var total: Int64 = 0
        while true {
            let n = try buf.withUnsafeMutableBytes { try body.read(into: $0) }
            if n == 0 { break }
            try buf.withUnsafeBytes { b in
                let slice = UnsafeRawBufferPointer(rebasing: b[0..<n])
                md5.update(slice)
                try write(slice)
            }
            total += Int64(n)
        }
        return (total, Hex.encode(md5.finalize()))
    }

    /// Publishes an object under its lock (`withObjectLock`): data file into its final name, then the record's
    /// temporary (`metaTemp`, synced with the data) renamed to meta.json (the commit), then the previous version's
    /// data removed. A crash before the meta rename leaves the old version; after it, the new one; the sweep
    /// removes whatever was left over.
    private func commit(
        _ meta: ObjectMeta, dataTemp: String, metaTemp: String, bucket: BucketName, key: ObjectKey,
        ifMatch: String? = nil, precondition: WritePrecondition? = nil
    ) throws {
        let dir = paths.objectDir(bucket, key)
        try withObjectLock(bucket, key) {
            // The directory this write made (and wrote its data into) is gone only with the bucket it was made in,
            // even when a bucket of that name has been created again since.
            guard FileIO.exists(paths.bucketFile(bucket)), FileIO.exists(dataTemp) else {
                throw OBSError.noSuchBucket(bucket.value)
            }
            if let ifMatch { try checkETag(bucket, key, ifMatch) }
            try check(precondition, bucket, key)
            let dataFile = dir + "/" + meta.layout.parts[0].file
            guard rename(dataTemp, dataFile) == 0 else { throw FileIO.ioError("rename into", dataFile) }
            CrashPoint.hit("put-data-renamed")
            var installed = false
            do {
                try FileIO.install(metaTemp, at: paths.metaFile(bucket, key)) {
                    installed = true
                    CrashPoint.hit("put-meta-renamed")
                }
            } catch {
                // Once the record is in place its data stays, even when the directory's fsync then failed.
                if !installed { unlink(dataFile) }
                throw error
            }
            CrashPoint.hit("put-committed")
            sweepObjectDirectory(dir, keep: meta.layout.parts.map(\.file))
        }
    }

    /// The data files the current meta.json of `dir` refers to; every `d-*` file when it cannot be read, so a
    /// damaged meta never leads to data being deleted.
    func referencedFiles(_ dir: String) -> [String] {
        let metaPath = dir + "/meta.json"
        if !FileIO.exists(metaPath) { return [] }
        guard let bytes = try? FileIO.readAll(metaPath) else {
            return FileIO.listDirectory(dir).filter { $0.hasPrefix("d-") }
        }
        guard let meta = try? ObjectMeta.decode(bytes, path: dir) else {
            return FileIO.listDirectory(dir).filter { $0.hasPrefix("d-") }
        }
        return meta.layout.parts.map(\.file)
    }

    /// Removes, from one object's directory, temp files of dead writers and data files no meta refers to.
    /// Called with the object's lock held, so no live writer is between its data rename and its commit.
    func sweepObjectDirectory(_ dir: String, keep: [String]) {
        for name in FileIO.listDirectory(dir) {
            if name == "meta.json" || keep.contains(name) { continue }
            if name.hasPrefix("d-") || FileIO.isAbandonedTemp(name, in: dir) { unlink(dir + "/" + name) }
        }
    }

    // MARK: Read

    func readMeta(_ bucket: BucketName, _ key: ObjectKey) throws -> ObjectMeta {
        // The bucket record first: it checks the root key (and rollback) for every object operation.
        _ = try loadBucket(bucket)
        let path = paths.metaFile(bucket, key)
        guard let bytes = try FileIO.readAll(path) else { throw OBSError.noSuchKey(bucket.value, key.value) }
        guard let meta = try? ObjectMeta.decode(bytes, path: path) else {
            throw OBSError.damagedObject(bucket.value, key.value, "its metadata \(path) does not parse")
        }
        if let problem = Self.placementProblem(meta, bucket: bucket, key: key) {
            throw OBSError.damagedObject(bucket.value, key.value, problem)
        }
        guard Self.layoutIsValid(meta) else {
            throw OBSError.damagedObject(bucket.value, key.value, "its metadata has an unexpected part layout")
        }
        return meta
    }

    /// One part `d-<uid>.ext` numbered 0 (a put), or parts `d-<uid>-p<n>.ext` in ascending order from 1 (a completed
    /// multipart upload); their sizes add up to the object's.
    static func layoutIsValid(_ meta: ObjectMeta) -> Bool {
        let parts = meta.layout.parts, ext = meta.sse.mode == .unencrypted ? ".bin" : ".obx"
        guard !parts.isEmpty, parts.allSatisfy({ $0.size >= 0 }),
            parts.reduce(Int64(0), { $0 + $1.size }) == meta.size
        else { return false }
        if parts.count == 1 && parts[0].n == 0 { return parts[0].file == "d-\(meta.objectUID)\(ext)" }
        var previous: UInt32 = 0
        for p in parts {
            guard p.n > previous, p.n <= UInt32(MultipartRules.maxPartNumber),
                p.file == MultipartRules.objectPartFile(uid: meta.objectUID, part: p.n, ext: ext)
            else { return false }
            previous = p.n
        }
        return true
    }

    /// Why `meta` does not belong at the place of `key` in `bucket` (a directory copied under another key's hash or
    /// from another bucket, an SSE-KMS key id edited), or nil when it does.
    static func placementProblem(_ meta: ObjectMeta, bucket: BucketName, key: ObjectKey) -> String? {
        if meta.key != key.value { return "its metadata names another key ('\(meta.key)')" }
        if meta.bucket != bucket.value { return "its metadata names another bucket ('\(meta.bucket)')" }
        return meta.kmsKeyProblem
    }

    /// Checks the request's SSE-C key against the object's mode, as OBS does on GET and HEAD.
    func checkCustomerKey(_ meta: ObjectMeta, _ request: GetObjectRequest) throws {
        if meta.sse.mode == .c && request.customerKey == nil {
            throw OBSError.customerKeyRequired(request.bucket.value, request.key.value)
        }
        if meta.sse.mode != .c && request.customerKey != nil {
            throw OBSError.customerKeyNotExpected(
                request.bucket.value, request.key.value, mode: meta.sse.mode.displayName)
        }
    }

    private func kmsBlob(_ meta: ObjectMeta) throws -> [UInt8] {
        guard let text = meta.sse.kmsBlob, let blob = Base64.decode(text) else {
            throw OBSError.integrity("metadata of \(meta.key) lacks its KMS data key")
        }
        return blob
    }

    private func wrap(_ meta: ObjectMeta) throws -> KeyWrap {
        guard let w = meta.sse.wrap, let salt = Base64.decode(w.salt), let nonce = Base64.decode(w.nonce),
            let sealed = Base64.decode(w.sealed)
        else {
            throw OBSError.integrity("metadata of \(meta.key) lacks its wrapped data key")
        }
        return KeyWrap(salt: salt, nonce: nonce, sealed: sealed)
    }

    /// Unwraps the object's data key (nil for unencrypted objects) and verifies the metadata MAC with it.
    func unwrapDataKey(_ meta: ObjectMeta, _ request: GetObjectRequest) throws -> SecretBytes? {
        let context = meta.wrapContext
        let dek: SecretBytes
        switch meta.sse.mode {
        case .unencrypted:
            guard meta.sse.wrap == nil, meta.sse.kmsBlob == nil,
                meta.verify(macKey: ObjectMeta.plainMacKey(root: try rootKey.key(), uid: meta.uidBytes))
            else {
                throw OBSError.integrity("metadata of \(meta.key) fails its MAC")
            }
            return nil
        case .obs:
            do { dek = try SSEOBSWrap.open(try wrap(meta), root: try rootKey.key(), context: context) } catch let e
                as OBSError
            { throw e } catch {
                throw OBSError.integrity("the data key of \(meta.key) does not unwrap (metadata altered or moved)")
            }
        case .kms:
            dek = try kms.decryptDataKey(blob: try kmsBlob(meta), context: context.map)
        case .c:
            guard let k = request.customerKey else {
                throw OBSError.customerKeyRequired(request.bucket.value, request.key.value)
            }
            do { dek = try SSECWrap.open(try wrap(meta), customerKey: k, context: context) } catch let e as OBSError {
                throw e
            } catch { throw OBSError.customerKeyMismatch(request.bucket.value, request.key.value) }
        }
        guard meta.verify(macKey: ObjectMeta.macKey(dek: dek, uid: meta.uidBytes)) else {
            throw OBSError.integrity("metadata of \(meta.key) fails its MAC")
        }
        return dek
    }

    /// An open, verified object: its info and a source of its plaintext from the chunk that holds the offset it was
    /// opened at, `skip` bytes of which come before that offset. Open data files stay readable even if a
    /// concurrent overwrite unlinks them.
    final class OpenObject {
        let meta: ObjectMeta
        let info: ObjectInfo
        let source: ByteSource
        let skip: Int64
        init(meta: ObjectMeta, info: ObjectInfo, source: ByteSource, skip: Int64) {
            self.meta = meta; self.info = info; self.source = source; self.skip = skip
        }
    }

    func openObject(_ request: GetObjectRequest, from offset: Int64 = 0) throws -> OpenObject {
        try openObject(request) { _ in offset }
    }

    /// Opens the object for reading from the plaintext offset `chooseOffset` picks from its info, once its data key
    /// is unwrapped (a KMS or SSE-C refusal comes first). Encrypted objects start at the part and chunk that hold
    /// the offset: nothing before it is read or decrypted. Unencrypted ones start at byte 0, their data MAC
    /// covering the whole object.
    func openObject(_ request: GetObjectRequest, from chooseOffset: (ObjectInfo) throws -> Int64) throws
        -> OpenObject
    {
        let what = "obs://\(request.bucket)/\(request.key)"
        for _ in 0..<3 {
            let meta = try readMeta(request.bucket, request.key)
            try checkCustomerKey(meta, request)
            let dek = try unwrapDataKey(meta, request)
            let info = try meta.info(customerKeyMD5: request.customerKey?.keyMD5, root: rootKey.key)
            let offset = min(max(try chooseOffset(info), 0), meta.size)
            let dir = paths.objectDir(request.bucket, request.key)
            let verifier =
                dek != nil ? nil : try PlainDataCheck.Verifier(meta: meta, root: try rootKey.key(), what: what)
            let parts = meta.layout.parts
            var k = 0, partStart: Int64 = 0
            while dek != nil && k < parts.count - 1 && partStart + parts[k].size <= offset {
                partStart += parts[k].size
                k += 1
            }
            let open = { [self] (n: Int) throws -> ByteSource? in
                try openPart(dir, parts[n], meta: meta, dek: dek, verifier: verifier, last: n == parts.count - 1)
            }
            // The first part is opened now: nil means overwritten between reading meta and opening; read the new
            // meta. Later parts open as the read reaches them (an object of 10,000 parts needs one descriptor).
            guard let first = try open(k) else { continue }
            let skip = (first as? OBXDecryptor)?.seek(to: offset - partStart) ?? offset - partStart
            let later = parts.count - 1 - k
            let source =
                later == 0
                ? first
                : PartChain(first: first, remaining: later) { [k] i in
                    guard let s = try open(k + 1 + i) else { throw Self.objectChanged(what) }
                    return s
                }
            return OpenObject(meta: meta, info: info, source: source, skip: skip)
        }
        throw OBSError.integrity("data file of \(request.key.value) is missing")
    }

    static func objectChanged(_ what: String) -> OBSError {
        OBSError(
            code: "ObjectChanged", message: "\(what) was overwritten or deleted while it was read; read it again",
            httpStatus: 409, category: .conflict, resource: what)
    }

    /// A verified source of one data file's plaintext; nil when the file is gone.
    private func openPart(
        _ dir: String, _ part: ObjectMeta.Part, meta: ObjectMeta, dek: SecretBytes?,
        verifier: PlainDataCheck.Verifier?, last: Bool
    ) throws -> ByteSource? {
        let dataPath = dir + "/" + part.file
        guard let file = try DataFile(path: dataPath) else { return nil }
        let readAt: OBXDecryptor.ReadAt = { offset, buf in try file.read(at: offset, into: buf) }
        if let dek {
            return try OBXDecryptor(
                dek: dek, expectedUID: meta.uidBytes, expectedPart: part.n, plaintextSize: part.size,
                fileSize: file.size, readAt: readAt)
        }
        guard file.size == part.size, let verifier else {
            throw OBSError.integrity("data file \(dataPath) is \(file.size) bytes, metadata says \(part.size)")
        }
        return PlainFileSource(size: part.size, readAt: readAt, verifier: verifier, verifiesAtEnd: last)
    }

    public func getObject(_ request: GetObjectRequest, into sink: ByteSink) async throws -> ObjectInfo {
        try await BlockingPool.shared.run { try self.load(request, into: sink) }
    }

    /// Reads and decrypts into `sink`: blocking work, run on the blocking pool.
    private func load(_ request: GetObjectRequest, into sink: ByteSink) throws -> ObjectInfo {
        let object = try openObject(request)
        if let file = sink as? RandomAccessSink { try file.reserve(object.meta.size) }
        // A small object asks for no more room than it needs.
        let batch = Int(min(Int64(OBXEncryptor.batchChunks * OBXFormat.chunkSize), max(object.meta.size, 1)))
        if let lender = sink as? BufferLendingSink {
            // Decrypt straight into the sink's buffer: one copy less per byte than through `buf` below.
            while try lender.fill(minimum: batch, { try object.source.read(into: $0) }) > 0 {}
            return object.info
        }
        var buf = ioBuffer(count: batch)
        while true {
            let n = try buf.withUnsafeMutableBytes { try object.source.read(into: $0) }
            if n == 0 { break }
            try buf.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return object.info
    }

    /// Metadata only: no kms:* permission is needed (as for OBS HEAD). An SSE-C object needs its key, and a wrong
    /// key is refused, so HEAD can confirm a key before a large download. The metadata MAC is checked whenever
    /// that needs no KMS call (unencrypted, SSE-OBS, SSE-C), so HEAD never reports altered metadata.
    public func headObject(_ request: GetObjectRequest) async throws -> ObjectInfo {
        try await BlockingPool.shared.run { [self] in
            let meta = try readMeta(request.bucket, request.key)
            try checkCustomerKey(meta, request)
            if meta.sse.mode != .kms { _ = try unwrapDataKey(meta, request) }
            return try meta.info(customerKeyMD5: request.customerKey?.keyMD5, root: rootKey.key)
        }
    }

    /// As `openObject` up to the data: the KMS key's policy and state are checked, its data key not unwrapped.
    @discardableResult public func checkReadable(_ request: GetObjectRequest) async throws -> ObjectInfo {
        try await BlockingPool.shared.run { [self] in
            let meta = try readMeta(request.bucket, request.key)
            try checkCustomerKey(meta, request)
            if meta.sse.mode == .kms {
                try kms.checkDecryptionKey(blob: try kmsBlob(meta))
            } else {
                _ = try unwrapDataKey(meta, request)
            }
            return try meta.info(customerKeyMD5: request.customerKey?.keyMD5, root: rootKey.key)
        }
    }

    public func copyObject(_ request: CopyObjectRequest) async throws -> ObjectInfo {
        try await BlockingPool.shared.run { try self.copy(request) }
    }

    /// Decrypts the source and encrypts the copy (or rewraps an SSE-C key in place): blocking work, on the pool.
    private func copy(_ request: CopyObjectRequest) throws -> ObjectInfo {
        if let info = try rotateCustomerKeyInPlace(request) { return info }
        let source = try openObject(request.source)
        if let expected = request.sourceIfMatch, source.info.etag != expected {
            throw OBSError.sourceChanged(request.source.bucket.value, request.source.key.value)
        }
        var dest = request.destination
        if !request.replaceMetadata {
            dest.contentType = source.info.contentType
            dest.userMetadata = source.info.userMetadata
            dest.headerMetadata = source.info.headerMetadata
        }
        // Onto itself: pinned again at the commit, so a write between this read and it is never overwritten.
        let inPlace = request.source.bucket == dest.bucket && request.source.key == dest.key
        return try store(dest, body: source.source, ifMatch: inPlace ? source.info.etag : nil)
    }

    /// Throws unless the object now meets `precondition` (none: nothing to check). Called with the object's lock held.
    func check(_ precondition: WritePrecondition?, _ bucket: BucketName, _ key: ObjectKey) throws {
        guard let precondition else { return }
        // A damaged object is there all the same: its ETag matches none.
        let current = FileIO.exists(paths.metaFile(bucket, key)) ? (try? readMeta(bucket, key).etag) ?? "" : nil
        if let e = precondition.failure(current: current, bucket: bucket.value, key: key.value) { throw e }
    }

    /// Throws `sourceChanged` unless the object's current ETag is `expected`. Called with the object's lock held.
    private func checkETag(_ bucket: BucketName, _ key: ObjectKey, _ expected: String) throws {
        let current = try? readMeta(bucket, key)
        guard current?.etag == expected else { throw OBSError.sourceChanged(bucket.value, key.value) }
    }

    /// SSE-C key rotation (a copy of an SSE-C object onto itself with a new customer key and no new metadata):
    /// the data key is unwrapped with the old key and rewrapped with the new one; the data file is not touched, so
    /// rotating a large object costs no re-encryption. The storage class is set as any copy sets it (the one named,
    /// else the bucket's default). Returns nil when the copy is not such a rotation.
    private func rotateCustomerKeyInPlace(_ request: CopyObjectRequest) throws -> ObjectInfo? {
        let src = request.source, dst = request.destination
        guard src.bucket == dst.bucket, src.key == dst.key, !request.replaceMetadata,
            case .customer(let newKey)? = dst.sse, src.customerKey != nil
        else { return nil }
        return try withObjectLock(src.bucket, src.key) {
            try check(dst.precondition, dst.bucket, dst.key)
            var meta = try readMeta(src.bucket, src.key)
            guard meta.sse.mode == .c else { return nil }
            if let expected = request.sourceIfMatch, meta.etag != expected {
                throw OBSError.sourceChanged(src.bucket.value, src.key.value)
            }
            guard let dek = try unwrapDataKey(meta, src) else { return nil }
            let w = try SSECWrap.seal(dek: dek, customerKey: newKey, context: meta.wrapContext)
            meta.sse.wrap = ObjectMeta.Wrap(
                salt: Base64.encode(w.salt), nonce: Base64.encode(w.nonce), sealed: Base64.encode(w.sealed))
            meta.sse.origin = .request
            meta.storageClass = try loadBucket(dst.bucket).objectStorageClass(requested: dst.storageClass)
            meta.lastModified = Timestamps.rfc3339(LocalClock.now())
            meta.seal(macKey: ObjectMeta.macKey(dek: dek, uid: meta.uidBytes))
            let writing = try inflightJournal.begin(
                bucket: src.bucket, objectDirectory: paths.objectDir(src.bucket, src.key))
            defer { writing.end() }
            try FileIO.atomicWrite(
                meta.encoded(), to: paths.metaFile(src.bucket, src.key), crashPointPrefix: "rotate-meta")
            return try meta.info(customerKeyMD5: newKey.keyMD5, root: rootKey.key)
        }
    }

    /// Needs no readable metadata: deleting is how a damaged object is got rid of.
    public func deleteObject(bucket: BucketName, key: ObjectKey) async throws {
        try await deleteObject(bucket: bucket, key: key, precondition: nil)
    }

    /// A conditional delete (serve's DELETE with If-Match): `precondition` is checked under the object's lock, as a
    /// write's is at its commit, so the object deleted is the version the condition names.
    public func deleteObject(bucket: BucketName, key: ObjectKey, precondition: WritePrecondition?) async throws {
        try await BlockingPool.shared.run { [self] in
            _ = try loadBucket(bucket)  // the root key (and the bucket record) must check out, as for every command
            try removeObject(bucket, key, precondition: precondition)
        }
    }

    /// The bucket record is loaded and checked once for the whole batch, not once per key; the results are
    /// deleteObject's, key by key (a bucket that fails its check fails every key with that error).
    public func deleteObjects(bucket: BucketName, keys: [ObjectKey]) async throws
        -> [(key: ObjectKey, error: OBSError)]
    {
        let outcomes = try await deleteObjects(bucket: bucket, objects: keys.map { ($0, nil) })
        return zip(keys, outcomes).compactMap { key, error in error.map { (key, $0) } }
    }

    /// `deleteObjects` with a condition per entry (S3's conditional batch delete), each checked as deleteObject's:
    /// one outcome per entry, in order, nil for deleted (a key named twice has two). A key already gone counts as
    /// deleted, as OBS and S3 answer a batch delete (another `rm -r` may have removed it since the listing); one
    /// with a condition stays a failure: the condition named an object that is not there.
    public func deleteObjects(bucket: BucketName, objects: [(key: ObjectKey, precondition: WritePrecondition?)])
        async throws -> [OBSError?]
    {
        try await BlockingPool.shared.run { [self] in
            do { _ = try loadBucket(bucket) } catch let e as OBSError { return objects.map { _ in e } }
            return try objects.map { key, precondition in
                do { try removeObject(bucket, key, precondition: precondition) } catch let e as OBSError {
                    return e.code == "NoSuchKey" && precondition == nil ? nil : e
                }
                return nil
            }
        }
    }

    /// Deletes one object of a bucket whose record was checked: blocking, on the pool.
    private func removeObject(_ bucket: BucketName, _ key: ObjectKey, precondition: WritePrecondition? = nil) throws {
        let dir = paths.objectDir(bucket, key)
        try withObjectLock(bucket, key) {
            try check(precondition, bucket, key)
            guard FileIO.exists(paths.metaFile(bucket, key)) else {
                throw OBSError.noSuchKey(bucket.value, key.value)
            }
            let writing = try inflightJournal.beginUnlessFull(bucket: bucket, objectDirectory: dir)
            defer { writing?.end() }
            guard unlink(paths.metaFile(bucket, key)) == 0 else {
                throw FileIO.ioError("delete", paths.metaFile(bucket, key))
            }
            try FileIO.fsyncDirectory(dir)
            sweepObjectDirectory(dir, keep: [])
        }
    }

    /// What a listing makes of one `objects/<h2>/<h>/meta.json`: an object, a damaged object whose key is still
    /// known (its directory is the one that key hashes to), or a damaged one whose key is not. A directory copied
    /// under another key's hash or from another bucket is never listed as an object.
    private enum ListingEntry {
        case object(ObjectMeta)
        case damaged(ObjectKey, OBSError)
        case keyless(OBSError)
        case gone
    }

    private func listingEntry(_ path: String, bucket: BucketName) -> ListingEntry {
        let dir = LocalPath.parent(path)
        let hash = String(dir.split(separator: "/").last ?? "")
        // The key this directory belongs to, if the metadata still names one that hashes to it.
        func ownKey(_ name: String?) -> ObjectKey? {
            guard let name, let key = try? ObjectKey(name), paths.objectDir(bucket, key) == dir else { return nil }
            return key
        }
        let bytes: [UInt8]
        do { guard let b = try FileIO.readAll(path) else { return .gone }; bytes = b }  // nil: deleted meanwhile
        catch { return .keyless(Self.keylessError(bucket, dir, "cannot be read")) }
        guard let meta = try? ObjectMeta.decode(bytes, path: path) else {
            let json = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            if let key = ownKey(json?["key"] as? String) {
                let e = OBSError.damagedObject(bucket.value, key.value, "its metadata \(path) does not parse")
                return .damaged(key, e)
            }
            return .keyless(Self.keylessError(bucket, dir, "does not parse"))
        }
        guard let key = ownKey(meta.key) else {
            let why = "names key '\(meta.key)', which does not belong in directory \(hash)"
            return .keyless(Self.keylessError(bucket, dir, why))
        }
        if let problem = Self.placementProblem(meta, bucket: bucket, key: key) {
            return .damaged(key, OBSError.damagedObject(bucket.value, key.value, problem))
        }
        return .object(meta)
    }

    private static func keylessError(_ bucket: BucketName, _ dir: String, _ what: String) -> OBSError {
        OBSError(
            code: "IntegrityCheckFailed",
            message: "integrity check failed: an object directory in bucket '\(bucket)' holds metadata that "
                + "\(what), so its key is unknown; if you know the key, remove it with "
                + "'obsctl rm obs://\(bucket)/KEY', else remove the directory with 'rm -r \(dir)'",
            httpStatus: 500, category: .integrity, resource: dir)
    }

    /// A bucket's keys in byte order, each with its directory; the listing entries read to learn keys (not to be
    /// read twice); and the errors of the directories whose key is unknown.
    private struct KeyOrder {
        var entries: [(key: String, dir: String)]
        var read: [String: ListingEntry]
        var keyless: [OBSError]

        /// The index of the first entry whose key satisfies `isPast` (false for a run of entries, then true).
        func firstIndex(_ isPast: (String) -> Bool) -> Int {
            var (low, high) = (0, entries.count)
            while low < high {
                let mid = (low + high) / 2
                if isPast(entries[mid].key) { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    /// The bucket's keys in order: the snapshot the last listing kept while it holds, else every directory's key
    /// from the index or from its metadata (then learnt), sorted. Only the entries a page returns have their
    /// metadata read after this, so a page costs its own entries, not the whole bucket's.
    private func keyOrder(_ bucket: BucketName) throws -> KeyOrder {
        if let snapshot = listingSnapshots.current(bucket.value) {
            var keyless: [OBSError] = []
            var stale = false
            for dir in snapshot.unresolved {
                switch unknownKeyEntry(dir, bucket: bucket) {
                case .keyless(let e): keyless.append(e)
                case .gone: continue
                case .object, .damaged: stale = true  // an object where none was: its key is not in the snapshot
                }
                if stale { break }
            }
            if !stale {
                listingSnapshots.noteReuse()
                return KeyOrder(entries: snapshot.entries, read: [:], keyless: keyless)
            }
        }
        let listedFrom = Int64(time(nil))
        let (directories, versions) = try allObjectDirectories(bucket)
        var order = KeyOrder(entries: [], read: [:], keyless: [])
        var unresolved: [String] = []
        for dir in directories {
            // Only a directory under its own <h2> is the one its name's key hashes to; a copy elsewhere is read
            // every time, and is keyless (`listingEntry` checks the whole path).
            if dir.placed, let key = objectKeys.key(ofDirectory: dir.name) {
                order.entries.append((key, dir.path))
                continue
            }
            let entry = unknownKeyEntry(dir.path, bucket: bucket)
            let key: String
            switch entry {
            case .object(let m): key = m.key
            case .damaged(let k, _): key = k.value
            case .keyless(let e): order.keyless.append(e); unresolved.append(dir.path); continue
            case .gone: unresolved.append(dir.path); continue
            }
            if dir.placed { objectKeys.learn(key, directory: dir.name) }
            order.entries.append((key, dir.path))
            order.read[dir.path] = entry
        }
        order.entries.sort { ByteKey($0.key) < ByteKey($1.key) }  // S3's order, without an array per comparison
        let known = versions.compactMap { v in v.version.map { (path: v.path, version: $0) } }
        if known.count == versions.count {
            listingSnapshots.keep(
                .init(versions: known, entries: order.entries, unresolved: unresolved), for: bucket.value,
                listedFrom: listedFrom)
        } else {
            listingSnapshots.drop(bucket.value)  // a directory went while listed
        }
        return order
    }

    /// The entry of a directory whose key is not known here. Only one holding a metadata file counts: anything else
    /// found in `objects/<h2>` (a file left there, a directory emptied by deletes) lists nothing.
    private func unknownKeyEntry(_ dir: String, bucket: BucketName) -> ListingEntry {
        let meta = dir + "/meta.json"
        return FileIO.exists(meta) ? listingEntry(meta, bucket: bucket) : .gone
    }

    /// Entries whose metadata cannot be read are skipped and returned in `unreadable`, so one damaged object does
    /// not hide its bucket. Those whose key is lost cannot be placed under a prefix: they come with the first
    /// page of a listing of the whole bucket.
    public func listObjects(bucket: BucketName, prefix: String, delimiter: String?, marker: String?, maxKeys: Int)
        async throws -> ObjectListing
    {
        try await BlockingPool.shared.run { [self] in
            _ = try loadBucket(bucket)
            let order = try keyOrder(bucket)
            var unreadable: [UnreadableObject] = []
            if prefix.isEmpty && marker == nil {
                unreadable = order.keyless.map { UnreadableObject(key: nil, error: $0) }
            }
            var objects: [ObjectInfo] = [], prefixes: [String] = [], count = 0, next: String? = nil, last: String? = nil
            // The keys under `prefix` are one run in byte order; the page starts at the first after `marker`.
            var i = order.firstIndex { !(ByteKey($0) < ByteKey(prefix)) }
            if let marker { i = max(i, order.firstIndex { ByteKey(marker) < ByteKey($0) }) }
            for c in order.entries[i...] {
                guard KeyBytes.hasPrefix(c.key, prefix) else { break }
                if let marker,
                    KeyBytes.underRolledUpMarker(c.key, marker: marker, prefix: prefix, delimiter: delimiter)
                {
                    continue
                }
                var entry = c.key
                var isPrefix = false
                if let rolled = KeyBytes.rolledUp(c.key, prefix: prefix, delimiter: delimiter) {
                    entry = rolled; isPrefix = true
                }
                if isPrefix, let last = prefixes.last, KeyBytes.equal(last, entry) { continue }
                // Read before it counts: a deleted object's directory stays, and lists nothing.
                let meta: ObjectMeta?, damage: UnreadableObject?
                switch order.read[c.dir] ?? listingEntry(c.dir + "/meta.json", bucket: bucket) {
                case .object(let m): (meta, damage) = (m, nil)
                case .damaged(let k, let e): (meta, damage) = (nil, UnreadableObject(key: k, error: e))
                case .keyless:
                    // Unreadable, or rewritten to name another key, since its key was learnt: the directory still
                    // belongs to that key, whose object is damaged.
                    let what = "its metadata \(c.dir)/meta.json cannot be read or names another key"
                    let e = OBSError.damagedObject(bucket.value, c.key, what)
                    (meta, damage) = (nil, UnreadableObject(key: try ObjectKey(c.key), error: e))
                case .gone: continue
                }
                if count == maxKeys {
                    // The page's last entry: object, damaged object or rolled-up prefix (they come in order).
                    next = last
                    break
                }
                if isPrefix {
                    prefixes.append(entry)
                } else if let meta {
                    objects.append(try meta.info(root: nil))  // a listing answers no CRC
                } else if let damage {
                    unreadable.append(damage)
                }
                last = entry
                count += 1
            }
            return ObjectListing(objects: objects, commonPrefixes: prefixes, nextMarker: next, unreadable: unreadable)
        }
    }
}
