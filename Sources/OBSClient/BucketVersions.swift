import OBSCore
import OBSXML

extension RemoteBackend {
    /// A versioned bucket whose objects are all deleted still holds their versions and delete markers, which a
    /// listing of objects does not show; SeaweedFS deletes such a bucket, versions and all. A version listing
    /// of one entry catches them. A server without versioning (a 4xx to `?versions`) has none to lose.
    func checkNoVersions(_ bucket: BucketName) async throws {
        let query: [(String, String?)] = [("versions", nil), ("max-keys", "1")]
        let response: HTTPResponse
        do {
            response = try await perform(Operation(method: "GET", bucket: bucket, query: query))
        } catch let e as OBSError where (400..<500).contains(e.httpStatus) && e.code != "NoSuchBucket" {
            return
        }
        if try OBSXMLParser.listsVersions(response.body) { throw OBSError.versionsRemain(bucket.value) }
    }
}
