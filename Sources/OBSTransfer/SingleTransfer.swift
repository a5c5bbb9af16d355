import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// What the transfers of one command share: the destination's encryption and attributes, the source's keys, how
/// large objects are cut, and whether each source goes once its copy is verified (a move).
public struct StepOptions: Sendable {
    /// Encryption of what is written (uploads and copies).
    public var sse: SSERequest?
    /// The SSE-C key of an object read by a download.
    public var customerKey: CustomerKey?
    /// The SSE-C key of a copy's source object.
    public var sourceCustomerKey: CustomerKey?
    /// nil: guessed from the file name for an upload, kept from the source by a copy.
    public var contentType: String?
    public var metadata: [String: String]
    /// Standard headers stored with what is written (`HeaderMetadata.names`); a copy keeps the source's others.
    public var headerMetadata: [String: String] = [:]
    public var transfer: TransferOptions
    /// `--expect-sse`: a write that cannot meet it fails before it is made, and what was stored is checked after.
    public var expectSSE: ExpectedSSE?
    /// Checks what was stored before a move removes the source; throws to fail the step.
    public var verify: @Sendable (ObjectInfo) throws -> Void
    /// mv: each source is removed once its copy is written and verified, and only if it did not change meanwhile.
    public var move: Bool
    /// A downloaded file gets its object's time, so a sync finds it as new as the object (not for a stream).
    public var keepModificationTime: Bool
    /// A single download to the path the user typed: a symbolic link, device or FIFO there is followed or written
    /// in place (`DownloadTarget`); planned paths never are.
    public var destinationNamedByUser = false
    /// The directory the user named, below which a recursive download, mv or sync plans its files: the directories
    /// between it and each file are made as real ones, and one found to be a symbolic link fails that file
    /// (`LocalDirectories`), so a link planted in a shared destination cannot send a download elsewhere.
    public var localRoot: String?

    /// A copy with any of these replaces the source's attributes (S3's REPLACE directive); without, keeps them.
    public var changesAttributes: Bool { contentType != nil || !metadata.isEmpty || !headerMetadata.isEmpty }

    public init(
        sse: SSERequest? = nil, customerKey: CustomerKey? = nil, sourceCustomerKey: CustomerKey? = nil,
        contentType: String? = nil, metadata: [String: String] = [:], transfer: TransferOptions = TransferOptions(),
        verify: @escaping @Sendable (ObjectInfo) throws -> Void = { _ in }, move: Bool = false,
        keepModificationTime: Bool = false
    ) {
        self.sse = sse
        self.customerKey = customerKey
        self.sourceCustomerKey = sourceCustomerKey
        self.contentType = contentType
        self.metadata = metadata
        self.transfer = transfer
        self.verify = verify
        self.move = move
        self.keepModificationTime = keepModificationTime
    }
}

/// Carries out plan steps against one backend, with the local file system as the other end: the one code path
/// of every upload, download and copy, whichever command (upload, download, cp, mv, sync) planned it.
/// `@unchecked Sendable`: the backends lock what they share, and the rest is immutable.
public struct TransferEngine: @unchecked Sendable {
    public let storage: ObjectStorage
    /// A remote backend: downloads may come as parallel ranges, and batch deletes take OBS's 1,000 keys.
    public let isRemote: Bool
    /// Where download temporaries are created and registered (for removal on an interruption).
    public let temps: TempFileRegistry
    /// Where `-` as a download's destination writes (stdout); nil refuses it.
    public let standardOutput: (@Sendable () -> ByteSink)?

    /// The local store's own files, when it is `storage`: no transfer reads, writes or removes them.
    public let protected: ProtectedPaths
    /// The files this run wrote, which it never replaces or removes again (`WrittenFiles`).
    public let written: WrittenFiles
    /// The default encryption of the buckets written into, for `--expect-sse` (`checkExpectation`).
    public let bucketDefaults: BucketDefaults

    public init(
        storage: ObjectStorage, isRemote: Bool, temps: TempFileRegistry = UnregisteredTemps(),
        standardOutput: (@Sendable () -> ByteSink)? = nil, protected: ProtectedPaths = .none,
        written: WrittenFiles = WrittenFiles(), bucketDefaults: BucketDefaults = BucketDefaults()
    ) {
        self.storage = storage
        self.isRemote = isRemote
        self.temps = temps
        self.standardOutput = standardOutput
        self.protected = protected
        self.written = written
        self.bucketDefaults = bucketDefaults
    }

    /// Runs one transfer step (upload, download or copy), its bytes counted in `counter`; returns what was stored
    /// or read. A move removes the source only after the copy verified (`VerifiedMove`).
    public func perform(_ step: PlanStep, _ options: StepOptions, counter: TransferCounter? = nil) async throws
        -> ObjectInfo
    {
        switch (step.source, step.destination) {
        case (.file(let path), .object(let bucket, let key)?):
            if options.move { try Self.checkRemovable(path) }
            let before = options.move ? try FileSnapshot(path) : nil
            try await checkExpectation(options, bucket, key, mode: options.sse?.mode)
            let info = try await upload(from: path, to: bucket, key: key, options, counter: counter)
            try options.expectSSE?.check(info)
            try options.verify(info)
            if let before { try removeLocalSource(path, unchangedSince: before, movedTo: "\(step.destination!)") }
            return info
        case (.object(let bucket, let key), .file(let path)?):
            try Self.refuseMoveIntoStream(step, options)
            var request = GetObjectRequest(
                bucket: bucket, key: key, customerKey: options.customerKey, transfer: options.transfer)
            request.sizeHint = step.size
            let info = try await download(
                request, to: path, counter: counter, userNamed: options.destinationNamedByUser,
                below: options.localRoot, free: step.destinationWasFree, keepModified: options.keepModificationTime)
            if options.move {
                try await Self.makeNamesDurable(path)
                try await removeObjectSource(request, etag: info.etag, movedTo: path)
            }
            return info
        case (.object(let from, let key), .object(let to, let target)?):
            let source = GetObjectRequest(bucket: from, key: key, customerKey: options.sourceCustomerKey)
            // New attributes replace the source's; without any, the copy keeps them.
            let replacing = options.changesAttributes
            // The source as it is before the copy: a move deletes it only if it is still this version, a copy
            // naming no encryption keeps the source's, and new attributes keep the others it has (as aws s3 cp's
            // default --copy-props): its type, its Content-Encoding, Cache-Control and the like, and its user
            // metadata unless --metadata replaces it.
            let before =
                options.move || options.sse == nil || replacing ? try await storage.headObject(source) : nil
            var destination = PutObjectRequest(
                bucket: to, key: target,
                sse: options.sse ?? before.flatMap { Self.keptEncryption($0, sourceKey: options.sourceCustomerKey) },
                contentType: options.contentType ?? before?.contentType ?? "application/octet-stream",
                userMetadata: options.metadata.isEmpty ? before?.userMetadata ?? [:] : options.metadata,
                transfer: options.transfer)
            destination.headerMetadata = (before?.headerMetadata ?? [:]).merging(options.headerMetadata) { $1 }
            try await checkExpectation(options, to, target, mode: destination.sse?.mode)
            let request = CopyObjectRequest(source: source, destination: destination, replaceMetadata: replacing)
            let info = try await storage.copyObject(request)
            try options.expectSSE?.check(info)
            try options.verify(info)
            if options.move, let etag = before?.etag {
                try await removeObjectSource(source, etag: etag, movedTo: "\(step.destination!)")
            }
            return info
        default:
            throw OBSError.invalidArgument("\(step.operation.rawValue) of \(step.source) is no transfer")
        }
    }

    /// A move deletes its source only once the file's name would survive a power loss: every directory from the
    /// file's up to the top of its path is fsynced (the download may have made any of them, and each holds the
    /// name of the next). A directory that cannot be opened for that (write-only, 0333) is covered by a sync(2)
    /// instead. The file's bytes were fsynced before its rename. The path is resolved first: through a link the
    /// user named, the file was renamed into the link's target's directory, not the link's.
    static func makeNamesDurable(_ path: String) async throws {
        try await BlockingPool.shared.run {
            let resolved = realpath(path, nil)
            defer { free(resolved) }
            var dir = LocalPath.parent(resolved.map { String(cString: $0) } ?? path)
            while true {
                let e = DirectorySync.sync(dir)
                if e == EACCES || e == EPERM {
                    sync()  // rare (a write-only directory): everything, as no narrower call reaches it
                    return
                }
                guard e == 0 else {
                    throw OBSError.localIO(
                        "cannot make \(path) durable: fsync of directory \(dir.isEmpty ? "." : dir): "
                            + "\(OBSError.reason(e)); the source was kept", errno: e)
                }
                if dir.isEmpty || dir == "/" || dir == "." { return }
                dir = LocalPath.parent(dir)
            }
        }
    }

    /// Whether what `step` writes gets its bucket's default encryption: an upload naming no method, or a copy naming
    /// none of an object stored unencrypted (`source`: as a dry run's `checkSource` found it; nil: not known).
    public static func getsBucketDefault(_ step: PlanStep, _ options: StepOptions, source: ObjectInfo?) -> Bool {
        guard options.sse == nil, case .object? = step.destination else { return false }
        switch step.source {
        case .file: return true
        case .object: return source.map { keptEncryption($0, sourceKey: options.sourceCustomerKey) == nil } ?? false
        }
    }

    /// The encryption a copy naming none gives its target: the source's, so that copying never silently turns an
    /// encrypted object into plaintext (OBS itself would store it unencrypted, or under the target bucket's
    /// default). SSE-KMS under the same key, SSE-OBS, SSE-C under the same customer key; nil for a plain source,
    /// which then gets the target bucket's default, as an upload does.
    static func keptEncryption(_ source: ObjectInfo, sourceKey: CustomerKey?) -> SSERequest? {
        switch source.sseMode {
        case .kms?: return .kms(keyID: source.kmsKeyID)
        case .obs?: return .obs
        case .c?: return sourceKey.map { .customer($0) }
        case .unencrypted?, nil: return nil
        }
    }

    /// Uploads a local file (or stdin for `-`) to one object, streaming.
    public func upload(
        from path: String, to bucket: BucketName, key: ObjectKey, _ options: StepOptions,
        counter: TransferCounter? = nil
    ) async throws -> ObjectInfo {
        let fd: Int32
        var opened: stat? = nil
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            (fd, opened) = try Self.openSourceFile(path)
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var request = PutObjectRequest(
            bucket: bucket, key: key, sse: options.sse,
            contentType: options.contentType
                ?? (path == "-" ? "application/octet-stream" : ContentTypes.guess(path)),
            userMetadata: options.metadata, transfer: options.transfer)
        request.headerMetadata = options.headerMetadata
        let source = FileDescriptorSource.make(fd: fd, path: path == "-" ? "stdin" : path, opened: opened)
        source.counter = counter
        return try await storage.putObject(request, body: source)
    }

    /// Opens a local file to upload: one that cannot be opened is NotFound or AccessDenied by its cause, and a
    /// directory is refused with the option that takes it. Shared with a dry run (`checkSource`), which thereby
    /// finds what the upload would.
    static func openSourceFile(_ path: String) throws -> (fd: Int32, opened: stat?) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw OBSError.localIO(unreadableSource(path, e), errno: e)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return (fd, nil) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw OBSError.invalidArgument("\(path) is a directory; pass --recursive to upload its files")
        }
        return (fd, st)
    }

    /// A local source that cannot be opened, with the fix its cause calls for.
    public static func unreadableSource(_ path: String, _ e: Int32) -> String {
        let fix =
            switch e {
            case ENOENT, ENOTDIR: "check the path"
            case EACCES, EPERM: "check its permissions and those of its directories (ls -l)"
            default: "check the file"
            }
        return "cannot read local file \(path): \(OBSError.reason(e)); \(fix)"
    }

    /// mv into a FIFO or device the user named: the object would be deleted once written there, though nothing
    /// there can be read back and verified (mv - is refused for the same reason).
    static func refuseMoveIntoStream(_ step: PlanStep, _ options: StepOptions) throws {
        guard options.move, case .object(let bucket, let key) = step.source, case .file(let path)? = step.destination,
            case .stream = try DownloadTarget(path, userNamed: options.destinationNamedByUser)
        else { return }
        throw OBSError.invalidArgument(
            "mv cannot move obs://\(bucket)/\(key) into \(path), a FIFO or device: what its reader takes cannot be "
                + "verified before the object is deleted; use cp")
    }

    /// What a dry run can tell without moving a byte: that a step's source is there and can be read, as the run
    /// would first find it. A local file is opened and closed. An object read is checked (`checkReadable`: remotely a
    /// HEAD) with the SSE-C key the step would read it with; remotely only when `objects` (named by the user; a
    /// listed one was just seen, and a request per object is what a dry run should not cost), locally always. A
    /// deletion of an object named by the user is looked at as the run's delete looks first: a missing one fails.
    /// Returns what it learnt of an object read (nil when it sent nothing for it).
    @discardableResult
    public func checkSource(_ step: PlanStep, _ options: StepOptions, objects: Bool) async throws -> ObjectInfo? {
        let source = try await checkReadable(step, options, objects: objects)
        // --expect-sse the write could not meet fails the run's step before anything is written: the dry run's too.
        // A copy keeps what its source has, known only when the source was looked at.
        if case .object(let bucket, let key)? = step.destination {
            switch step.source {
            case .file: try await checkExpectation(options, bucket, key, mode: options.sse?.mode)
            case .object where options.sse != nil || source != nil:
                let kept = source.flatMap { Self.keptEncryption($0, sourceKey: options.sourceCustomerKey) }
                try await checkExpectation(options, bucket, key, mode: (options.sse ?? kept)?.mode)
            case .object: break
            }
        }
        return source
    }

    private func checkReadable(_ step: PlanStep, _ options: StepOptions, objects: Bool) async throws -> ObjectInfo? {
        try Self.refuseMoveIntoStream(step, options)
        if case (.object, .file(let path)?) = (step.source, step.destination), path != "-" {
            try checkDownloadTarget(path, step, options)
        }
        switch (step.source, step.destination) {
        case (.file(let path), nil):  // sync --delete: a local file the run removes
            var st = stat()
            if lstat(path, &st) == 0 { try Self.checkRemovable(path, removing: true) }
        case (.file(let path), _?) where path != "-":
            if options.move {  // first, as in `perform`
                try Self.checkRemovable(path)
                _ = try FileSnapshot(path)
            }
            var st = stat()
            if stat(path, &st) == 0, ![S_IFREG, S_IFDIR].contains(st.st_mode & S_IFMT) {
                // A FIFO or device: opening it would wait for a writer, or take bytes the run should read.
                guard access(path, R_OK) == 0 else {
                    let e = errno
                    throw OBSError.localIO(Self.unreadableSource(path, e), errno: e)
                }
                return nil
            }
            close(try Self.openSourceFile(path).fd)
        case (.object(let bucket, let key), let destination?) where objects || !isRemote:
            // Listed objects too when the check costs no request: an SSE-C object without its key, or one under a
            // disabled KMS key, fails the run's step.
            let customerKey: CustomerKey? =
                if case .object = destination { options.sourceCustomerKey } else { options.customerKey }
            return try await storage.checkReadable(
                GetObjectRequest(bucket: bucket, key: key, customerKey: customerKey))
        case (.object(let bucket, let key), nil) where objects:
            // As the run's delete looks first (remotely a HEAD, since S3 answers 204 for a missing key).
            do { _ = try await storage.headObject(GetObjectRequest(bucket: bucket, key: key)) } catch let e
                as OBSError where e.category == .customerKey || e.httpStatus == 400
            {
                return nil  // an SSE-C object's HEAD wants its key; its delete does not. What else fails, fails it.
            }
        default:
            break
        }
        return nil
    }

    /// What a download's run meets at its path, in the run's order: what stands there (`DownloadTarget`), the
    /// directories on the way (which the run makes; here only looked at), the length of its temporary's path, and
    /// the directory that gets the temporary (or the nearest one there, which gets the directories made), which must
    /// take new entries.
    private func checkDownloadTarget(_ path: String, _ step: PlanStep, _ options: StepOptions) throws {
        guard
            case .file(let resolved, _, let occupied) = try DownloadTarget(
                path, userNamed: options.destinationNamedByUser)
        else { return }  // a FIFO or device, written in place
        if occupied && step.destinationWasFree { throw Self.appeared(path) }
        let dir = LocalPath.parent(resolved)
        if let root = options.localRoot {
            try LocalDirectories.make(dir, below: root, create: false)
        } else {
            try LocalDirectories.checkNamed(dir)
        }
        try DownloadTemps.refuseTooLong(resolved)
        try LocalDirectories.checkTakesNewEntries(dir, for: resolved)
    }

    /// Gives a downloaded file its object's time, unless the server sent none (the listing's 1970 fallback).
    /// Gives the open file `fd` the modification time `date` (and now as its access time); a time before 1970 (none
    /// known) is not set.
    static func setModified(fd: Int32, _ date: Date) {
        let t = date.timeIntervalSince1970
        guard t > 0 else { return }
        let whole = t.rounded(.down)
        var times = [
            timespec(tv_sec: 0, tv_nsec: (1 << 30) - 1),  // UTIME_NOW, a macro Swift does not import
            timespec(tv_sec: Int(whole), tv_nsec: Int((t - whole) * 1e9)),
        ]
        _ = futimens(fd, &times)
    }

    /// The size of a regular file, for the progress display; nil for stdin, pipes and what cannot be read.
    public static func fileSize(_ path: String) -> Int64? {
        guard path != "-" else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }
}

/// The content type of an upload without --content-type, by the file name's extension.
public enum ContentTypes {
    static let byExtension = [
        "txt": "text/plain", "html": "text/html", "htm": "text/html", "css": "text/css", "csv": "text/csv",
        "json": "application/json", "xml": "application/xml", "js": "application/javascript",
        "pdf": "application/pdf",
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar", "png": "image/png",
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "md": "text/markdown",
        "mp4": "video/mp4", "wasm": "application/wasm", "yaml": "application/yaml", "yml": "application/yaml",
    ]

    public static func guess(_ path: String) -> String {
        // The last name of the path (a trailing '/' aside), then what follows its last dot: scanned as bytes, once
        // per file of an upload.
        let bytes = path.utf8, slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var end = bytes.endIndex
        while end > bytes.startIndex && bytes[bytes.index(before: end)] == slash { end = bytes.index(before: end) }
        var i = end
        while i > bytes.startIndex {
            let before = bytes.index(before: i)
            if bytes[before] == slash { break }
            if bytes[before] == dot { return byExtension[path[i..<end].lowercased()] ?? octetStream }
            i = before
        }
        return octetStream
    }

    static let octetStream = "application/octet-stream"
}
