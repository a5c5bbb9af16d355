import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSLocalBackend

/// `openRange(_:range:)`: the bytes of a range, for every storage layout, and a refusal from the range choice.
@Suite struct RangeReadTests {
    static let data: [UInt8] = (0..<400_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9) }

    func read(_ store: TestStore, _ bucket: BucketName, _ key: String, _ range: Range<Int64>?, etag: String? = nil)
        async throws -> [UInt8]
    {
        let sink = BufferSink()
        try Self.read(store, GetObjectRequest(bucket: bucket, key: try ObjectKey(key)), etag: etag, range, into: sink)
        return sink.bytes
    }

    /// The range read into `sink`, refused (as a copy-source condition would be) when the ETag is not `etag`.
    static func read(
        _ store: TestStore, _ request: GetObjectRequest, etag: String?, _ range: Range<Int64>?, into sink: ByteSink
    ) throws {
        let (source, _) = try store.backend.openRange(request) { info in
            if let etag, info.etag != etag {
                throw OBSError.sourceChanged(request.bucket.value, request.key.value)
            }
            return range
        }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return }
            try buf.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    @Test(arguments: [SSERequest.unencrypted, .obs, .kms(keyID: nil)])
    func rangesOfSinglePartObjects(sse: SSERequest) async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("r1xx")
        _ = try await store.backend.putObject(
            PutObjectRequest(bucket: b, key: try ObjectKey("k"), sse: sse), body: BufferSource(Self.data))
        let c = Int64(OBXFormat.chunkSize)
        for r: Range<Int64> in [
            0..<1, 0..<c, c - 1..<c + 1, 3 * c + 5..<3 * c + 6, 5 * c..<400_000, 399_999..<400_000,
            0..<400_000,
        ] {
            #expect(try await read(store, b, "k", r) == Array(Self.data[Int(r.lowerBound)..<Int(r.upperBound)]))
        }
        #expect(try await read(store, b, "k", nil) == Self.data)
    }

    @Test func rangeOfMultipartObject() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("r2xx")
        let key = try ObjectKey("m")
        let upload = try await store.backend.initiateMultipartUpload(PutObjectRequest(bucket: b, key: key, sse: .obs))
        let target = MultipartUploadTarget(bucket: b, key: key, uploadID: upload.uploadID)
        let first = [UInt8](repeating: 7, count: 5 << 20)
        let p1 = try await store.backend.uploadPart(target, partNumber: 1, body: BufferSource(first))
        let p2 = try await store.backend.uploadPart(target, partNumber: 2, body: BufferSource(Self.data))
        _ = try await store.backend.completeMultipartUpload(
            target, parts: [(1, p1.etag), (2, p2.etag)])
        let all = first + Self.data
        let p = Int64(first.count)
        for r: Range<Int64> in [p - 3..<p + 70_000, p..<p + 1, p + 65_535..<p + 65_537, p + 399_000..<p + 400_000] {
            #expect(try await read(store, b, "m", r) == Array(all[Int(r.lowerBound)..<Int(r.upperBound)]))
        }
        // A range in part 2 never reads part 1: with part 1 damaged it still reads, a whole read does not.
        let dir = store.paths.objectDir(b, key)
        let part1 = try #require(
            try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix("-p1.obx") })
        let handle = try #require(FileHandle(forUpdatingAtPath: dir + "/" + part1))
        try handle.seek(toOffset: 1000)
        try handle.write(contentsOf: Data([0xFF, 0xFF, 0xFF, 0xFF]))
        try handle.close()
        #expect(try await read(store, b, "m", p + 10..<p + 20) == Array(all[Int(p) + 10..<Int(p) + 20]))
        await #expect(throws: OBSError.self) { _ = try await read(store, b, "m", nil) }
    }

    /// The first part of a multipart object is sought like a single-part one: nothing before the range decrypted.
    @Test func rangeInTheFirstPartOfAMultipartObjectSkipsItsEarlierChunks() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("r5xx")
        let key = try ObjectKey("m")
        let upload = try await store.backend.initiateMultipartUpload(PutObjectRequest(bucket: b, key: key, sse: .obs))
        let target = MultipartUploadTarget(bucket: b, key: key, uploadID: upload.uploadID)
        let first = (0..<(5 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        let p1 = try await store.backend.uploadPart(target, partNumber: 1, body: BufferSource(first))
        let p2 = try await store.backend.uploadPart(target, partNumber: 2, body: BufferSource(Self.data))
        _ = try await store.backend.completeMultipartUpload(target, parts: [(1, p1.etag), (2, p2.etag)])
        let dir = store.paths.objectDir(b, key)
        let part1 = try #require(
            try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix("-p1.obx") })
        let handle = try #require(FileHandle(forUpdatingAtPath: dir + "/" + part1))
        try handle.seek(toOffset: 200)  // inside chunk 0 of the first part
        try handle.write(contentsOf: Data([0xFF, 0xFF]))
        try handle.close()
        let c = Int64(OBXFormat.chunkSize), all = first + Self.data
        for r: Range<Int64> in [2 * c + 1..<2 * c + 9, c..<Int64(first.count) + 10] {
            #expect(try await read(store, b, "m", r) == Array(all[Int(r.lowerBound)..<Int(r.upperBound)]))
        }
        await #expect(throws: OBSError.self) { _ = try await read(store, b, "m", 0..<10) }
    }

    @Test func rangeInALaterChunkSkipsTheEarlierOnes() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("r4xx")
        let key = try ObjectKey("k")
        _ = try await store.backend.putObject(
            PutObjectRequest(bucket: b, key: key, sse: .obs), body: BufferSource(Self.data))
        let dir = store.paths.objectDir(b, key)
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".obx") })
        let handle = try #require(FileHandle(forUpdatingAtPath: dir + "/" + file))
        try handle.seek(toOffset: 200)  // inside chunk 0
        try handle.write(contentsOf: Data([0xFF, 0xFF]))
        try handle.close()
        let c = Int64(OBXFormat.chunkSize)
        #expect(
            try await read(store, b, "k", 2 * c + 1..<2 * c + 9) == Array(Self.data[Int(2 * c) + 1..<Int(2 * c) + 9]))
        await #expect(throws: OBSError.self) { _ = try await read(store, b, "k", 0..<10) }
    }

    @Test func pinnedToAnotherETagSendsNothing() async throws {
        let store = try TestStore()
        defer { store.cleanup() }
        let b = try await store.makeBucket("r3xx")
        _ = try await store.backend.putObject(
            PutObjectRequest(bucket: b, key: try ObjectKey("k"), sse: .obs), body: BufferSource(Self.data))
        let sink = BufferSink()
        await #expect(throws: OBSError.self) {
            try Self.read(store, GetObjectRequest(bucket: b, key: try ObjectKey("k")), etag: "other", nil, into: sink)
        }
        #expect(sink.bytes.isEmpty)
    }

    /// A source of `size` bytes that counts the reads it answers.
    final class CountingSource: ByteSource {
        var left: Int
        var reads = 0
        init(size: Int) { left = size }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            reads += 1
            let n = min(buffer.count, left)
            left -= n
            return n
        }
    }

    /// The bytes a server asks for at a time are the range's length: a 1-byte range near the end of a large
    /// unencrypted object (skipped to, then drained to its end for its MAC) must not cost a read per byte.
    @Test(arguments: [(Int64(50 << 20) - 1, Int64(1)), (0, 1), (25 << 20, 2)])
    func aSmallRangeSkipsAndDrainsInLargeReads(start: Int64, length: Int64) throws {
        let size = 50 << 20
        let source = CountingSource(size: size)
        let range = RangeSource(source, skip: start, length: length, readsToEnd: true, what: "obs://b/k")
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: Int(length))
        while case let n = try buffer.withUnsafeMutableBytes({ try range.read(into: $0) }), n > 0 {
            out += buffer[0..<n]
        }
        #expect(out.count == Int(length))
        #expect(source.left == 0, "the rest was drained")
        #expect(source.reads <= size / RangeSource.passSize + 4, "\(source.reads) reads for \(size) bytes")
    }
}
