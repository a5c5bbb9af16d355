import Foundation
import OBSCore
import OBSTime

/// One line per request: method, bucket, key, status, bytes, duration, access key id. Never a secret, a signature
/// or an SSE-C key: only these fields are ever written.
/// `@unchecked Sendable`: its fields are set in `init` only, and `handle` is written to only under `lock`.
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
            // Appended to (O_APPEND: lines of another writer of the file are not overwritten), created 0600.
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                let reason = OBSError.reason(errno)
                throw OBSError.configuration(
                    "access log \(path) cannot be opened for writing (\(reason)): give a writable file in an existing "
                        + "directory")
            }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        } else {
            handle = FileHandle.standardError
        }
    }

    public func record(_ e: Entry) {
        let line = json ? Self.jsonBytes(e) : Array(Self.textLine(e).utf8)
        lock.lock()
        defer { lock.unlock() }
        try? handle.write(contentsOf: line)
    }

    static func textLine(_ e: Entry) -> String {
        let target = e.bucket.map { b in "/" + b + (e.key.map { "/" + $0 } ?? "") } ?? "/"
        let ms = fixedPoint(e.duration * 1000, decimals: 1)
        return "\(Timestamps.rfc3339(e.time)) \(e.remote) \(e.accessKeyID ?? "-") \(e.method) \(escape(target)) "
            + "\(e.status) \(e.errorCode ?? "-") in=\(e.bytesIn) out=\(e.bytesOut) \(ms)ms \(e.api) \(e.requestID)\n"
    }

    static func jsonLine(_ e: Entry) -> String { String(decoding: jsonBytes(e), as: UTF8.self) }

    /// The JSON line, written as bytes: a line is written for every request.
    static func jsonBytes(_ e: Entry) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(320)
        func string(_ name: String, _ value: String?, first: Bool = false) {
            JSONText.appendName(name, first: first, to: &out)
            JSONText.appendStringOrNull(value, to: &out)
        }
        func number(_ name: String, _ value: String) {
            JSONText.appendName(name, to: &out)
            out += Array(value.utf8)
        }
        string("time", Timestamps.rfc3339(e.time), first: true)
        string("request_id", e.requestID)
        string("remote", e.remote)
        string("method", e.method)
        string("bucket", e.bucket)
        string("key", e.key)
        number("status", String(e.status))
        string("error", e.errorCode)
        number("bytes_in", String(e.bytesIn))
        number("bytes_out", String(e.bytesOut))
        number("duration_ms", fixedPoint(e.duration * 1000, decimals: 3))
        string("access_key_id", e.accessKeyID)
        string("api", e.api)
        out += [UInt8(ascii: "}"), 0x0A]
        return out
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
}
