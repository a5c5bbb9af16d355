import OBSCore

/// Every key, page by page: `list-keys` with `key_spec: "ALL"` (without it KMS lists AES_256 keys only), then
/// again with `marker = next_marker` while `truncated` is `"true"`. A server that repeats a marker, gives none, or
/// never ends is an error rather than a loop.
public struct KMSKeyListing: Sendable {
    public static let pageSize = 100
    public static let maxPages = 10_000

    public private(set) var keys: [KMSKeyDetails] = []
    /// The body of the next `list-keys` call; nil once the last page is in.
    public private(set) var nextRequest: KMSListKeysBody? = KMSListKeysBody(
        limit: String(KMSKeyListing.pageSize), keySpec: "ALL")
    private var markers: Set<String> = []
    private var pages = 0

    public init() {}

    public mutating func add(_ page: KMSListKeysResponse) throws {
        keys += page.keyDetails
        pages += 1
        guard page.truncated else {
            nextRequest = nil
            return
        }
        guard let marker = page.nextMarker, !marker.isEmpty, markers.insert(marker).inserted, pages < Self.maxPages
        else {
            nextRequest = nil
            throw OBSError(
                code: "KMS.BadPaging",
                message: "Huawei KMS's key list does not end (page \(pages) is truncated but its next_marker "
                    + "'\(page.nextMarker ?? "")' is missing or seen before); try again later",
                httpStatus: 0, category: .transient)
        }
        nextRequest = KMSListKeysBody(limit: String(Self.pageSize), marker: marker, keySpec: "ALL")
    }

    /// The keys OBS can encrypt objects with (`KMSKeyDetails.canEncryptOBSObjects`), in the order listed.
    public var obsUsableKeys: [KMSKeyDetails] { keys.filter(\.canEncryptOBSObjects) }
}
