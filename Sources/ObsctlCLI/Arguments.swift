import ArgumentParser
import OBSCore

/// A value an option's transform refuses; ArgumentParser shows it as
/// "The value 'V' is invalid for '--OPTION <v>': DESCRIPTION" (exit 2).
struct InvalidValue: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--sse` values of commands that write objects.
enum SSEModeArgument: String, ExpressibleByArgument, CaseIterable {
    case kms, obs, c
    var mode: SSEMode {
        switch self {
        case .kms: return .kms;
        case .obs: return .obs;
        case .c: return .c
        }
    }
}

/// `--sse` values of a bucket default: help and completion offer only what is accepted. SSE-C is refused with the
/// reason, since users coming from uploads will try it.
enum BucketSSEArgument: String, ExpressibleByArgument, CaseIterable {
    case kms, obs
    var mode: SSEMode { self == .kms ? .kms : .obs }

    static func parse(_ text: String) throws -> BucketSSEArgument {
        if let v = BucketSSEArgument(rawValue: text) { return v }
        if text == "c" {
            throw InvalidValue(
                "SSE-C cannot be a bucket default (OBS never stores customer keys); use kms or obs, "
                    + "and give an SSE-C key with each upload instead")
        }
        throw InvalidValue("use kms or obs")
    }
}

/// A storage class as the command line spells it, in arguments and in output: `standard`, `warm`, `cold`,
/// `deep-archive`.
enum StorageClassArgument: String, ExpressibleByArgument, CaseIterable {
    case standard, warm, cold, deepArchive = "deep-archive"
    var storageClass: StorageClass {
        switch self {
        case .standard: return .standard
        case .warm: return .warm
        case .cold: return .cold
        case .deepArchive: return .deepArchive
        }
    }

    init(_ storageClass: StorageClass) {
        switch storageClass {
        case .standard: self = .standard
        case .warm: self = .warm
        case .cold: self = .cold
        case .deepArchive: self = .deepArchive
        }
    }
}

/// Local path arguments: an empty one (an unset variable in a script) is refused before anything is listed or
/// changed, whatever the command would make of it.
func refuseEmptyPaths(_ arguments: [String]) throws {
    if arguments.contains(where: \.isEmpty) { throw OBSError.emptyPath }
}

/// A bucket argument: `obs://BUCKET` or a bare name.
func parseBucket(_ text: String) throws -> BucketName {
    if OBSURL.isOBSURL(text) {
        let url = try OBSURL(text)
        guard url.path.isEmpty else {
            throw OBSError.invalidArgument("'\(text)' names an object; give the bucket as obs://\(url.bucket)")
        }
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
    guard let n = Int(digits), n > 0 else {
        throw OBSError.invalidArgument("\(option) '\(text)' is not a duration such as 900, 15m, 12h or 7d")
    }
    guard n <= Int(Int32.max) / factor else {
        throw OBSError.invalidArgument("\(option) '\(text)' is too long: at most \(Int32.max) seconds (about 68 years)")
    }
    return n * factor
}
