import Foundation
import OBSCore
import Testing

@testable import OBSServer

/// A GET whose answer is at most `OpenedRead.smallAnswerBytes` is read whole by the job that opened the object;
/// a larger one is streamed. Both give the same bytes; damage in a small one is an error answer, not a cut.
@Suite struct ServerSmallAnswerTests {
    @Test(
        "small and large answers, whole and ranged, plain and encrypted: the stored bytes",
        arguments: [0, 1, 1000, OpenedRead.smallAnswerBytes, OpenedRead.smallAnswerBytes + 1, 200_000])
    func bytesAsStored(size: Int) async throws {
        let f = try ServerFixture()
        try await f.makeBucket("small")
        let data = pattern(size)
        for sse in [[], [("x-obs-server-side-encryption", "kms")]] {
            let put = try await f.send(f.request("PUT", "/small/k", headers: sse, body: data))
            #expect(put.status == 200, "\(put.text)")
            let get = try await f.send(f.request("GET", "/small/k"))
            #expect(get.status == 200 && get.body == data, "\(size) bytes, \(sse): got \(get.body.count)")
            guard size > 2 else { continue }
            let ranged = try await f.send(f.request("GET", "/small/k", headers: [("Range", "bytes=1-\(size - 2)")]))
            #expect(ranged.status == 206 && ranged.body == Array(data[1...(size - 2)]))
        }
    }

    @Test("a small answer fits the response's queue: its write never waits for the client")
    func smallAnswerFitsTheQueue() {
        #expect(OpenedRead.smallAnswerBytes < S3Service.responseQueueBytes)
    }

    @Test(
        "the object's size decides, not the answer's: a small range of a larger object is streamed",
        arguments: [
            (OpenedRead.smallAnswerBytes, nil, true), (OpenedRead.smallAnswerBytes, 0..<100, true),
            (OpenedRead.smallAnswerBytes + 1, 0..<100, false), (1 << 30, 5..<6, false),
        ] as [(Int, Range<Int64>?, Bool)])
    func objectSizeDecides(size: Int, range: Range<Int64>?, readWhole: Bool) throws {
        let read = OpenedRead()
        let source = CountingSource(size: size)
        read.source = source
        read.info = ObjectInfo(
            bucket: try BucketName("small"), key: try ObjectKey("k"), size: Int64(size), etag: "e",
            contentType: "application/octet-stream", lastModified: Date(), userMetadata: [:], sseMode: nil,
            sseOrigin: nil)
        read.range = range
        if range != nil { source.limit = Int(range!.count) }  // a ranged source ends after its range
        try read.takeSmallAnswer()
        #expect((read.whole != nil) == readWhole)
        #expect(readWhole || source.served == 0, "read \(source.served) bytes before any went out")
        if readWhole { #expect(read.whole?.count == Int(range?.count ?? size)) }
    }

    @Test("a damaged small object: an integrity error answered before any byte, not a connection cut")
    func damagedSmallObject() async throws {
        let f = try ServerFixture()
        try await f.makeBucket("small")
        let put = try await f.send(
            f.request("PUT", "/small/k", headers: [("x-obs-server-side-encryption", "kms")], body: pattern(5000)))
        #expect(put.status == 200, "\(put.text)")
        let data = try #require(dataFiles(below: f.dir + "/buckets").first)
        try flipLastByte(data)
        let get = try await f.send(f.request("GET", "/small/k"))
        // Damage found in the data is the store's integrity failure, answered as S3's InternalError (its details
        // are for the server's owner); a streamed answer would have gone out as 200 and then been cut.
        #expect(get.status == 500 && get.element("Code") == "InternalError", "\(get.status) \(get.text)")
    }
}

/// The store's data files (`d-*`) below `dir`.
private func dataFiles(below dir: String) -> [String] {
    let found = FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []
    return found.filter { ($0 as NSString).lastPathComponent.hasPrefix("d-") }.map { dir + "/" + $0 }
}

private func flipLastByte(_ path: String) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    defer { try? handle.close() }
    let end = try handle.seekToEnd()
    try handle.seek(toOffset: end - 1)
    let last = try #require(try handle.read(upToCount: 1)?.first)
    try handle.seek(toOffset: end - 1)
    try handle.write(contentsOf: Data([last ^ 0x01]))
}

/// A source of `limit` zero bytes that counts what it served.
private final class CountingSource: ByteSource {
    var limit: Int
    private(set) var served = 0
    init(size: Int) { limit = size }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, limit - served)
        if n > 0 { buffer.baseAddress!.initializeMemory(as: UInt8.self, repeating: 0, count: n) }
        served += n
        return n
    }
}
