import OBSCore

/// One listed object's encryption as a HEAD reads it, for `bucket encryption report` and `apply`. Listings carry
/// no SSE fields, so each object costs one HEAD (two for an SSE-C object when its key is given).
public struct InspectedObject: Sendable {
    public var key: ObjectKey
    public var size: Int64
    /// The ETag the HEAD saw (the listing's when the HEAD was refused): what a copy is pinned to.
    public var etag: String
    /// nil when it could not be read; `error` then says why.
    public var encryption: ObjectEncryption?
    public var error: OBSError?
    /// As the HEAD read them (empty when it was refused): what an in-place copy states again.
    public var contentType = ""
    public var userMetadata: [String: String] = [:]
    /// The whole answer of the HEAD that read the encryption (nil when none did): a copy pinned to its ETag
    /// takes the source from it rather than reading it again.
    public var info: ObjectInfo?

    /// HEADs `object`. An SSE-C object answers without its key with a key error: that alone tells it is SSE-C,
    /// so it is reported as such; it is then asked again with each of `customerKeys` to learn which opens it.
    /// Any other failure (access denied, damaged metadata, gone) comes back in `error`, never thrown, so that one
    /// object never stops a walk.
    public static func inspect(
        _ storage: ObjectStorage, _ object: ObjectInfo, customerKeys: [CustomerKey]
    ) async -> InspectedObject {
        var result = InspectedObject(
            key: object.key, size: object.size, etag: object.etag, encryption: nil, error: nil)
        do {
            let info = try await storage.headObject(GetObjectRequest(bucket: object.bucket, key: object.key))
            result.take(info)
        } catch let e as OBSError where e.category == .customerKey {
            result.encryption = ObjectEncryption(mode: .c)
            for customerKey in customerKeys {
                do {
                    let info = try await storage.headObject(
                        GetObjectRequest(bucket: object.bucket, key: object.key, customerKey: customerKey))
                    result.take(info)
                    break
                } catch let e as OBSError where e.category == .customerKey {
                    continue  // another key: still SSE-C, its key MD5 unknown
                } catch {
                    result.fail(error)
                    break
                }
            }
        } catch {
            result.fail(error)
        }
        return result
    }

    private mutating func take(_ info: ObjectInfo) {
        size = info.size
        etag = info.etag
        contentType = info.contentType
        userMetadata = info.userMetadata
        encryption = ObjectEncryption(info)
        self.info = info
    }

    private mutating func fail(_ e: any Error) {
        encryption = nil
        info = nil
        error = TransferEvent.Failed.obsError(e)
    }
}

extension ObjectStorage {
    /// Every object under `prefix` (all pages) that `filter` takes, its name taken relative to the prefix, and the
    /// entries the listing could not read.
    public func listForEncryption(bucket: BucketName, prefix: String, filter: Filter) async throws
        -> (objects: [ObjectInfo], unreadable: [UnreadableObject])
    {
        let all = try await listAllObjects(bucket: bucket, prefix: prefix)
        let objects = all.objects.filter { KeyBytes.dropPrefix($0.key.value, prefix).map(filter.includes) ?? false }
        return (objects, all.unreadable)
    }
}
