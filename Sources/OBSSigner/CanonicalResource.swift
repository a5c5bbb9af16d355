/// The CanonicalizedResource of the OBS and AWS-V2 schemes (docs/obs-protocol.md section 2.3).
extension RequestSigner {
    /// Query parameter names that are signed (compared case-insensitively): the documented OBS list plus the names
    /// the Python and Go SDKs add. Parameters whose name starts with the scheme's header prefix are signed too.
    static let subResourceNames: Set<String> = Set(
        [
            // Documented [API:0010]
            "acl", "attname", "cors", "customdomain", "delete", "deletebucket", "encryption", "inventory", "length",
            "lifecycle", "location", "logging", "metadata", "modify", "name", "notification", "partNumber", "policy",
            "position", "quota", "rename", "replication", "requestPayment", "response-cache-control",
            "response-content-disposition", "response-content-encoding", "response-content-language",
            "response-content-type", "response-expires", "restore", "storageClass", "storagePolicy", "storageinfo",
            "tagging", "torrent", "truncate", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
            "x-obs-security-token", "object-lock", "retention",
            // Added by the SDKs (const.ALLOWED_RESOURCE_PARAMTER_NAMES, allowedResourceParameterNames)
            "append", "backtosource", "mirrorBackToSource", "CDNNotifyConfiguration", "obscompresspolicy",
            "directcoldaccess", "publicaccessblock", "bucketstatus", "policystatus", "x-obs-accesslabel",
            "x-image-process", "x-image-save-bucket", "x-image-save-object", "x-oss-process", "dispolicy",
            "fileinterface",
        ].map { $0.lowercased() })

    /// Whether a query parameter is a signed sub-resource under a scheme whose header prefix is `prefix`.
    static func isSubResource(_ name: String, prefix: String) -> Bool {
        let lower = name.lowercased()
        return subResourceNames.contains(lower) || lower.hasPrefix(prefix)
    }

    /// `?a&b=raw&...` for the sub-resources among `query`: names as written, sorted byte-wise, raw (decoded) values,
    /// bare names for value-less parameters, the first of duplicate names only. Empty when there are none.
    static func subResourceString(_ query: [(name: String, value: String?)], prefix: String) -> String {
        subResourceString(query) { isSubResource($0, prefix: prefix) }
    }

    /// The same over the parameters `isSigned` picks (a verifier also reads V2 with S3's own list).
    static func subResourceString(
        _ query: [(name: String, value: String?)], isSigned: (String) -> Bool
    ) -> String {
        var seen = Set<String>()
        var items: [(name: String, value: String?)] = []
        for item in query where isSigned(item.name) {
            if seen.insert(item.name).inserted { items.append(item) }
        }
        guard !items.isEmpty else { return "" }
        items.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return "?" + items.map { item in item.value.map { "\(item.name)=\($0)" } ?? item.name }.joined(separator: "&")
    }

    /// CanonicalizedResource: the path as sent, preceded by `/bucket` when the bucket is in the host name
    /// (so a virtual-hosted bucket call signs `/bucket/` and a path-style one `/bucket`), then the sub-resources.
    /// Service-level calls (no bucket) sign the path, `/`.
    static func canonicalResource(
        path: String, query: [(name: String, value: String?)], scope: SigningScope, prefix: String
    ) -> String {
        canonicalResource(path: path, query: query, scope: scope) { isSubResource($0, prefix: prefix) }
    }

    static func canonicalResource(
        path: String, query: [(name: String, value: String?)], scope: SigningScope, isSigned: (String) -> Bool
    ) -> String {
        let wirePath = path.isEmpty ? "/" : path
        var resource: String
        if let bucket = scope.bucket, !bucket.isEmpty, scope.virtualHosted {
            resource = "/" + bucket + wirePath
        } else {
            resource = wirePath
        }
        resource += subResourceString(query, isSigned: isSigned)
        return resource
    }
}
