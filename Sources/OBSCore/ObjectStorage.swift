/// The storage protocol. The CLI talks only to this; the embedded local backend implements it now, the remote OBS
/// client next. Every operation fails with `OBSError`.
public protocol ObjectStorage: AnyObject {
    /// A short name for messages, e.g. "local (/home/u/.local/share/obsctl)".
    var displayName: String { get }
    /// The location a new bucket gets when none is named: the region of a remote endpoint, "local" locally.
    var defaultLocation: String { get }

    func createBucket(_ request: CreateBucketRequest) async throws -> BucketInfo
    func listBuckets() async throws -> [BucketInfo]
    /// Whether `mode` may travel to this backend (see the extension's default); an error when not.
    func checkSecureTransport(for mode: SSEMode?, what: String) throws
    /// Like `listBuckets`, but a bucket whose record cannot be read is returned in `unreadable` instead of failing
    /// the listing (`bucket list` shows the others). Errors of the whole store (a wrong root key) still throw.
    func bucketListing() async throws -> BucketListing
    /// Bucket names only (shell completion): one request where `listBuckets` needs one more per bucket.
    func listBucketNames() async throws -> [BucketName]
    func bucketInfo(_ bucket: BucketName) async throws -> BucketInfo
    /// Deletes an empty bucket; `BucketNotEmpty` otherwise.
    func deleteBucket(_ bucket: BucketName) async throws

    /// nil when the bucket has no default encryption (OBS's 404 NoSuchEncryptionConfiguration).
    func bucketEncryption(_ bucket: BucketName) async throws -> BucketEncryption?
    /// Sets (non-nil) or removes (nil) the default. Never touches stored objects.
    func setBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption?) async throws

    func putObject(_ request: PutObjectRequest, body: ByteSource) async throws -> ObjectInfo
    /// Streams the object's verified bytes into `sink`.
    func getObject(_ request: GetObjectRequest, into sink: ByteSink) async throws -> ObjectInfo
    func headObject(_ request: GetObjectRequest) async throws -> ObjectInfo
    /// Whether a GET of the object would be served, its data not read: the object there, its SSE-C key given and
    /// right, and where the backend can tell without a key use, its KMS key usable (a dry run's check). By default a
    /// HEAD, which a remote server answers without asking KMS.
    @discardableResult func checkReadable(_ request: GetObjectRequest) async throws -> ObjectInfo
    func copyObject(_ request: CopyObjectRequest) async throws -> ObjectInfo
    func deleteObject(bucket: BucketName, key: ObjectKey) async throws
    /// Deletes several objects (OBS's batch delete, 1000 keys a request, where the backend has it); returns the
    /// keys that could not be deleted, with why. A key already gone is deleted, as OBS answers.
    func deleteObjects(bucket: BucketName, keys: [ObjectKey]) async throws -> [(key: ObjectKey, error: OBSError)]
    /// Keys in byte order after `marker`; with a delimiter, keys sharing a prefix up to it are rolled up.
    func listObjects(bucket: BucketName, prefix: String, delimiter: String?, marker: String?, maxKeys: Int) async throws
        -> ObjectListing

    /// Multipart uploads begun under `prefix` and neither completed nor aborted (the OBS console's "fragments"),
    /// all pages, in key order.
    func listMultipartUploads(bucket: BucketName, prefix: String) async throws -> [MultipartUploadInfo]
    /// Aborts one multipart upload, deleting its parts; `NoSuchUpload` (not found) when there is none.
    func abortMultipartUpload(bucket: BucketName, key: ObjectKey, uploadID: String) async throws
}

/// An optional capability: multipart uploads driven one call at a time, as an S3 or OBS server receives them (the
/// embedded backend has it, for `obsctl serve`). The remote client drives its multipart uploads itself, inside
/// `putObject`, and needs only list and abort above.
public protocol MultipartUploads: ObjectStorage {
    /// Fixes the upload's encryption (the request's SSE, else the bucket default), content type and metadata.
    func initiateMultipartUpload(_ request: PutObjectRequest) async throws -> MultipartUploadInfo
    /// Stores part `partNumber` (1...10000) of the upload, streamed from `body`; a part uploaded again replaces
    /// the earlier one.
    func uploadPart(_ target: MultipartUploadTarget, partNumber: Int, body: ByteSource) async throws -> UploadedPart
    /// The parts stored so far, by part number.
    func listParts(_ target: MultipartUploadTarget) async throws -> [UploadedPart]
    /// Makes the object of the listed parts, in ascending part order, each with the ETag its upload returned.
    /// The object appears whole or not at all; the upload is gone afterwards.
    func completeMultipartUpload(_ target: MultipartUploadTarget, parts: [(partNumber: Int, etag: String)])
        async throws -> ObjectInfo
}

/// An optional capability: a delete that holds only while the object is the version named, checked where the delete
/// happens (the embedded backend, under its bucket lock). Elsewhere a HEAD before the delete is the nearest thing.
public protocol ConditionalDeletes: ObjectStorage {
    /// Deletes the object when it meets `precondition`: PreconditionFailed (412) when another version is there,
    /// NoSuchKey when none is.
    func deleteObject(bucket: BucketName, key: ObjectKey, precondition: WritePrecondition?) async throws
}

/// An optional capability, as in rclone's optional backend features: URLs that allow one request on one object
/// without credentials until they expire. The remote client has it; the embedded backend, which serves no HTTP,
/// does not.
public protocol PresignedURLs {
    /// A URL for `method` ("GET" or "PUT") on the object, valid for `expiresIn` seconds from now. Signed offline:
    /// nothing is sent, so the object need not exist (a PUT URL is for creating it).
    func presignedURL(method: String, bucket: BucketName, key: ObjectKey, expiresIn seconds: Int) throws -> String
}

extension ObjectStorage {
    /// Refuses, before anything is sent, what `mode` may not travel over (`what` names the command): SSE-KMS and
    /// SSE-C go over HTTPS only, or plain HTTP to a loopback address. Nothing to check for a backend without HTTP.
    public func checkSecureTransport(for mode: SSEMode?, what: String) throws {}

    @discardableResult public func checkReadable(_ request: GetObjectRequest) async throws -> ObjectInfo {
        try await headObject(request)
    }

    /// For backends that write every object whole: there are never uploads in progress.
    public func listMultipartUploads(bucket: BucketName, prefix: String) async throws -> [MultipartUploadInfo] {
        _ = try await bucketInfo(bucket)
        return []
    }

    public func abortMultipartUpload(bucket: BucketName, key: ObjectKey, uploadID: String) async throws {
        _ = try await bucketInfo(bucket)
        throw OBSError(
            code: "NoSuchUpload", message: "obs://\(bucket)/\(key) has no multipart upload \(uploadID)",
            httpStatus: 404, category: .notFound)
    }

    public func listBucketNames() async throws -> [BucketName] { try await listBuckets().map(\.name) }

    /// For backends whose listing has no per-bucket records to damage (the remote client).
    public func bucketListing() async throws -> BucketListing { BucketListing(buckets: try await listBuckets()) }

    /// One delete after another, for backends without a batch call.
    public func deleteObjects(bucket: BucketName, keys: [ObjectKey]) async throws -> [(key: ObjectKey, error: OBSError)]
    {
        var failed: [(key: ObjectKey, error: OBSError)] = []
        for key in keys {
            do { try await deleteObject(bucket: bucket, key: key) } catch let e as OBSError {
                if e.code != "NoSuchKey" { failed.append((key, e)) }
            }
        }
        return failed
    }

    /// Every object under `prefix`, all pages, and every entry that could not be read (for the caller to report).
    public func listAllObjects(bucket: BucketName, prefix: String) async throws -> ObjectListing {
        var all = ObjectListing(objects: [], commonPrefixes: [], nextMarker: nil)
        var marker: String? = nil
        repeat {
            let page = try await listObjects(
                bucket: bucket, prefix: prefix, delimiter: nil, marker: marker, maxKeys: 1000)
            all.objects += page.objects
            all.unreadable += page.unreadable
            marker = page.nextMarker
        } while marker != nil
        return all
    }
}
