import OBSCore

/// Which operation a request is: method, bucket or object, and the subresource in its query.
extension S3Service {
    func dispatch(_ call: S3Call) async throws -> ServerResponse {
        let method = call.request.method
        guard let bucket = call.route.bucket else {
            guard method == "GET" else { throw S3Failure.methodNotAllowed(method) }
            return try await listBuckets(call)
        }
        // Versioning is read (never enabled), not set.
        let readsVersioning = method == "GET" && call.route.key == nil && call.subresource("versioning")
        if let unsupported = call.request.queryItems.first(where: {
            Self.unsupportedSubresources.contains($0.name) && !(readsVersioning && $0.name == "versioning")
        }) {
            throw S3Failure.notImplemented("?\(unsupported.name)")
        }
        let name = try BucketName(bucket)
        guard let key = call.route.key else {
            switch method {
            case "GET" where call.subresource("location"): return try await bucketLocation(call, name)
            case "GET" where readsVersioning: return try await bucketVersioning(call, name)
            case "GET" where call.subresource("encryption"): return try await getBucketEncryption(call, name)
            case "PUT" where call.subresource("encryption"): return try await putBucketEncryption(call, name)
            case "DELETE" where call.subresource("encryption"): return try await deleteBucketEncryption(call, name)
            case "GET" where call.subresource("uploads"): return try await listMultipartUploads(call, name)
            case "GET" where call.subresource("versions"): return try await listObjectVersions(call, name)
            case "POST" where call.subresource("delete"): return try await deleteObjects(call, name)
            case "GET":
                try Self.requireOnly(call, Self.listingArguments)
                return try await listObjects(call, name)
            case "PUT":
                try Self.requireOnly(call, [])
                return try await createBucket(call, name)
            case "HEAD": return try await headBucket(call, name)
            case "DELETE":
                try Self.requireOnly(call, [])
                return try await deleteBucket(call, name)
            default: throw S3Failure.methodNotAllowed(method)
            }
        }
        let object = try ObjectKey(key)
        let uploadID = call.request.query("uploadId")
        // Each object is its one version, `null` (as in a bucket that never had versioning): another id names none.
        if let version = call.request.query("versionId"), version != "null" {
            if version.isEmpty { throw S3Failure.invalidArgument("Version id cannot be the empty string") }
            throw S3Failure("NoSuchVersion", "The specified version does not exist.", status: 404)
        }
        if method == "HEAD" || (method == "GET" && uploadID == nil) || (method == "PUT" && uploadID != nil) {
            try Self.refuseSSEMethod(call)
        }
        switch method {
        case "PUT" where uploadID != nil:
            try Self.requireOnly(call, ["uploadId", "partNumber"])
            return try await uploadPart(call, name, object, uploadID: uploadID!)
        case "PUT":
            try Self.requireOnly(call, [])
            return try await putObject(call, name, object)
        case "GET" where uploadID != nil: return try await listParts(call, name, object, uploadID: uploadID!)
        case "GET":
            try Self.requireOnly(call, Self.readArguments)
            return try await getObject(call, name, object)
        case "HEAD": return try await headObject(call, name, object)
        case "DELETE" where uploadID != nil: return try await abortUpload(call, name, object, uploadID: uploadID!)
        case "DELETE":
            try Self.requireOnly(call, ["versionId"])
            return try await deleteObject(call, name, object)
        case "POST" where call.subresource("uploads"): return try await initiateUpload(call, name, object)
        case "POST" where uploadID != nil: return try await completeUpload(call, name, object, uploadID: uploadID!)
        default: throw S3Failure.methodNotAllowed(method)
        }
    }

    /// S3 refuses an SSE method on a read and on UploadPart (a part is encrypted as its upload was initiated):
    /// 400, rather than a header taken for a setting it is not. SSE-C key headers are what those requests do carry.
    static func refuseSSEMethod(_ call: S3Call) throws {
        guard call.dialect == .s3 else { return }
        for name in ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]
        where call.request.header(name) != nil {
            throw S3Failure.invalidArgument("\(name) header is not supported for this operation.")
        }
    }

    /// The fallbacks of the dispatch (list, create or delete a bucket; get, put or delete an object) take their own
    /// arguments, and no other subresource: one serve does not implement here (S3's `metadataTable`, OBS's
    /// `directcoldaccess`, `truncate`, `modify`, `storageClass`, or `uploads` on a PUT) is 501, never read as a
    /// DELETE of the bucket or a PUT of the object. So is any bare name (`?abac`, `?obsbucketalias`,
    /// `?x-obs-trash`): that is how S3 and OBS spell subresources, including those listed nowhere here yet, so the
    /// check fails closed. A parameter with a value that names no subresource (a cache-buster `?t=123`, an SDK's
    /// `x-id` marker, a presigned URL's authentication and the headers presigners move into the query, which the
    /// verifiers read and `S3Call.takeQueryHeaders` applies) is ignored, as S3 ignores it. Whatever the signature
    /// covers of it was checked as the client signed it (all of the query for SigV4, the subresources for V2 and
    /// OBS).
    static func requireOnly(_ call: S3Call, _ allowed: Set<String>) throws {
        for item in call.request.queryItems where !allowed.contains(item.name) {
            if item.value == nil { throw S3Failure.notImplemented("?\(item.name)") }
            let name = item.name.lowercased()
            if name.hasPrefix("x-amz-") || name.hasPrefix("x-obs-") { continue }
            // Compared without case: `?Tagging` is refused rather than taken for a plain PUT that overwrites.
            if knownSubresources.contains(name) { throw S3Failure.notImplemented("?\(item.name)") }
        }
    }

    /// Lowercased: every query parameter S3 or OBS gives a meaning as a subresource or an operation's argument
    /// (beyond the authentication), so that one serve does not take is refused, not ignored: S3's (botocore's V2
    /// list and the operations since: metadata tables, rename, sessions), OBS's (its documented list and its SDKs'),
    /// and the operations' own arguments, which are another operation's when sent to the wrong one.
    static let knownSubresources: Set<String> = Set(
        [
            // S3
            "accelerate", "acl", "analytics", "attributes", "cors", "defaultObjectAcl", "delete", "encryption",
            "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "location", "logging", "metadataTable",
            "metadataConfiguration", "metadataInventoryTable", "metadataJournalTable", "metrics", "notification",
            "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock",
            "renameObject", "replication", "requestPayment", "restore", "retention", "select", "select-type",
            "session", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
            "response-content-type", "response-content-language", "response-expires", "response-cache-control",
            "response-content-disposition", "response-content-encoding",
            // OBS (RequestSigner's sub-resources)
            "append", "attname", "backtosource", "bucketstatus", "CDNNotifyConfiguration", "customdomain",
            "deletebucket", "directcoldaccess", "dispolicy", "fileinterface", "length", "metadata",
            "mirrorBackToSource", "modify", "name", "obscompresspolicy", "position", "quota", "rename", "storageClass",
            "storageinfo", "storagePolicy", "truncate", "x-image-process", "x-image-save-bucket",
            "x-image-save-object", "x-oss-process",
        ].map { $0.lowercased() }
            // The features refused whatever the method: subresources whatever their case.
            + unsupportedSubresources.map { $0.lowercased() })

    /// ListObjects (v1 and v2).
    static let listingArguments: Set<String> = [
        "prefix", "delimiter", "marker", "max-keys", "list-type", "continuation-token", "start-after", "fetch-owner",
        "encoding-type",
    ]

    /// GetObject: a version, a part, and the response header overrides.
    static let readArguments: Set<String> = [
        "versionId", "partNumber", "response-content-type", "response-content-language", "response-expires",
        "response-cache-control", "response-content-disposition", "response-content-encoding",
    ]

    /// Bucket features obsctl's store does not have: answered 501 rather than misread as another operation.
    static let unsupportedSubresources: Set<String> = [
        "acl", "policy", "versioning", "tagging", "cors", "lifecycle", "website", "logging",
        "notification", "replication", "quota", "storageinfo", "storagePolicy", "requestPayment", "object-lock",
        "retention", "legal-hold", "torrent", "restore", "select", "append", "inventory", "metrics", "analytics",
        "accelerate", "ownershipControls", "publicAccessBlock", "intelligent-tiering", "attributes",
    ]
}
