import Foundation
import Testing
import OBSCore
import OBSCrypto
@testable import OBSLocalBackend

// Shared fixture for the local backend tests.
//
// Every test gets its own temporary root and builds its backends from an explicit environment dictionary:
// Swift Testing runs tests in parallel in one process, so nothing here touches the process environment.

/// The fixed test root key: 32 bytes 0xA0...0xBF.
let testRootKeyBytes: [UInt8] = (0..<32).map { UInt8(0xA0 + $0) }
/// Another root key, for "wrong root key" tests.
let otherRootKeyBytes: [UInt8] = (0..<32).map { UInt8(0x10 + $0) }

/// A unique temporary directory removed when `cleanup` runs.
func makeTempDirectory(_ label: String = "t") throws -> String {
    let dir = NSTemporaryDirectory() + "obsctl-backend-tests-\(label)-\(UUID().uuidString.lowercased())"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// One test's store: a temp dir used as root and HOME, and a backend over it.
final class TestStore {
    let dir: String
    let environment: [String: String]
    let backend: LocalBackend

    init(rootKey: [UInt8] = testRootKeyBytes) throws {
        dir = try makeTempDirectory()
        environment = Self.environment(dir: dir, rootKey: rootKey)
        backend = try LocalBackend(environment: environment)
    }

    static func environment(dir: String, rootKey: [UInt8]?) -> [String: String] {
        var env = ["OBSCTL_LOCAL_ROOT": dir, "HOME": dir]
        if let rootKey { env["OBSCTL_LOCAL_ROOT_KEY"] = Base64.encode(rootKey) }
        return env
    }

    /// A second, independent backend on the same root (for example with another root key).
    func reopen(rootKey: [UInt8]? = testRootKeyBytes) throws -> LocalBackend {
        try LocalBackend(environment: Self.environment(dir: dir, rootKey: rootKey))
    }

    var kms: LocalKMS { backend.kms }
    var paths: LocalPaths { backend.paths }

    func cleanup() { try? FileManager.default.removeItem(atPath: dir) }

    // MARK: Convenience over the ObjectStorage API

    @discardableResult
    func makeBucket(_ name: String, encryption: BucketEncryption? = nil) async throws -> BucketName {
        let b = try BucketName(name)
        _ = try await backend.createBucket(
            CreateBucketRequest(name: b, location: "local", storageClass: .standard, encryption: encryption))
        return b
    }

    @discardableResult
    func put(
        _ bucket: BucketName, _ key: String, _ bytes: [UInt8], sse: SSERequest?,
        contentType: String = "application/octet-stream", metadata: [String: String] = [:]
    ) async throws -> ObjectInfo {
        try await backend.putObject(
            PutObjectRequest(
                bucket: bucket, key: try ObjectKey(key), sse: sse, contentType: contentType,
                userMetadata: metadata), body: BufferSource(bytes))
    }

    func get(_ bucket: BucketName, _ key: String, customerKey: CustomerKey? = nil) async throws -> ([UInt8], ObjectInfo)
    {
        let sink = BufferSink()
        let info = try await backend.getObject(
            GetObjectRequest(bucket: bucket, key: try ObjectKey(key), customerKey: customerKey), into: sink)
        return (sink.bytes, info)
    }

    /// A GET that must fail: returns the error and checks that the sink received nothing.
    @discardableResult
    func expectGetFails(
        _ bucket: BucketName, _ key: String, customerKey: CustomerKey? = nil, _ category: OBSError.Category,
        code: String? = nil, messageContains: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async -> OBSError? {
        let sink = BufferSink()
        let e = await expectOBSError(
            category, code: code, messageContains: messageContains, sourceLocation: sourceLocation
        ) {
            _ = try await self.backend.getObject(
                GetObjectRequest(bucket: bucket, key: try ObjectKey(key), customerKey: customerKey), into: sink)
        }
        #expect(
            sink.bytes.count == 0, "a failed GET wrote \(sink.bytes.count) bytes to the sink",
            sourceLocation: sourceLocation)
        return e
    }

    func head(_ bucket: BucketName, _ key: String, customerKey: CustomerKey? = nil) async throws -> ObjectInfo {
        try await backend.headObject(
            GetObjectRequest(bucket: bucket, key: try ObjectKey(key), customerKey: customerKey))
    }

    // MARK: Files on disk

    func objectDir(_ bucket: BucketName, _ key: String) throws -> String { paths.objectDir(bucket, try ObjectKey(key)) }
    func metaPath(_ bucket: BucketName, _ key: String) throws -> String { paths.metaFile(bucket, try ObjectKey(key)) }

    /// The object's single data file (`d-<uid>.obx` or `.bin`).
    func dataPath(_ bucket: BucketName, _ key: String) throws -> String {
        let dir = try objectDir(bucket, key)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("d-") }
        guard files.count == 1 else { throw TestFailure("expected one data file in \(dir), found \(files)") }
        return dir + "/" + files[0]
    }

    func readMetaJSON(_ bucket: BucketName, _ key: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: try metaPath(bucket, key)))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("meta.json is not an object")
        }
        return obj
    }

    /// Rewrites meta.json after `edit` changes its JSON object.
    func editMeta(_ bucket: BucketName, _ key: String, _ edit: (inout [String: Any]) throws -> Void) throws {
        var obj = try readMetaJSON(bucket, key)
        try edit(&obj)
        try writeJSON(obj, to: try metaPath(bucket, key))
    }

    func writePolicy(_ json: String) throws {
        try FileManager.default.createDirectory(atPath: paths.kmsDir, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: URL(fileURLWithPath: paths.policyFile))
    }

    func removePolicy() { try? FileManager.default.removeItem(atPath: paths.policyFile) }

    /// Every regular file under the root with its bytes, minus the audit log and lock files (neither holds data).
    func snapshot() -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
        while let rel = e.nextObject() as? String {
            let name = (rel as NSString).lastPathComponent
            if name == "audit.log" || name.hasSuffix(".lock") { continue }
            let full = dir + "/" + rel
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            out[rel] = readFile(full)
        }
        return out
    }

    /// All files under the root (relative paths), including directories' files only.
    func allFiles() -> [String] { snapshot().keys.sorted() }

    func auditLines() throws -> [[String: String]] {
        guard let text = try? String(contentsOfFile: paths.auditLog, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else {
                throw TestFailure("audit line is not a flat JSON object of strings: \(line)")
            }
            return obj
        }
    }
}

/// Runs `body` with a fresh store and removes the store's directory afterwards, whatever happens.
func withStore(rootKey: [UInt8] = testRootKeyBytes, _ body: (TestStore) async throws -> Void) async throws {
    let store = try TestStore(rootKey: rootKey)
    defer { store.cleanup() }
    try await body(store)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

// MARK: Assertions

/// Runs `body`, which must throw an `OBSError` of `category` (and `code`, and a message containing the given text).
@discardableResult
func expectOBSError(
    _ category: OBSError.Category, code: String? = nil, messageContains: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> OBSError? {
    do {
        try await body()
        Issue.record(
            "expected an OBSError of category \(category) but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let e as OBSError {
        #expect(
            e.category == category, "category \(e.category) (code \(e.code): \(e.message))",
            sourceLocation: sourceLocation)
        if let code { #expect(e.code == code, "code \(e.code) (\(e.message))", sourceLocation: sourceLocation) }
        if let text = messageContains {
            #expect(e.message.contains(text), "message '\(e.message)' lacks '\(text)'", sourceLocation: sourceLocation)
        }
        return e
    } catch {
        Issue.record(
            "expected an OBSError of category \(category), got \(type(of: error)): \(error)",
            sourceLocation: sourceLocation)
        return nil
    }
}

/// Synchronous variant for the format-level tests.
@discardableResult
func expectOBSErrorSync(
    _ category: OBSError.Category, code: String? = nil, messageContains: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> OBSError? {
    do {
        try body()
        Issue.record(
            "expected an OBSError of category \(category) but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let e as OBSError {
        #expect(
            e.category == category, "category \(e.category) (code \(e.code): \(e.message))",
            sourceLocation: sourceLocation)
        if let code { #expect(e.code == code, "code \(e.code) (\(e.message))", sourceLocation: sourceLocation) }
        if let text = messageContains {
            #expect(e.message.contains(text), "message '\(e.message)' lacks '\(text)'", sourceLocation: sourceLocation)
        }
        return e
    } catch {
        Issue.record(
            "expected an OBSError of category \(category), got \(type(of: error)): \(error)",
            sourceLocation: sourceLocation)
        return nil
    }
}

// MARK: Data

/// A deterministic, non-repeating-looking byte pattern (period 251, a prime, so it never lines up with chunks).
func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count { out[i] = UInt8((i + Int(seed)) % 251) }
    return out
}

func readFile(_ path: String) -> [UInt8] {
    (try? Array(Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
}

func writeFile(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func writeJSON(_ obj: Any, to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
}

/// True when `needle` occurs in `haystack` (naive search; fine for test sizes).
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
    let first = needle[0]
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
        if haystack[i] == first && haystack[i..<i + needle.count].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

func sha256Hex(_ bytes: [UInt8]) -> String { Hex.encode(Digest.sha256(bytes)) }

/// A fixed SSE-C key (32 bytes 0x60...0x7F) and another one.
/// The SSE request a test argument names ("none", "obs", "kms", "c"), and the customer key its reads then need.
func sseMode(_ mode: String) throws -> (sse: SSERequest?, readKey: CustomerKey?) {
    let ck = try customerKey()
    switch mode {
    case "obs": return (.obs, nil)
    case "kms": return (.kms(keyID: nil), nil)
    case "c": return (.customer(ck), ck)
    default: return (nil, nil)
    }
}

func customerKey(_ seed: UInt8 = 0x60) throws -> CustomerKey {
    try CustomerKey(key: SecretBytes(copying: (0..<32).map { seed &+ UInt8($0) }))
}

/// Huawei's key id shape (lowercase UUID).
func isUUIDShaped(_ s: String) -> Bool {
    s.wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil
}

// MARK: OBX at the format level

let kC = OBXFormat.chunkSize
let kT = OBXFormat.tagSize
let kH = OBXFormat.headerSize

/// Fixed inputs for format tests: DEK 0x00...0x1f, salt 0x40...0x4f, uid 0x50...0x5f.
enum OBXVectors {
    static let dekBytes: [UInt8] = Array(0..<32)
    static let salt: [UInt8] = (0..<16).map { 0x40 + UInt8($0) }
    static let uid: [UInt8] = (0..<16).map { 0x50 + UInt8($0) }
    static var dek: SecretBytes { SecretBytes(copying: dekBytes) }
}

/// A source that hands out at most `step` bytes per read, to exercise the encryptor's refill loop.
final class TrickleSource: ByteSource {
    private let bytes: [UInt8]
    private let step: Int
    private var offset = 0
    init(_ bytes: [UInt8], step: Int) { self.bytes = bytes; self.step = step }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(step, buffer.count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        }
        offset += n
        return n
    }
}

/// Encrypts `plain` into a complete OBX1 stream in memory.
func obxEncrypt(
    _ plain: [UInt8], dek: SecretBytes = OBXVectors.dek, salt: [UInt8] = OBXVectors.salt, uid: [UInt8] = OBXVectors.uid,
    part: UInt32 = 0, source: ByteSource? = nil
) throws -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(Int(OBXFormat.encryptedSize(plaintextSize: Int64(plain.count))))
    let r = try OBXEncryptor.encrypt(
        source: source ?? BufferSource(plain), dek: dek,
        header: OBXHeader(partNumber: part, streamSalt: salt, objectUID: uid)
    ) { out.append(contentsOf: $0) }
    #expect(r.plaintextSize == Int64(plain.count))
    return out
}

/// Decrypts an in-memory OBX1 stream into `sink`, reading with `readSize`-byte buffers. Throws at the first failure;
/// whatever reached the sink before that stays there for the caller to inspect.
@discardableResult
func obxDecrypt(
    _ file: [UInt8], into sink: BufferSink, plaintextSize: Int64, dek: SecretBytes = OBXVectors.dek,
    uid: [UInt8] = OBXVectors.uid, part: UInt32 = 0, readSize: Int = 4096
) throws -> OBXDecryptor {
    let d = try OBXDecryptor(
        dek: dek, expectedUID: uid, expectedPart: part, plaintextSize: plaintextSize,
        fileSize: Int64(file.count)
    ) { offset, buf in
        let off = Int(offset)
        guard off < file.count else { return 0 }
        let n = min(buf.count, file.count - off)
        file.withUnsafeBytes { buf.baseAddress!.copyMemory(from: $0.baseAddress! + off, byteCount: n) }
        return n
    }
    var buf = [UInt8](repeating: 0, count: readSize)
    while true {
        let n = try buf.withUnsafeMutableBytes { try d.read(into: $0) }
        if n == 0 { break }
        try buf.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return d
}

/// Byte range of chunk `i`'s ciphertext and of its tag inside a stream of `p` plaintext bytes.
func chunkRange(_ i: Int, plaintextSize p: Int) -> (ciphertext: Range<Int>, tag: Range<Int>) {
    let n = Int(OBXFormat.chunkCount(plaintextSize: Int64(p)))
    let len = i == n - 1 ? p - i * kC : kC
    let start = kH + i * (kC + kT)
    return (start..<start + len, start + len..<start + len + kT)
}

extension Array where Element == UInt8 {
    /// A short stand-in for comparisons, so a failure prints a line instead of megabytes.
    var fp: String { "\(count) bytes sha256:\(sha256Hex(self).prefix(16))" }
}

/// Paths whose presence or content differs between two snapshots.
func changedFiles(_ a: [String: [UInt8]], _ b: [String: [UInt8]]) -> [String] {
    Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
}
