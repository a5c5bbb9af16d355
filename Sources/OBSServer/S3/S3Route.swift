import OBSCore
import OBSSigner

/// Which bucket and key a request names: path style (`/bucket/key`), or virtual-hosted (`bucket.localhost:9000`)
/// when the Host is a bucket label in front of one of the server's own names.
public struct S3Route: Sendable, Equatable {
    /// nil for the service (ListBuckets).
    public var bucket: String?
    /// nil for bucket-level requests; the decoded key otherwise (may contain `/`).
    public var key: String?
    /// The bucket came from the Host header (the OBS/V2 canonical resource then starts with it).
    public var virtualHosted: Bool

    public init(bucket: String?, key: String?, virtualHosted: Bool) {
        self.bucket = bucket
        self.key = key
        self.virtualHosted = virtualHosted
    }

    /// `serverNames`: host names (without port) under which virtual-hosted buckets are recognised.
    public static func parse(rawPath: String, host: String?, serverNames: [String]) -> S3Route {
        let path = rawPath.hasPrefix("/") ? rawPath.dropFirst() : rawPath[...]
        if let host, let bucket = RequestVerifier.virtualHostBucket(host: host, endpointHosts: serverNames) {
            let key = URIEncoding.decode(path)
            return S3Route(bucket: bucket, key: key.isEmpty ? nil : key, virtualHosted: true)
        }
        guard !path.isEmpty else { return S3Route(bucket: nil, key: nil, virtualHosted: false) }
        if let slash = path.firstIndex(of: "/") {
            let key = URIEncoding.decode(path[path.index(after: slash)...])
            return S3Route(
                bucket: URIEncoding.decode(path[..<slash]), key: key.isEmpty ? nil : key, virtualHosted: false)
        }
        return S3Route(bucket: URIEncoding.decode(path), key: nil, virtualHosted: false)
    }
}
