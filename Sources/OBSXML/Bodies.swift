import OBSCore

/// Request bodies, as UTF-8 bytes without an XML declaration or namespace, with the element names OBS documents.
/// Text is escaped (`&`, `<`, `>`, `"`, `'`; CR as `&#13;` so it survives XML line-end normalisation).
public enum OBSXMLBody {
    /// Whether `text` can be written in an XML 1.0 body at all: no C0 control character but tab, LF and CR (not
    /// even as a character reference), and neither U+FFFE nor U+FFFF. A key that cannot goes by another request.
    public static func isWritable(_ text: String) -> Bool {
        !text.unicodeScalars.contains {
            ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0xFFFE || $0.value == 0xFFFF
        }
    }

    /// `<CreateBucketConfiguration><Location>region</Location></CreateBucketConfiguration>` (`LocationConstraint`
    /// in the AWS dialect).
    public static func createBucketConfiguration(location: String, dialect: XMLDialect) -> [UInt8] {
        let tag = dialect == .obs ? "Location" : "LocationConstraint"
        var x = XMLWriter()
        x.open("CreateBucketConfiguration")
        x.element(tag, location)
        x.close("CreateBucketConfiguration")
        return x.bytes
    }

    /// PutBucketEncryption body:
    /// `ServerSideEncryptionConfiguration/Rule/ApplyServerSideEncryptionByDefault/{SSEAlgorithm, KMSMasterKeyID?}`.
    /// `SSEAlgorithm` is `kms` (OBS) or `aws:kms` (AWS) for SSE-KMS, `AES256` for SSE-OBS in both dialects.
    /// `KMSMasterKeyID` is written only when a key is named (absent: the bucket uses the default key).
    public static func bucketEncryption(_ e: BucketEncryption, dialect: XMLDialect) -> [UInt8] {
        let algorithm: String
        switch e {
        case .obs: algorithm = "AES256"
        case .kms: algorithm = dialect == .obs ? "kms" : "aws:kms"
        }
        var x = XMLWriter()
        x.open("ServerSideEncryptionConfiguration")
        x.open("Rule")
        x.open("ApplyServerSideEncryptionByDefault")
        x.element("SSEAlgorithm", algorithm)
        if let key = e.kmsKeyID, !key.isEmpty { x.element("KMSMasterKeyID", key) }
        x.close("ApplyServerSideEncryptionByDefault")
        x.close("Rule")
        x.close("ServerSideEncryptionConfiguration")
        return x.bytes
    }

    /// `<CompleteMultipartUpload><Part><PartNumber>n</PartNumber><ETag>etag</ETag></Part>...`
    /// `</CompleteMultipartUpload>`, parts in ascending number order (sorted here; equal numbers keep their given
    /// order), each ETag as given.
    /// `crc32c`: each part's `x-amz-checksum-crc32c` value, for an upload initiated with that checksum algorithm
    /// (S3 then requires it in `<ChecksumCRC32C>` of every part).
    public static func completeMultipartUpload(parts: [(number: Int, etag: String)], crc32c: [Int: String] = [:])
        -> [UInt8]
    {
        let sorted = parts.enumerated().sorted { ($0.element.number, $0.offset) < ($1.element.number, $1.offset) }
        var x = XMLWriter()
        x.open("CompleteMultipartUpload")
        for (_, part) in sorted {
            x.open("Part")
            x.element("PartNumber", String(part.number))
            x.element("ETag", part.etag)
            if let c = crc32c[part.number] { x.element("ChecksumCRC32C", c) }
            x.close("Part")
        }
        x.close("CompleteMultipartUpload")
        return x.bytes
    }

    /// `<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>...</Delete>`; `Quiet` is written either way.
    public static func deleteObjects(keys: [String], quiet: Bool) -> [UInt8] {
        var x = XMLWriter()
        x.open("Delete")
        x.element("Quiet", quiet ? "true" : "false")
        for key in keys {
            x.open("Object")
            x.element("Key", key)
            x.close("Object")
        }
        x.close("Delete")
        return x.bytes
    }
}

/// Appends tags and escaped text to a UTF-8 buffer.
struct XMLWriter {
    private(set) var bytes: [UInt8] = []

    mutating func open(_ name: String) {
        bytes.append(UInt8(ascii: "<")); bytes += name.utf8; bytes.append(UInt8(ascii: ">"))
    }
    mutating func close(_ name: String) { bytes += "</".utf8; bytes += name.utf8; bytes.append(UInt8(ascii: ">")) }
    mutating func element(_ name: String, _ text: String) { open(name); self.text(text); close(name) }
    mutating func text(_ text: String) { bytes += Self.escape(text).utf8 }

    /// Escapes markup characters and CR. Other C0 control characters (except tab and LF) cannot appear in XML 1.0 at
    /// all; they are written as character references so that the server rejects the body visibly rather than this
    /// function dropping or altering them.
    static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for s in text.unicodeScalars {
            switch s {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            case _ where s.value < 0x20 && s != "\t" && s != "\n":
                out += "&#x\(String(s.value, radix: 16, uppercase: true));"
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s {
        case "&", "<", ">", "\"", "'": return true
        case "\t", "\n": return false
        default: return s.value < 0x20
        }
    }
}
