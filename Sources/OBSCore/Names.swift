/// A bucket name that satisfies OBS's naming rules: 3–63 characters of lowercase letters, digits, `-` and `.`;
/// starts and ends with a letter or digit; no `..`, `.-` or `-.`; not shaped like an IPv4 address.
public struct BucketName: Hashable, Sendable, CustomStringConvertible, Comparable {
    public let value: String

    public init(_ value: String) throws {
        let u = Array(value.utf8)
        guard (3...63).contains(u.count) else {
            throw OBSError.invalidBucketName(value, "it must be 3 to 63 characters long (it has \(u.count))")
        }
        for c in u where !(Self.isLowerAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")) {
            throw OBSError.invalidBucketName(
                value,
                "only lowercase letters, digits, '-' and '.' are allowed (found '\(Character(Unicode.Scalar(c)))')")
        }
        guard Self.isLowerAlnum(u.first!), Self.isLowerAlnum(u.last!) else {
            throw OBSError.invalidBucketName(value, "it must start and end with a lowercase letter or digit")
        }
        for bad in ["..", ".-", "-."] where value.contains(bad) {
            throw OBSError.invalidBucketName(value, "it must not contain '\(bad)'")
        }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4,
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 })
        {
            throw OBSError.invalidBucketName(value, "it must not look like an IP address")
        }
        self.value = value
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
    }

    public var description: String { value }
    public static func < (a: BucketName, b: BucketName) -> Bool { a.value < b.value }
}

/// An object key: 1–1024 bytes of UTF-8 without NUL. `/` has no special meaning to OBS.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible, Comparable {
    public static let maxBytes = 1024
    public let value: String

    public init(_ value: String) throws {
        let n = value.utf8.count
        guard n >= 1 else {
            throw OBSError.invalidArgument("object key is empty; name the object, e.g. obs://bucket/name")
        }
        guard n <= Self.maxBytes else {
            throw OBSError(
                code: "KeyTooLongError", message: "object key is \(n) bytes; OBS allows at most 1024", httpStatus: 400,
                category: .usage)
        }
        guard !value.utf8.contains(0) else { throw OBSError.invalidArgument("object key contains a NUL character") }
        self.value = value
    }

    public var description: String { value }
    /// Keys are bytes (`KeyBytes`): a composed and a decomposed spelling of one name are two keys.
    public static func == (a: ObjectKey, b: ObjectKey) -> Bool { KeyBytes.equal(a.value, b.value) }
    public func hash(into hasher: inout Hasher) { ByteKey(value).hash(into: &hasher) }
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { ByteKey(a.value) < ByteKey(b.value) }
}

/// `obs://bucket[/key-or-prefix]`, the address form every command takes.
public struct OBSURL: Hashable, Sendable, CustomStringConvertible {
    public static let scheme = "obs://"
    public let bucket: BucketName
    /// Everything after the first `/` following the bucket, possibly empty (the whole bucket) or ending in `/`.
    public let path: String

    /// `s3://` means the same as `obs://`, so addresses from aws, rclone and mc scripts work unchanged; obsctl
    /// always prints `obs://`.
    public static let schemes = [scheme, "s3://"]

    /// Bytes, not Characters (`KeyBytes`): "/" followed by a combining mark is one Character, yet it ends a bucket
    /// name and starts a key.
    public static func isOBSURL(_ text: String) -> Bool { schemes.contains { KeyBytes.hasPrefix(text, $0) } }

    public init(_ text: String) throws {
        guard let given = Self.schemes.first(where: { KeyBytes.hasPrefix(text, $0) }) else {
            throw OBSError.invalidArgument(
                "'\(text)' is not an OBS address; write obs://BUCKET[/KEY] (or s3://BUCKET[/KEY])")
        }
        let rest = Array(text.utf8.dropFirst(given.utf8.count))
        let bucketPart: String
        if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
            bucketPart = String(decoding: rest[..<slash], as: UTF8.self)
            path = String(decoding: rest[(slash + 1)...], as: UTF8.self)
        } else {
            bucketPart = String(decoding: rest, as: UTF8.self)
            path = ""
        }
        guard !bucketPart.isEmpty else {
            throw OBSError.invalidArgument("'\(text)' names no bucket; write obs://BUCKET[/KEY]")
        }
        bucket = try BucketName(String(bucketPart))
    }

    public init(bucket: BucketName, path: String) { self.bucket = bucket; self.path = path }

    /// The path as an object key; fails when the address names only a bucket.
    public func objectKey() throws -> ObjectKey {
        guard !path.isEmpty else {
            throw OBSError.invalidArgument("'\(self)' names a bucket, not an object; write obs://\(bucket)/KEY")
        }
        return try ObjectKey(path)
    }

    public var description: String { Self.scheme + bucket.value + (path.isEmpty ? "" : "/" + path) }
}

/// Regions. A region becomes part of every signature, and with `--region` alone of the endpoint's host: one holding
/// `@`, `/` or `#` sent signed requests to another host.
public enum RegionName {
    /// A region id as OBS and S3 name theirs (`cn-north-4`, `us-east-1`): lowercase letters, digits and hyphens, one
    /// DNS label (at most 63, no hyphen at either end). What a host is built from (`--region` alone, the KMS and IAM
    /// endpoints, a bucket's location here).
    public static func isValid(_ region: String) -> Bool {
        !region.isEmpty && region.utf8.count <= 63 && !region.hasPrefix("-") && !region.hasSuffix("-")
            && region.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-")
            }
    }

    /// A region other servers may name otherwise (MinIO's or Ceph's `US`, `RegionOne`, `us_east`): letters, digits,
    /// `-`, `_` and `.`, at most 64. Nothing that can change a URL, a header or a credential scope (`/ @ # ? %`,
    /// blanks, control characters).
    public static func isSafe(_ region: String) -> Bool {
        !region.isEmpty && region.utf8.count <= 64
            && region.utf8.allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")].contains($0)
            }
    }

    /// What is wrong with `region` (which `origin` gave) and the fix, for an error message. `id`: the strict form
    /// was asked for (the region builds a host).
    public static func problem(_ region: String, from origin: String, id: Bool = false) -> String {
        "region '\(HeaderValues.printable(region))' (from \(origin)) is not "
            + (id
                ? "a region id: use lowercase letters, digits and hyphens, such as cn-north-4"
                : "a region name: use letters, digits, '-', '_' and '.', such as cn-north-4")
    }
}
