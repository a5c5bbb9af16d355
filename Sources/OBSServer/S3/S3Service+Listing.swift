import Foundation
import OBSCore
import OBSCrypto
import OBSXML

/// Bucket-level object operations: ListObjects v1 and v2, ListMultipartUploads, DeleteObjects.
extension S3Service {
    static let maxListKeys = 1000

    func listObjects(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let r = call.request
        let v2 = r.query("list-type") == "2"
        let urlEncoded = try Self.urlEncoding(call)
        let maxKeys = try Self.maxCount(r.query("max-keys"), name: "max-keys")
        let prefix = r.query("prefix") ?? ""
        let delimiter = r.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        var marker: String?
        var token: String?
        var startAfter: String?
        if v2 {
            startAfter = r.query("start-after").flatMap { $0.isEmpty ? nil : $0 }
            if let t = r.query("continuation-token") {
                guard let bytes = Base64.decode(t), let decoded = String(validating: bytes, as: UTF8.self),
                    !decoded.isEmpty
                else {
                    throw S3Failure.invalidArgument("The continuation token provided is incorrect")
                }
                token = t
                marker = decoded
            } else {
                marker = startAfter
            }
        } else {
            marker = r.query("marker").flatMap { $0.isEmpty ? nil : $0 }
        }
        let page = try await backend.listObjects(
            bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
        let version: ObjectListingResponse.Version =
            v2
            ? .v2(
                continuationToken: token, nextContinuationToken: page.nextMarker.map { Base64.encode(Array($0.utf8)) },
                startAfter: startAfter)
            : .v1(marker: marker ?? "", nextMarker: page.nextMarker)
        let owner = XMLOwner(id: call.identity?.accessKeyID ?? "")
        let response = ObjectListingResponse(
            bucket: bucket.value, prefix: prefix, delimiter: delimiter, maxKeys: maxKeys,
            isTruncated: page.nextMarker != nil, objects: page.objects.map { S3Headers.listed($0, call.dialect) },
            commonPrefixes: page.commonPrefixes, owner: !v2 || r.query("fetch-owner") == "true" ? owner : nil,
            urlEncoded: urlEncoded, version: version)
        return Self.xml(ServerXML.listObjects(response, dialect: call.dialect.xml))
    }

    /// The store keeps no versions: every object is listed as its one version (key-marker pages as marker does).
    func listObjectVersions(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let r = call.request
        let maxKeys = try Self.maxCount(r.query("max-keys"), name: "max-keys")
        let prefix = r.query("prefix") ?? ""
        let delimiter = r.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let marker = r.query("key-marker").flatMap { $0.isEmpty ? nil : $0 }
        let page = try await backend.listObjects(
            bucket: bucket, prefix: prefix, delimiter: delimiter, marker: marker, maxKeys: maxKeys)
        let response = ObjectListingResponse(
            bucket: bucket.value, prefix: prefix, delimiter: delimiter, maxKeys: maxKeys,
            isTruncated: page.nextMarker != nil, objects: page.objects.map { S3Headers.listed($0, call.dialect) },
            commonPrefixes: page.commonPrefixes, owner: XMLOwner(id: call.identity?.accessKeyID ?? ""),
            urlEncoded: try Self.urlEncoding(call), version: .v1(marker: marker ?? "", nextMarker: page.nextMarker))
        return Self.xml(ServerXML.listVersions(response, dialect: call.dialect.xml))
    }

    func listMultipartUploads(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let r = call.request
        let urlEncoded = try Self.urlEncoding(call)
        let maxUploads = try Self.maxCount(r.query("max-uploads"), name: "max-uploads")
        let prefix = r.query("prefix") ?? ""
        let delimiter = r.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
        let keyMarker = r.query("key-marker") ?? ""
        let uploadMarker = r.query("upload-id-marker") ?? ""
        let all = try await backend.listMultipartUploads(bucket: bucket, prefix: prefix).sorted(by: Self.listedBefore)
        // The key-marker's uploads up to the upload-id-marker, in the listing's order: the previous page's. An
        // upload-id-marker that is no longer there (completed or aborted since) passes none of them: they are
        // listed again rather than skipped, as its place in the order went with it.
        var passed: Set<String> = []
        if !keyMarker.isEmpty, !uploadMarker.isEmpty,
            let at = all.firstIndex(where: { KeyBytes.equal($0.key, keyMarker) && $0.uploadID == uploadMarker })
        {
            passed = Set(all[...at].filter { KeyBytes.equal($0.key, keyMarker) }.map(\.uploadID))
        }
        var uploads: [ListedUpload] = [], prefixes: [String] = []
        var truncated = false
        var nextKey: String?, nextUpload: String?
        for u in all {
            let rolled = KeyBytes.rolledUp(u.key, prefix: prefix, delimiter: delimiter)
            if !keyMarker.isEmpty {
                let before = ByteKey(u.key) < ByteKey(keyMarker)
                let atMarker =
                    KeyBytes.equal(u.key, keyMarker) && (uploadMarker.isEmpty || passed.contains(u.uploadID))
                // As the object listing: else the last page's prefix came back forever.
                let underMarker = KeyBytes.underRolledUpMarker(
                    u.key, marker: keyMarker, prefix: prefix, delimiter: delimiter)
                if before || atMarker || underMarker { continue }
            }
            if let rolled, let last = prefixes.last, KeyBytes.equal(last, rolled) { continue }
            if uploads.count + prefixes.count == maxUploads {
                truncated = maxUploads > 0  // an empty page (max-uploads=0) has no marker to page on
                break
            }
            if let rolled {
                prefixes.append(rolled)
                nextKey = rolled; nextUpload = nil
            } else {
                uploads.append(
                    ListedUpload(
                        key: u.key, uploadID: u.uploadID, initiated: u.initiated,
                        storageClass: u.storageClass.map { S3Headers.storageClassName($0, call.dialect) },
                        checksumAlgorithm: u.checksumAlgorithm, checksumType: u.checksumType))
                nextKey = u.key; nextUpload = u.uploadID
            }
        }
        let page = UploadListResponse(
            bucket: bucket.value, keyMarker: keyMarker, uploadIDMarker: uploadMarker, nextKeyMarker: nextKey,
            nextUploadIDMarker: nextUpload, prefix: prefix, delimiter: delimiter, maxUploads: maxUploads,
            isTruncated: truncated, uploads: uploads, commonPrefixes: prefixes,
            owner: XMLOwner(id: call.identity?.accessKeyID ?? ""), urlEncoded: urlEncoded)
        return Self.xml(ServerXML.listMultipartUploads(page, dialect: call.dialect.xml))
    }

    /// ListMultipartUploads' order, as S3's: by key, a key's uploads by the time they were initiated, oldest first.
    /// The store keeps that time to the second: uploads of a key initiated in the same second go by upload ID, so
    /// the order is total and pages on upload-id-marker never skip or repeat one.
    static func listedBefore(_ a: MultipartUploadInfo, _ b: MultipartUploadInfo) -> Bool {
        guard KeyBytes.equal(a.key, b.key) else { return ByteKey(a.key) < ByteKey(b.key) }
        let at = a.initiated ?? .distantPast, bt = b.initiated ?? .distantPast
        return at != bt ? at < bt : a.uploadID < b.uploadID
    }

    /// Content-MD5 is required, as S3 requires it; keys that are not there count as deleted, as on S3, unless an
    /// `ETag` condition names an object (then NoSuchKey, as a DELETE with If-Match answers). An `ETag` is checked
    /// as a DELETE's If-Match is: a mismatch is that key's PreconditionFailed, the others go ahead.
    func deleteObjects(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        let body = try await readCheckedBody(call, limit: ServerXMLReader.maxDeleteBytes, requireMD5: true)
        let request = try ServerXMLReader.deleteObjects(body)
        // Checked by S3 in directory buckets only: refused, never dropped, as a DELETE's x-amz-if-match-size is.
        if let name = request.objects.lazy.flatMap(\.otherConditions).first {
            throw S3Failure(
                "NotImplemented", "\(name) in a DeleteObjects Object is not implemented (a delete takes only ETag)",
                status: 501)
        }
        _ = try await backend.bucketInfo(bucket)
        var errors: [(key: String, code: String, message: String)] = []
        var objects: [(key: ObjectKey, precondition: WritePrecondition?)] = []
        for object in request.objects {
            if object.versionID != nil && object.versionID != "null" {
                errors.append((object.key, "NoSuchVersion", "obsctl serve keeps no object versions"))
                continue
            }
            do { objects.append((try ObjectKey(object.key), object.etag.map(Self.ifMatch))) } catch let e as OBSError {
                errors.append((object.key, "InvalidArgument", e.message))
            }
        }
        // One result per entry, as S3 gives them: a key named twice can be deleted by one entry and fail the other.
        let outcomes = try await backend.deleteObjects(bucket: bucket, objects: objects)
        var deleted: [String] = []
        for (object, failure) in zip(objects, outcomes) {
            guard let failure else {
                deleted.append(object.key.value)
                continue
            }
            let (code, message) = S3ErrorText.answer(for: failure)
            errors.append((object.key.value, code, message))
        }
        let result = DeleteResult(deleted: deleted, errors: errors)
        return Self.xml(
            ServerXML.deleteResult(
                result, quiet: request.quiet, urlEncoded: request.urlEncoded, dialect: call.dialect.xml))
    }

    // MARK: Helpers

    static func urlEncoding(_ call: S3Call) throws -> Bool {
        guard let e = call.request.query("encoding-type") else { return false }
        guard e.lowercased() == "url" else {
            throw S3Failure.invalidArgument("Invalid Encoding Method specified in Request")
        }
        return true
    }

    /// `max-keys` and the like: 1000 when absent, at most 1000.
    static func maxCount(_ text: String?, name: String) throws -> Int {
        guard let text else { return maxListKeys }
        guard let n = Int(text), n >= 0 else {
            throw S3Failure.invalidArgument("\(name) '\(text)' is not a number between 0 and \(maxListKeys)")
        }
        return min(n, maxListKeys)
    }

    /// A small body (XML) read whole through the request's digest checks; larger than `limit` is refused.
    func readCheckedBody(_ call: S3Call, limit: Int, requireMD5: Bool = false, flexible: Bool = true) async throws
        -> [UInt8]
    {
        let body = try CheckedBody.make(call, requireMD5: requireMD5, flexible: flexible)
        return try await BlockingPool.shared.run {
            try SmallBody.read(body, limit: limit) {
                S3Failure("EntityTooLarge", "the request body is larger than \(limit) bytes", status: 400)
            }
        }
    }
}
