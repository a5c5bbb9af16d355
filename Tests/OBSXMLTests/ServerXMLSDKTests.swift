import Foundation
import Testing
import OBSCore
@testable import OBSXML

/// The server's bodies read by the parsers of the clients `obsctl serve` is for: botocore (boto3, awscli) and
/// esdk-obs-python, each in the dialect it would be answered in (the esdk with its OBS and its V2 signature).
/// Runs the script below with python3; skipped where python3 lacks either package.
struct ServerXMLSDKTests {
    static let pythonHasSDKs: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import botocore, obs"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// Keys with markup, CR, tab, LF, `+`, `%`, non-ASCII and control characters: the listings use
    /// `encoding-type=url`, as botocore always asks; the other bodies carry keys XML can hold as text.
    static let listedKeys = trickyKeys.filter { !$0.hasPrefix(" ") } + controlKeys
    static let textKeys = ["a&b<c>d\"e'f", "cr\rhere", "tab\tand\nlf", "plus+%25 percent", "dir/你好/🙂.txt"]

    private func write(_ dialect: XMLDialect, into dir: URL) throws {
        func put(_ name: String, _ body: [UInt8]) throws {
            try Data(body).write(to: dir.appendingPathComponent("\(dialect).\(name).xml"))
        }
        let e = ServiceError(
            code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match",
            requestID: "R1", hostID: "H1", resource: "/b/k")
        try put(
            "error",
            ServerXML.error(
                e,
                details: [("Key", "a&b\r")]
                    + ServerXML.signatureMismatch(
                        accessKeyID: "AK", stringToSign: "GET\n\n\nDate\n/b/k", signatureProvided: "s", dialect: dialect
                    )))
        try put(
            "buckets",
            ServerXML.listBuckets(
                [ListedBucket(name: "alpha", creationDate: tMillis, location: "local")], owner: owner,
                dialect: dialect))
        let objects = Self.listedKeys.map {
            ListedObject(key: $0, lastModified: tMillis, etag: "e1", size: 1 << 40, storageClass: "STANDARD")
        }
        try put(
            "v1",
            ServerXML.listObjects(
                ObjectListingResponse(
                    bucket: "b", prefix: "", delimiter: "|", maxKeys: 1000, isTruncated: true, objects: objects,
                    commonPrefixes: ["p \u{01}|"], owner: owner, urlEncoded: true,
                    version: .v1(marker: "m a+rk", nextMarker: "n\u{01}ext")), dialect: dialect))
        try put(
            "v2",
            ServerXML.listObjects(
                ObjectListingResponse(
                    bucket: "b", prefix: "c\u{02} ", delimiter: "|", maxKeys: 1000, isTruncated: true,
                    objects: objects, commonPrefixes: ["c\u{02} |"], owner: nil, urlEncoded: true,
                    version: .v2(continuationToken: "t1", nextContinuationToken: "t2", startAfter: "s a")),
                dialect: dialect))
        try put("location", ServerXML.location("local", dialect: dialect))
        try put("encryption", ServerXML.bucketEncryption(.kms(keyID: "alias/k1"), dialect: dialect))
        try put(
            "initiate", ServerXML.initiateMultipartUpload(bucket: "b", key: "a&b\r", uploadID: "U1", dialect: dialect))
        try put(
            "complete",
            ServerXML.completeMultipartUpload(
                location: "http://127.0.0.1:9000/b/a%26b", bucket: "b", key: "a&b\r", etag: "e-2", dialect: dialect))
        try put("copy", ServerXML.copyObject(etag: "e3", lastModified: tMillis, dialect: dialect))
        try put("copypart", ServerXML.copyPart(etag: "e4", lastModified: tMillis, dialect: dialect))
        try put(
            "parts",
            ServerXML.listParts(
                PartListResponse(
                    bucket: "b", key: "a&b\r", uploadID: "U1", owner: owner, partNumberMarker: 0,
                    nextPartNumberMarker: 2, maxParts: 2, isTruncated: true,
                    parts: [1, 2].map {
                        UploadedPart(partNumber: $0, etag: "p\($0)", size: 5 << 20, lastModified: tMillis)
                    }),
                dialect: dialect))
        try put(
            "uploads",
            ServerXML.listMultipartUploads(
                UploadListResponse(
                    bucket: "b", nextKeyMarker: Self.textKeys.last, nextUploadIDMarker: "U\(Self.textKeys.count)",
                    prefix: "", maxUploads: 1000, isTruncated: true,
                    uploads: Self.textKeys.enumerated().map {
                        ListedUpload(key: $1, uploadID: "U\($0 + 1)", initiated: tMillis)
                    },
                    owner: owner), dialect: dialect))
        try put(
            "delete",
            ServerXML.deleteResult(
                DeleteResult(
                    deleted: Self.textKeys, errors: [(key: "x&y", code: "AccessDenied", message: "Access Denied")]),
                quiet: false, dialect: dialect))
    }

    @Test(.enabled(if: pythonHasSDKs)) func botocoreAndEsdkReadEveryBody() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sdkxml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for dialect in [XMLDialect.obs, .aws] { try write(dialect, into: dir) }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", Self.script, dir.path]
        p.environment = ProcessInfo.processInfo.environment.merging(["TZ": "UTC"]) { $1 }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "python3: \(problem)")
        let got = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])

        let iso = "2024-10-15T07:20:09.125Z"
        let local = "2024/10/15 07:20:09"  // esdk's rendering of the same time, in TZ=UTC
        for d in ["obs", "aws"] {
            func value(_ name: String) -> String {
                guard let v = got["\(d).\(name)"] else { return "missing" }
                let data = try! JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
                return String(decoding: data, as: UTF8.self)
            }
            func json(_ v: Any) -> String {
                String(
                    decoding: try! JSONSerialization.data(
                        withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
            }
            let message = "The request signature we calculated does not match"
            #expect(value("boto.error") == json(["SignatureDoesNotMatch", message, "a&b\r", "GET\n\n\nDate\n/b/k"]))
            #expect(value("esdk.error") == json(["SignatureDoesNotMatch", message, "R1", "H1", "/b/k"]))
            #expect(value("boto.buckets") == json([["alpha", iso], owner.id] as [Any]))
            #expect(value("esdk.buckets") == json([["alpha", local, "local"]]))
            let keys = Self.listedKeys
            #expect(
                value("boto.v1")
                    == json(
                        keys.map { [$0, iso, "\"e1\"", 1 << 40] as [Any] } + [
                            ["p \u{01}|"], true, "n\u{01}ext", "m a+rk", "|",
                        ] as [Any]))
            #expect(
                value("esdk.v1")
                    == json(
                        keys.map { [$0, local, "\"e1\"", 1 << 40] as [Any] } + [
                            ["p \u{01}|"], true, "n\u{01}ext", "m a+rk", "|",
                        ] as [Any]))
            #expect(
                value("boto.v2") == json([keys, keys.count + 1, "t2", "t1", "s a", "c\u{02} ", ["c\u{02} |"]] as [Any]))
            if d == "obs" { #expect(value("esdk.location") == json("local")) }
            #expect(value("boto.encryption") == json([d == "obs" ? "kms" : "aws:kms", "alias/k1"]))
            #expect(value("esdk.encryption") == json(["kms", "alias/k1"]))
            #expect(value("boto.initiate") == json(["b", "a&b\r", "U1"]))
            #expect(value("esdk.initiate") == json(["b", "a&b\r", "U1"]))
            let complete = ["http://127.0.0.1:9000/b/a%26b", "b", "a&b\r", "\"e-2\""]
            #expect(value("boto.complete") == json(complete) && value("esdk.complete") == json(complete))
            #expect(value("boto.copy") == json(["\"e3\"", iso]) && value("esdk.copy") == json(["\"e3\"", local]))
            #expect(
                value("boto.copypart") == json(["\"e4\"", iso]) && value("esdk.copypart") == json(["\"e4\"", local]))
            let parts = [1, 2].map { [$0, "\"p\($0)\"", 5 << 20] as [Any] }
            #expect(value("boto.parts") == json(["a&b\r", "U1", true, 2, parts.map { $0 + [iso] }] as [Any]))
            #expect(value("esdk.parts") == json(["a&b\r", "U1", true, 2, parts.map { $0 + [local] }] as [Any]))
            let uploads = Self.textKeys.enumerated().map { [$1, "U\($0 + 1)"] }
            let next: [Any] = [true, Self.textKeys.last!, "U\(Self.textKeys.count)"]
            #expect(value("boto.uploads") == json(uploads.map { $0 + [iso] } + next as [Any]))
            #expect(value("esdk.uploads") == json(uploads.map { $0 + [local] } + next as [Any]))
            let deleted = json([Self.textKeys, [["x&y", "AccessDenied", "Access Denied"]]] as [Any])
            #expect(value("boto.delete") == deleted && value("esdk.delete") == deleted)
        }
    }

    static let script = #"""
        # Reads the server's bodies with botocore's and esdk-obs-python's own parsers; prints one JSON object.
        import json, os, re, sys
        import botocore.session, botocore.parsers, botocore.handlers
        from obs.convertor import Convertor, Adapter
        d = sys.argv[1]
        s3 = botocore.session.get_session().get_service_model('s3')
        out = {}
        def body(name):
            with open(os.path.join(d, name), 'rb') as f:
                return f.read()
        def boto(op, name, status=200):
            parser = botocore.parsers.create_parser('rest-xml')
            response = {'status_code': status, 'headers': {}, 'body': body(name)}
            r = parser.parse(response, s3.operation_model(op).output_shape)
            r.pop('ResponseMetadata', None)
            return r
        def esdk(sig, fn, name):
            xml = re.sub('xmlns="http.*?"', '', body(name).decode('utf-8'))
            return getattr(Convertor(sig, Adapter(sig)), fn)(xml, {})
        def iso(t):
            return t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
        for dialect, sig in (('obs', 'obs'), ('aws', 'v2')):
            key = dialect + '.'
            e = boto('GetObject', key + 'error.xml', 403)['Error']
            out[key + 'boto.error'] = [e['Code'], e['Message'], e.get('Key'), e.get('StringToSign')]
            out[key + 'esdk.error'] = list(esdk(sig, 'parseErrorResult', key + 'error.xml'))
            b = boto('ListBuckets', key + 'buckets.xml')
            out[key + 'boto.buckets'] = [[x['Name'], iso(x['CreationDate'])] for x in b['Buckets']] + [b['Owner']['ID']]
            r = esdk(sig, 'parseListBuckets', key + 'buckets.xml')
            out[key + 'esdk.buckets'] = [[x.name, x.create_date, x.location] for x in r.buckets]
            p = boto('ListObjects', key + 'v1.xml')
            botocore.handlers.decode_list_object(p, {'encoding_type_auto_set': True})
            out[key + 'boto.v1'] = [[c['Key'], iso(c['LastModified']), c['ETag'], c['Size']] for c in p['Contents']] + [
                [c['Prefix'] for c in p['CommonPrefixes']], p['IsTruncated'], p['NextMarker'], p['Marker'],
                p['Delimiter']]
            r = esdk(sig, 'parseListObjects', key + 'v1.xml')
            out[key + 'esdk.v1'] = [[c.key, c.lastModified, c.etag, c.size] for c in r.contents] + [
                [c.prefix for c in r.commonPrefixs], r.is_truncated, r.next_marker, r.marker, r.delimiter]
            p = boto('ListObjectsV2', key + 'v2.xml')
            botocore.handlers.decode_list_object_v2(p, {'encoding_type_auto_set': True})
            out[key + 'boto.v2'] = [[c['Key'] for c in p['Contents']], p['KeyCount'], p['NextContinuationToken'],
                p['ContinuationToken'], p['StartAfter'], p['Prefix'], [c['Prefix'] for c in p['CommonPrefixes']]]
            out[key + 'esdk.location'] = esdk(sig, 'parseGetBucketLocation', key + 'location.xml').location
            p = boto('GetBucketEncryption', key + 'encryption.xml')['ServerSideEncryptionConfiguration']['Rules'][0]
            out[key + 'boto.encryption'] = [p['ApplyServerSideEncryptionByDefault']['SSEAlgorithm'],
                p['ApplyServerSideEncryptionByDefault'].get('KMSMasterKeyID')]
            r = esdk(sig, 'parseGetBucketEncryption', key + 'encryption.xml')
            out[key + 'esdk.encryption'] = [r.encryption, r.key]
            p = boto('CreateMultipartUpload', key + 'initiate.xml')
            out[key + 'boto.initiate'] = [p['Bucket'], p['Key'], p['UploadId']]
            r = esdk(sig, 'parseInitiateMultipartUpload', key + 'initiate.xml')
            out[key + 'esdk.initiate'] = [r.bucketName, r.objectKey, r.uploadId]
            p = boto('CompleteMultipartUpload', key + 'complete.xml')
            out[key + 'boto.complete'] = [p['Location'], p['Bucket'], p['Key'], p['ETag']]
            r = esdk(sig, 'parseCompleteMultipartUpload', key + 'complete.xml')
            out[key + 'esdk.complete'] = [r.location, r.bucket, r.key, r.etag]
            p = boto('CopyObject', key + 'copy.xml')['CopyObjectResult']
            out[key + 'boto.copy'] = [p['ETag'], iso(p['LastModified'])]
            r = esdk(sig, 'parseCopyObject', key + 'copy.xml')
            out[key + 'esdk.copy'] = [r.etag, r.lastModified]
            p = boto('UploadPartCopy', key + 'copypart.xml')['CopyPartResult']
            out[key + 'boto.copypart'] = [p['ETag'], iso(p['LastModified'])]
            r = esdk(sig, 'parseCopyPart', key + 'copypart.xml')
            out[key + 'esdk.copypart'] = [r.etag, r.lastModified]
            p = boto('ListParts', key + 'parts.xml')
            out[key + 'boto.parts'] = [p['Key'], p['UploadId'], p['IsTruncated'], p['NextPartNumberMarker'],
                [[x['PartNumber'], x['ETag'], x['Size'], iso(x['LastModified'])] for x in p['Parts']]]
            r = esdk(sig, 'parseListParts', key + 'parts.xml')
            out[key + 'esdk.parts'] = [r.objectKey, r.uploadId, r.isTruncated, r.nextPartNumberMarker,
                [[x.partNumber, x.etag, x.size, x.lastModified] for x in r.parts]]
            p = boto('ListMultipartUploads', key + 'uploads.xml')
            out[key + 'boto.uploads'] = [[u['Key'], u['UploadId'], iso(u['Initiated'])] for u in p['Uploads']] + [
                p['IsTruncated'], p['NextKeyMarker'], p['NextUploadIdMarker']]
            r = esdk(sig, 'parseListMultipartUploads', key + 'uploads.xml')
            out[key + 'esdk.uploads'] = [[u.key, u.uploadId, u.initiated] for u in r.upload] + [
                r.isTruncated, r.nextKeyMarker, r.nextUploadIdMarker]
            p = boto('DeleteObjects', key + 'delete.xml')
            out[key + 'boto.delete'] = [
                [x['Key'] for x in p.get('Deleted', [])],
                [[x['Key'], x['Code'], x['Message']] for x in p.get('Errors', [])]]
            r = esdk(sig, 'parseDeleteObjects', key + 'delete.xml')
            out[key + 'esdk.delete'] = [[x.key for x in r.deleted], [[x.key, x.code, x.message] for x in r.error]]
        print(json.dumps(out))
        """#
}
