import Foundation
import OBSCore
import OBSCrypto
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

/// The embedded backend: OBS's bucket and object semantics, with server-side encryption done for real, on the
/// local disk. It is what obsctl uses when no endpoint is configured.
public final class LocalBackend: ObjectStorage, ConditionalDeletes, Sendable {
    public static let formatLine = "obsctl-local 1"

    public let paths: LocalPaths
    public let kms: LocalKMS
    let rootKey: RootKeyProvider
    let state: StateManifest
    /// Verified bucket records (see `ParsedFileCache`): every object request reads its bucket's.
    let bucketRecords = ParsedFileCache<BucketRecord>()
    /// The keys of the object directories listings have read (see `ObjectKeyIndex`).
    let objectKeys = ObjectKeyIndex()
    /// Each bucket's keys in order as the last listing found them (see `ListingSnapshots`).
    let listingSnapshots = ListingSnapshots()
    /// Where this process's writes are in flight, for the sweep after a crash.
    let inflightJournal: InflightJournal
    /// SSE-C uploads' metadata MAC keys, for a Complete sent without the customer key.
    let uploadMacKeys = UploadMacKeys()

    public var displayName: String { "local (\(paths.root))" }
    /// `$OBSCTL_REGION`, else "local".
    public let defaultLocation: String

    /// The location new buckets get and `obsctl serve` reports: `$OBSCTL_REGION` when set and not empty, else
    /// "local".
    public static func defaultLocation(environment: [String: String]) -> String {
        environment[regionVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "local"
    }
    public static let regionVariable = "OBSCTL_REGION"

    /// `environment` decides the root, the root key source and the test hooks; pass the process environment.
    /// The store's own files and directories outside its data: a transfer over the store must not touch them
    /// (`ProtectedPaths`), nor the data directory itself.
    public var ownPaths: [String] {
        [paths.root, RootKey.keyFilePath(environment: environment), StateManifest.directory(environment: environment)]
    }
    private let environment: [String: String]

    public init(environment: [String: String]) throws {
        self.environment = environment
        paths = LocalPaths(root: LocalPaths.resolveRoot(environment: environment))
        defaultLocation = Self.defaultLocation(environment: environment)
        rootKey = RootKeyProvider(paths: paths, environment: environment)
        state = StateManifest(paths: paths, environment: environment, rootKey: rootKey)
        kms = LocalKMS(paths: paths, rootKey: rootKey, state: state)
        inflightJournal = InflightJournal(paths: paths)
        if let format = try FileIO.readAll(paths.formatFile) {
            let line = String(decoding: format, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard line == Self.formatLine else {
                throw OBSError.configuration(
                    "\(paths.root) holds '\(line)', not '\(Self.formatLine)'; this obsctl cannot read it")
            }
        }
        sweepBucketsDirectory()
        recoverInterruptedUploads()
    }

    /// For an interrupt, just before the process exits with writes in flight: the temporary files of this process's
    /// uploads into any local store are removed now rather than by the next run's sweep.
    public static func removeTemporariesOfInterruptedWrites() { InflightJournal.removeTemporariesOfThisProcess() }

    /// Sweeps the object directories of uploads whose process died, keeping whatever their meta.json refers to.
    private func recoverInterruptedUploads() {
        for (journal, writes) in InflightJournal.abandoned(paths) {
            for (bucket, dir) in writes where FileIO.exists(paths.bucketFile(bucket)) {
                try? withObjectLock(bucket, directory: dir) { sweepObjectDirectory(dir, keep: referencedFiles(dir)) }
            }
            unlink(journal)
        }
    }

    private func ensureInitialised() throws {
        if FileIO.exists(paths.formatFile) { return }
        try FileIO.makeDirectories(paths.root)
        try FileIO.atomicWrite(Array((Self.formatLine + "\n").utf8), to: paths.formatFile, mode: 0o644)
    }

    /// Removes leftovers of bucket creations and deletions that a crash interrupted.
    private func sweepBucketsDirectory() {
        for name in FileIO.listDirectory(paths.bucketsDir) where name.hasPrefix(".") {
            if FileIO.isAbandonedTemp(name, in: paths.bucketsDir) {
                FileIO.removeTree(paths.bucketsDir + "/" + name)
            }
        }
    }

    // MARK: Buckets

    /// What to do about a damaged bucket record: obsctl never guesses a bucket's default encryption.
    static let damagedBucketFix = "restore the file from a backup, or move the bucket's directory out of the store"

    /// `fresh`: not from the cache (read-modify-write under the bucket lock; see `ParsedFileCache`).
    func loadBucket(_ b: BucketName, fresh: Bool = false) throws -> BucketRecord {
        // The state first (see `StateManifest.expectedGeneration`); an absent bucket needs neither it nor the key.
        guard FileIO.exists(paths.bucketFile(b)) else { throw OBSError.noSuchBucket(b.value) }
        let expected = try state.expectedGeneration(StateManifest.bucketEntry(b.value))
        let parsed = try bucketRecords.value(at: paths.bucketFile(b), fresh: fresh) { bytes in
            guard let r = try? JSONDecoder().decode(BucketRecord.self, from: Data(bytes)), r.name == b.value else {
                throw OBSError.integrity(
                    "bucket record \(paths.bucketFile(b)) does not parse; \(Self.damagedBucketFix)")
            }
            guard r.verify(macKey: BucketRecord.macKey(root: try rootKey.key())) else {
                throw OBSError.integrity(
                    "bucket record \(paths.bucketFile(b)) fails its MAC (changed outside obsctl); "
                        + Self.damagedBucketFix)
            }
            return r
        }
        guard let r = parsed else { throw OBSError.noSuchBucket(b.value) }
        try state.check(
            StateManifest.bucketEntry(b.value), generation: r.generation, expected: expected,
            file: paths.bucketFile(b))
        return r
    }

    /// Writes the record with a fresh generation; `then` runs after the write, before the state file records it
    /// (creation renames the bucket into place there).
    private func writeBucket(_ r: BucketRecord, to path: String, then: () throws -> Void = {}) throws {
        try state.commit(StateManifest.bucketEntry(r.name), current: r.generation) { gen in
            var sealed = r
            sealed.generation = gen
            sealed.seal(macKey: BucketRecord.macKey(root: try rootKey.key()))
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try FileIO.atomicWrite(Array(try enc.encode(sealed)), to: path, mode: 0o600)
            try then()
        }
    }

    /// The bucket's lock, exclusive: for changes to the bucket as a whole (its record, its deletion), which no
    /// object change may overlap. NoSuchBucket when the bucket was deleted meanwhile. `shared`: for a change inside
    /// the bucket that needs it to stay (a new multipart upload), alongside other such changes.
    func withBucketLock<R>(_ b: BucketName, shared: Bool = false, _ body: () throws -> R) throws -> R {
        try FileLock.withLock(paths.bucketLock(b), shared: shared, missing: OBSError.noSuchBucket(b.value), body)
    }

    /// The lock for changing one object (a write's commit, a delete, a sweep of its directory): the bucket's lock
    /// shared, so the bucket stays while writes to different keys go on at once, and then the object's own lock,
    /// a flock on its directory, so writers of one key commit one at a time and a sweep never meets a write between
    /// its data rename and its commit. Object directories go only with their bucket (under the exclusive bucket
    /// lock). A key without a directory has no object and no writer in its commit: the exclusive bucket lock then
    /// stands in for the object's (a writer makes the directory before it locks).
    func withObjectLock<R>(_ b: BucketName, _ key: ObjectKey, _ body: () throws -> R) throws -> R {
        try withObjectLock(b, directory: paths.objectDir(b, key), body)
    }

    /// `withObjectLock` for the object whose directory is `dir` (recovery knows directories, not keys).
    func withObjectLock<R>(_ b: BucketName, directory dir: String, _ body: () throws -> R) throws -> R {
        // nil: no directory; the result is boxed so that a body returning nil is not taken for that.
        let locked: Result<R, Never>? = try withBucketLock(b, shared: true) {
            guard let lock = try FileLock(directory: dir) else { return nil }
            defer { lock.unlock() }
            return .success(try body())
        }
        if case .success(let result)? = locked { return result }
        return try withBucketLock(b, body)
    }

    private func encryptionRecord(_ e: BucketEncryption?) throws -> BucketRecord.Encryption? {
        guard let e else { return nil }
        // A named KMS key must exist now (catches typos); it is stored by id. No key id means obs/default,
        // resolved (and created if needed) at upload time; naming it is the same, even before it exists.
        let keyID = try e.kmsKeyID.flatMap { KMSKeyReference.namesDefaultKey($0) ? nil : try kms.resolveKeyID($0) }
        return BucketRecord.Encryption(
            algorithm: e.algorithm, kmsKeyID: keyID, updated: Timestamps.rfc3339(LocalClock.now()))
    }

    public func createBucket(_ request: CreateBucketRequest) async throws -> BucketInfo {
        try await BlockingPool.shared.run { [self] in
            try Self.validateLocation(request.location)
            if FileIO.exists(paths.bucketFile(request.name)) { throw OBSError.bucketAlreadyExists(request.name.value) }
            let record = BucketRecord(
                name: request.name.value, location: request.location, storageClass: request.storageClass,
                created: Timestamps.rfc3339(LocalClock.now()), encryption: try encryptionRecord(request.encryption))
            try ensureInitialised()
            try FileIO.makeDirectories(paths.bucketsDir)
            // Build the bucket in a temp directory and rename it into place: the bucket appears whole, with its
            // default encryption, or not at all. A rename onto an existing (non-empty) bucket fails.
            let tmp = FileIO.tempPath(in: paths.bucketsDir)
            try FileIO.makeDirectories(tmp + "/objects")
            do {
                try writeBucket(record, to: tmp + "/bucket.json") {
                    if rename(tmp, paths.bucketDir(request.name)) != 0 {
                        if errno == ENOTEMPTY || errno == EEXIST {
                            throw OBSError.bucketAlreadyExists(request.name.value)
                        }
                        throw FileIO.ioError("create bucket", paths.bucketDir(request.name))
                    }
                }
            } catch { FileIO.removeTree(tmp); throw error }
            try FileIO.fsyncDirectory(paths.bucketsDir)
            return try record.info()
        }
    }

    static func validateLocation(_ location: String) throws {
        guard RegionName.isValid(location) else {
            throw OBSError(
                code: "InvalidLocationConstraint",
                message: "location '\(location)' is invalid; use a region id such as cn-north-4",
                httpStatus: 400, category: .usage)
        }
    }

    /// Strict: the first unreadable bucket fails the listing (callers that act on every bucket).
    public func listBuckets() async throws -> [BucketInfo] {
        let listing = try await bucketListing()
        if let damaged = listing.unreadable.first { throw damaged.error }
        return listing.buckets
    }

    public func bucketListing() async throws -> BucketListing {
        try await BlockingPool.shared.run { [self] in
            // A store made under a root key checks it even with no bucket left: a wrong or unusable key is an error
            // of the whole store (exit 12), never a bucket left out. Directories that are no bucket name are not
            // buckets.
            if FileIO.exists(paths.rootKeyCheckFile) { _ = try rootKey.key() }
            var listing = BucketListing(buckets: [])
            for b in try FileIO.listExistingDirectory(paths.bucketsDir).filter({ !$0.hasPrefix(".") }).sorted()
                .compactMap({ try? BucketName($0) })
            {
                do {
                    listing.buckets.append(try loadBucket(b).info())
                } catch let e as OBSError where e.category == .notFound {
                    // Deleted since the directory was read: gone, not damaged.
                    if !FileIO.exists(paths.bucketDir(b)) { continue }
                    listing.unreadable.append(
                        UnreadableBucket(
                            name: b,
                            error: OBSError.integrity(
                                "bucket directory \(paths.bucketDir(b)) has no bucket.json; restore it from a "
                                    + "backup or move the directory out of \(paths.bucketsDir)")))
                } catch let e as OBSError where e.category == .integrity {
                    // One damaged record (unparsable, failing its MAC, rolled back, not a regular file) hides only
                    // its own bucket: the caller reports it and fails at the end.
                    listing.unreadable.append(UnreadableBucket(name: b, error: e))
                }
            }
            return listing
        }
    }

    public func bucketInfo(_ bucket: BucketName) async throws -> BucketInfo {
        try await BlockingPool.shared.run { [self] in try loadBucket(bucket).info() }
    }

    public func deleteBucket(_ bucket: BucketName) async throws {
        try await deleteBucket(bucket, abortingUploads: false)
    }

    /// `abortingUploads`: unfinished uploads go with the bucket, as S3 deletes them (OBS and the CLI refuse,
    /// MultipartUploadsInProgress). Decided under the bucket lock with the emptiness check, so an object written
    /// meanwhile keeps the bucket and its uploads both.
    public func deleteBucket(_ bucket: BucketName, abortingUploads: Bool) async throws {
        try await BlockingPool.shared.run { [self] in
            let record = try loadBucket(bucket)
            try withBucketLock(bucket) {
                guard try allMetaFiles(bucket).isEmpty else { throw OBSError.bucketNotEmpty(bucket.value) }
                guard try abortingUploads || uploadRecords(bucket).isEmpty else {
                    throw OBSError.uploadsInProgress(bucket.value)
                }

                let trash = paths.bucketsDir + "/.trash-\(getpid())-\(Hex.encode(Random.bytes(6)))"
                guard rename(paths.bucketDir(bucket), trash) == 0 else {
                    throw FileIO.ioError("delete bucket", paths.bucketDir(bucket))
                }
                try FileIO.fsyncDirectory(paths.bucketsDir)
                // Recorded after the rename (a crash before it leaves a deleted bucket unmarked, never a live one
                // marked): a copy of the deleted bucket put back later is then older than its entry.
                try? state.markDeleted(StateManifest.bucketEntry(bucket.value), current: record.generation)
                FileIO.removeTree(trash)
            }
        }
    }

    public func bucketEncryption(_ bucket: BucketName) async throws -> BucketEncryption? {
        try await BlockingPool.shared.run { [self] in try loadBucket(bucket).bucketEncryption }
    }

    public func setBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption?) async throws {
        try await BlockingPool.shared.run { [self] in
            _ = try loadBucket(bucket)
            let newValue = try encryptionRecord(encryption)
            try withBucketLock(bucket) {
                var r = try loadBucket(bucket, fresh: true)
                r.encryption = newValue
                try writeBucket(r, to: paths.bucketFile(bucket))
            }
        }
    }

    func allMetaFiles(_ bucket: BucketName) throws -> [String] {
        try allObjectDirectories(bucket).directories.map { $0.path + "/meta.json" }.filter(FileIO.exists)
    }

    /// An entry of `objects/<h2>`: an object's directory, with or without an object in it now (a delete leaves the
    /// directory), or anything else found there. `name` is the SHA-256 of its key when it is one; `placed`: it is
    /// under its own `<h2>` (the name's first two characters), as the store puts it, not a copy moved by hand.
    struct ObjectDirectory {
        let path: String
        let name: String
        let placed: Bool
    }

    /// Every entry of the bucket's `objects/<h2>` directories; and the version of each directory listed, read before
    /// it was (nil: gone meanwhile), which `ListingSnapshots` compares.
    func allObjectDirectories(_ bucket: BucketName) throws
        -> (directories: [ObjectDirectory], versions: [(path: String, version: FileVersion?)])
    {
        let objects = paths.objectsDir(bucket)
        var out: [ObjectDirectory] = []
        var versions = [(path: objects, version: FileIO.version(objects))]
        // Throwing listings: a directory that cannot be read would hide its objects (and let `bucket delete`
        // remove a bucket that is not empty).
        for h2 in try FileIO.listExistingDirectory(objects) where !h2.hasPrefix(".") {
            let dir = objects + "/" + h2
            versions.append((dir, FileIO.version(dir)))
            for h in try FileIO.listExistingDirectory(dir) where !h.hasPrefix(".") {
                out.append(
                    ObjectDirectory(
                        path: dir + "/" + h, name: h, placed: h2.utf8.count == 2 && h.utf8.starts(with: h2.utf8)))
            }
        }
        return (out, versions)
    }
}
