import OBSCore

// Object and multipart operations: the next step (lead's note: filled in by the objects work).
extension S3Service {
    func listObjects(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        throw S3Failure.notImplemented("ListObjects")
    }
    func deleteObjects(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        throw S3Failure.notImplemented("DeleteObjects")
    }
    func listMultipartUploads(_ call: S3Call, _ bucket: BucketName) async throws -> ServerResponse {
        throw S3Failure.notImplemented("ListMultipartUploads")
    }
    func putObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        throw S3Failure.notImplemented("PutObject")
    }
    func getObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        throw S3Failure.notImplemented("GetObject")
    }
    func headObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        throw S3Failure.notImplemented("HeadObject")
    }
    func deleteObject(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        throw S3Failure.notImplemented("DeleteObject")
    }
    func initiateUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey) async throws -> ServerResponse {
        throw S3Failure.notImplemented("InitiateMultipartUpload")
    }
    func uploadPart(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    { throw S3Failure.notImplemented("UploadPart") }
    func listParts(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    { throw S3Failure.notImplemented("ListParts") }
    func abortUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    { throw S3Failure.notImplemented("AbortMultipartUpload") }
    func completeUpload(_ call: S3Call, _ bucket: BucketName, _ key: ObjectKey, uploadID: String) async throws
        -> ServerResponse
    { throw S3Failure.notImplemented("CompleteMultipartUpload") }
}
