import Foundation
import OBSCore
import OBSXML

/// Bucket operations: list, create (with default encryption headers, as obsctl sends them), head, delete,
/// location, and default encryption get/put/delete.
extension S3Service {
    /// S3's ListBuckets arguments are applied, never ignored: a test's teardown that deletes what a `prefix` listing
    /// returns must not be handed every bucket. Pages are in name order; a page's token is its last name.
    func listBuckets(_ call: S3Call) async throws -> ServerResponse {
        try Self.requireOnly(call, ["prefix", "max-buckets", "continuation-token", "bucket-region"])
        let query = call.request
        let prefix = query.query("prefix")
        let after = query.query("continuation-token")
        let region = query.query("bucket-region")
        var limit = Int.max
        if let text = query.query("max-buckets") {
            guard let n = Int(text), (1...10_000).contains(n) else {
                throw S3Failure.invalidArgument("max-buckets must be a whole number from 1 to 10000, not '\(text)'")
            }
            limit = n
        }
        // A bucket whose record cannot be read is left out, as `obsctl bucket list` lists the others (and names it),
        // rather than failing every listing; when none can be read (a wrong root key), the listing fails.
        let listing = try await backend.bucketListing()
        if listing.buckets.isEmpty, let first = listing.unreadable.first { throw first.error }
        let matching = listing.buckets.sorted { $0.name.value < $1.name.value }.filter { bucket in
            bucket.name.value.hasPrefix(prefix ?? "") && after.map { bucket.name.value > $0 } ?? true
                && region.map { bucket.location == $0 } ?? true
        }
        let page = matching.prefix(limit)
        // OBS lists a bucket's location when asked (x-obs-bucket-type / x-obs-location: true); S3 never does.
        let withLocation = call.dialect == .obs && call.request.header("x-obs-location") == "true"
        return Self.xml(
            ServerXML.listBuckets(
                page.map {
                    ListedBucket(
                        name: $0.name.value, creationDate: $0.created, location: withLocation ? $0.location : nil)
                },
                owner: XMLOwner(id: call.identity?.accessKeyID ?? ""), dialect: call.dialect.xml, prefix: prefix,
                continuationToken: matching.count > page.count ? page.last?.name.value : nil))
    }

    func createBucket(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        if call.dialect == .s3, let reserved = Self.reservedByS3(bucket.value) {
            throw S3Failure("InvalidBucketName", "The specified bucket is not valid: \(reserved).", status: 400)
        }
        try S3Headers.refuseUnkeptBucketFeatures(call)
        let body = try await readCheckedBody(call, limit: ServerXMLReader.maxConfigurationBytes)
        var location = region
        if !body.isEmpty { location = try ServerXMLReader.createBucketConfiguration(body) ?? region }
        let encryption = try S3Headers.bucketDefault(call)
        _ = try await backend.createBucket(
            CreateBucketRequest(
                name: bucket, location: location, storageClass: try Self.bucketStorageClass(call),
                encryption: encryption))
        return ServerResponse(status: 200, headers: [("Location", "/\(bucket.value)")])
    }

    /// The bucket name forms S3 keeps for itself (beyond the naming rules both OBS and S3 share, which `BucketName`
    /// checks): what a bucket created here could never be named on S3, so an S3 client learns it here.
    static func reservedByS3(_ name: String) -> String? {
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "names may not begin with '\(prefix)'"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return "names may not end with '\(suffix)'"
        }
        return nil
    }

    /// OBS buckets have a default storage class for their objects (`x-obs-storage-class` at creation); S3's have
    /// none, so an S3-signed create makes a STANDARD bucket.
    static func bucketStorageClass(_ call: S3Call) throws -> StorageClass {
        guard call.dialect == .obs, let name = call.request.header("x-obs-storage-class") else { return .standard }
        guard let storageClass = StorageClass(rawValue: name) else {
            throw S3Failure(
                "InvalidStorageClass",
                "The storage class you specified is not valid: use STANDARD, WARM, COLD or DEEP_ARCHIVE", status: 400)
        }
        return storageClass
    }

    func headBucket(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let info = try await backend.bucketInfo(bucket)
        var response = ServerResponse(status: 200, headers: [("Content-Length", "0")])
        response.setHeader(call.dialect == .obs ? "x-obs-bucket-location" : "x-amz-bucket-region", info.location)
        if call.dialect == .obs { response.setHeader("x-obs-storage-class", info.storageClass.rawValue) }
        return response
    }

    /// S3 deletes a bucket whose only content is unfinished uploads, and their parts with it; OBS refuses it
    /// (409 BucketNotEmpty), as the local backend does for the CLI.
    func deleteBucket(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        try await backend.deleteBucket(bucket, abortingUploads: call.dialect == .s3)
        return ServerResponse(status: 204)
    }

    /// Buckets here keep no versions (each object is its one version, `null`): versioning was never enabled.
    func bucketVersioning(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        _ = try await backend.bucketInfo(bucket)
        return Self.xml(ServerXML.versioningNeverEnabled(dialect: call.dialect.xml))
    }

    func bucketLocation(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let info = try await backend.bucketInfo(bucket)
        // S3 answers us-east-1 as an empty LocationConstraint (its first region's historical form; SDKs read it so).
        let shown = call.dialect == .s3 && info.location == "us-east-1" ? "" : info.location
        return Self.xml(ServerXML.location(shown, dialect: call.dialect.xml))
    }

    func getBucketEncryption(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        guard let encryption = try await backend.bucketEncryption(bucket) else {
            throw S3Failure(
                "ServerSideEncryptionConfigurationNotFoundError",
                "The server side encryption configuration was not found", status: 404)
        }
        return Self.xml(ServerXML.bucketEncryption(encryption, dialect: call.dialect.xml))
    }

    func putBucketEncryption(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let body = try await readCheckedBody(call, limit: ServerXMLReader.maxConfigurationBytes)
        let request = try ServerXMLReader.bucketEncryption(body)
        // An S3 Bucket Key (fewer KMS calls, the same encryption) is not kept: refused, never accepted and dropped.
        if request.bucketKeyEnabled == true { throw S3Failure.notImplemented("BucketKeyEnabled") }
        try requireSecureTransport(call, for: request.encryption.mode)
        try await backend.setBucketEncryption(bucket, request.encryption)
        return ServerResponse(status: 200)
    }

    func deleteBucketEncryption(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        try await backend.setBucketEncryption(bucket, nil)
        return ServerResponse(status: 204)
    }

}
