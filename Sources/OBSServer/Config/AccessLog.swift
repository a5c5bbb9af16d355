import Foundation
import OBSCore
import OBSTime

/// One line per request: method, bucket, key, status, bytes, duration, access key id. Never a secret, a signature
/// or an SSE-C key: only these fields are ever written.
public final class AccessLog: @unchecked Sendable {
    public struct Entry: Sendable {
        public var time: Date
        public var requestID: String
        public var remote: String
        public var method: String
        public var bucket: String?
        public var key: String?
        public var status: Int
        public var bytesIn: Int64
        public var bytesOut: Int64
        public var duration: TimeInterval
        public var accessKeyID: String?
        public var errorCode: String?
        public var api: String

        public init(
            time: Date, requestID: String, remote: String, method: String, bucket: String?, key: String?,
            status: Int, bytesIn: Int64, bytesOut: Int64, duration: TimeInterval, accessKeyID: String?,
            errorCode: String?, api: String
        ) {
            self.time = time
            self.requestID = requestID
            self.remote = remote
            self.method = method
            self.bucket = bucket
            self.key = key
            self.status = status
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.duration = duration
            self.accessKeyID = accessKeyID
            self.errorCode = errorCode
            self.api = api
        }
    }

    private let lock = NSLock()
    private let handle: FileHandle
    private let json: Bool

    /// `path` nil: stderr.
    public init(path: String?, json: Bool) throws {
        self.json = json
        if let path {
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw OBSError.configuration("access log \(path) cannot be opened for writing: check the path")
            }
            h.seekToEndOfFile()
            handle = h
        } else {
            handle = FileHandle.standardError
        }
    }

    public func record(_ e: Entry) {
        let line = json ? Self.jsonLine(e) : Self.textLine(e)
        lock.lock()
        defer { lock.unlock() }
        try? handle.write(contentsOf: Array(line.utf8))
    }

    static func textLine(_ e: Entry) -> String {
        let target = e.bucket.map { b in "/" + b + (e.key.map { "/" + $0 } ?? "") } ?? "/"
        let ms = fixedPoint(e.duration * 1000, decimals: 1)
        return "\(Timestamps.rfc3339(e.time)) \(e.remote) \(e.accessKeyID ?? "-") \(e.method) \(escape(target)) "
            + "\(e.status) \(e.errorCode ?? "-") in=\(e.bytesIn) out=\(e.bytesOut) \(ms)ms \(e.api) \(e.requestID)\n"
    }

    static func jsonLine(_ e: Entry) -> String {
        var fields: [(String, String)] = [
            ("time", quote(Timestamps.rfc3339(e.time))), ("request_id", quote(e.requestID)),
            ("remote", quote(e.remote)), ("method", quote(e.method)),
        ]
        fields.append(("bucket", e.bucket.map(quote) ?? "null"))
        fields.append(("key", e.key.map(quote) ?? "null"))
        fields.append(("status", "\(e.status)"))
        fields.append(("error", e.errorCode.map(quote) ?? "null"))
        fields.append(("bytes_in", "\(e.bytesIn)"))
        fields.append(("bytes_out", "\(e.bytesOut)"))
        fields.append(("duration_ms", fixedPoint(e.duration * 1000, decimals: 3)))
        fields.append(("access_key_id", e.accessKeyID.map(quote) ?? "null"))
        fields.append(("api", quote(e.api)))
        return "{" + fields.map { "\(quote($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
    }

    /// `value` with `decimals` (1 or more) digits after the point, like `%.Nf` (exact ties may round the other way).
    /// By hand: `String(format:)` was a third of a JSON line's cost, and a line is written for every request.
    static func fixedPoint(_ value: Double, decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * Double(scale)).rounded()
        guard decimals > 0, value >= 0, scaled < 1e15 else { return String(format: "%.\(decimals)f", value) }
        let n = Int64(scaled)
        let fraction = String(n % scale)
        return "\(n / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// Control characters and spaces in keys would break the one-line format: escaped as %XX.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x21 || u.value == 0x7F || u == "%" {
                out += String(format: "%%%02X", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
