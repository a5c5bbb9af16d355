import ArgumentParser
import OBSCore

/// `--sse` values. `c` (SSE-C) is valid on uploads only, never as a bucket default.
enum SSEModeArgument: String, ExpressibleByArgument, CaseIterable {
    case kms, obs, c
    var mode: SSEMode { switch self { case .kms: return .kms; case .obs: return .obs; case .c: return .c } }
}

enum StorageClassArgument: String, ExpressibleByArgument, CaseIterable {
    case standard, warm, cold
    var storageClass: StorageClass { switch self { case .standard: return .standard; case .warm: return .warm; case .cold: return .cold } }
}

/// A bucket argument: `obs://BUCKET` or a bare name.
func parseBucket(_ text: String) throws -> BucketName {
    if OBSURL.isOBSURL(text) {
        let url = try OBSURL(text)
        guard url.path.isEmpty else { throw OBSError.invalidArgument("'\(text)' names an object; give the bucket as obs://\(url.bucket)") }
        return url.bucket
    }
    return try BucketName(text)
}

/// Validates `--metadata k=v` pairs: OBS sends them as `x-obs-meta-k` headers, so keys are header-safe tokens.
func parseMetadata(_ pairs: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for pair in pairs {
        guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
            throw OBSError.invalidArgument("--metadata '\(pair)' is not KEY=VALUE")
        }
        let k = String(pair[..<eq]).lowercased(), v = String(pair[pair.index(after: eq)...])
        try HeaderValues.checkMetadataKey(k)
        try HeaderValues.checkValue(v, "--metadata value for '\(HeaderValues.printable(k))'")
        out[k] = v
    }
    return out
}

/// A duration in whole seconds: a number alone, or with s, m, h or d ("900", "15m", "12h", "7d").
func parseDuration(_ text: String, option: String) throws -> Int {
    let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    var digits = text.lowercased(), factor = 1
    if let u = digits.last, let f = units[u] { factor = f; digits.removeLast() }
    guard let n = Int(digits), n > 0, n <= Int(Int32.max) / factor else {
        throw OBSError.invalidArgument("\(option) '\(text)' is not a duration such as 900, 15m, 12h or 7d")
    }
    return n * factor
}
