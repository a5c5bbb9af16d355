import Foundation
import OBSCore
import OBSCrypto
import OBSSigner
import OBSXML

/// Bucket operations: create (with its default encryption), list, look up, delete, default encryption.
extension RemoteBackend {
    public func createBucket(_ request: CreateBucketRequest) async throws -> BucketInfo {
        try checkTransportSecurity(mode: request.encryption?.mode, what: "bucket create obs://\(request.name)")
        var headers: [(String, String)] = []
        let p = configuration.headerPrefix
        if configuration.isOBSDialect {
            headers.append(("x-obs-storage-class", request.storageClass.rawValue))
            // OBS takes the default encryption in CreateBucket itself, so an encrypted bucket is never half-made.
            if let e = request.encryption {
                headers.append(("x-obs-server-side-encryption", e.mode == .kms ? "kms" : "obs"))
                if let id = e.kmsKeyID { headers.append(("x-obs-server-side-encryption-kms-key-id", id)) }
            }
        } else if request.storageClass != .standard {
            headers.append(("\(p)storage-class", request.storageClass.rawValue))
        }
        var body: HTTPRequest.Body = .empty
        if !(configuration.signature != .obs && request.location == "us-east-1") && !request.location.isEmpty {
            body = .bytes(OBSXMLBody.createBucketConfiguration(location: request.location, dialect: xmlDialect))
            headers.append(("Content-Type", "application/xml"))
        }
        _ = try await perform(
            Operation(
                method: "PUT", bucket: request.name, headers: headers, body: body,
                sseIntent: request.encryption?.mode))
        if !configuration.isOBSDialect, let e = request.encryption {
            // The S3 API has no encryption header on CreateBucket: set it next, and remove the bucket if that fails.
            do { try await putBucketEncryption(request.name, e) } catch {
                try? await deleteBucket(request.name)
                throw error
            }
        }
        return BucketInfo(
            name: request.name, location: request.location, storageClass: request.storageClass, created: Date(),
            encryption: request.encryption)
    }

    public func listBuckets() async throws -> [BucketInfo] {
        let headers = configuration.isOBSDialect ? [("x-obs-location", "true")] : []
        let response = try await perform(Operation(method: "GET", headers: headers))
        var out: [BucketInfo] = []
        for b in try OBSXMLParser.listBuckets(response.body) {
            guard let name = try? BucketName(b.name) else { continue }
            let encryption = try? await bucketEncryption(name)
            let location = try await bucketLocation(name, listed: b.location)
            // OBS's listing names no class: a HEAD of the bucket does. S3's buckets have none (all STANDARD).
            let head = configuration.isOBSDialect ? try? await perform(Operation(method: "HEAD", bucket: name)) : nil
            out.append(
                BucketInfo(
                    name: name, location: location, storageClass: head.map(Self.storageClass) ?? .standard,
                    created: b.creationDate ?? Date(timeIntervalSince1970: 0),
                    encryption: encryption ?? nil))
        }
        return out
    }

    /// A bucket's default storage class from its HEAD (`x-obs-storage-class`; none is STANDARD).
    static func storageClass(_ head: HTTPResponse) -> StorageClass {
        head.header("x-obs-storage-class").flatMap(StorageClass.init(rawValue:)) ?? .standard
    }

    /// The region a bucket is in, as `bucket create` reports it: S3 gives "" (or nothing) for us-east-1.
    private func bucketLocation(_ bucket: BucketName, listed: String?) async throws -> String {
        if let listed, !listed.isEmpty { return listed }
        guard let response = try? await perform(Operation(method: "GET", bucket: bucket, query: [("location", nil)])),
            let location = try? OBSXMLParser.location(response.body)
        else { return configuration.region }
        return location.isEmpty ? "us-east-1" : location
    }

    public func listBucketNames() async throws -> [BucketName] {
        let response = try await perform(Operation(method: "GET"))
        return try OBSXMLParser.listBuckets(response.body).compactMap { try? BucketName($0.name) }
    }

    public func bucketInfo(_ bucket: BucketName) async throws -> BucketInfo {
        let response = try await perform(Operation(method: "HEAD", bucket: bucket))
        let location =
            response.header("x-obs-bucket-location") ?? response.header("x-amz-bucket-region") ?? configuration.region
        return BucketInfo(
            name: bucket, location: location, storageClass: Self.storageClass(response),
            created: Date(timeIntervalSince1970: 0),
            encryption: try await bucketEncryption(bucket))
    }

    /// Refuses a bucket that holds an object or a multipart upload in progress before the DELETE: some servers
    /// (SeaweedFS) delete a non-empty bucket with everything in it. The server's own check still covers an object
    /// written between this look and the DELETE, where it has one.
    public func deleteBucket(_ bucket: BucketName) async throws {
        try await checkEmpty(bucket)
        _ = try await perform(Operation(method: "DELETE", bucket: bucket))
    }

    func checkEmpty(_ bucket: BucketName) async throws {
        if try await !listObjects(bucket: bucket, prefix: "", delimiter: nil, marker: nil, maxKeys: 1).objects.isEmpty {
            throw OBSError.bucketNotEmpty(bucket.value)
        }
        let query: [(String, String?)] = [("uploads", nil), ("max-uploads", "1")]
        let listing = try await perform(Operation(method: "GET", bucket: bucket, query: query))
        if !(try OBSXMLParser.listMultipartUploads(listing.body).uploads.isEmpty) {
            throw OBSError.uploadsInProgress(bucket.value)
        }
        try await checkNoVersions(bucket)
    }

    public func bucketEncryption(_ bucket: BucketName) async throws -> BucketEncryption? {
        do {
            let response = try await perform(Operation(method: "GET", bucket: bucket, query: [("encryption", nil)]))
            let e = try OBSXMLParser.bucketEncryption(response.body)
            shared.setBucketDefault(bucket.value, e)
            return e
        } catch let e as OBSError where e.httpStatus == 404 && e.code != "NoSuchBucket" {
            // NoSuchEncryptionConfiguration (OBS) or ServerSideEncryptionConfigurationNotFoundError (S3): "none".
            shared.setBucketDefault(bucket.value, nil)
            return nil
        } catch {
            // Remembered for the post-write check (`expectedMode`), which then asks no more than this did.
            shared.markBucketDefaultUnreadable(bucket.value)
            throw error
        }
    }

    public func setBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption?) async throws {
        shared.forgetBucketDefault(bucket.value)
        guard let encryption else {
            _ = try await perform(Operation(method: "DELETE", bucket: bucket, query: [("encryption", nil)]))
            return
        }
        try checkTransportSecurity(mode: encryption.mode, what: "the default encryption of obs://\(bucket)")
        try await putBucketEncryption(bucket, encryption)
    }

    private func putBucketEncryption(_ bucket: BucketName, _ encryption: BucketEncryption) async throws {
        let body = OBSXMLBody.bucketEncryption(encryption, dialect: xmlDialect)
        _ = try await perform(
            Operation(
                method: "PUT", bucket: bucket, query: [("encryption", nil)],
                headers: [("Content-Type", "application/xml")], body: .bytes(body), contentMD5: true,
                sseIntent: encryption.mode))
    }
}
