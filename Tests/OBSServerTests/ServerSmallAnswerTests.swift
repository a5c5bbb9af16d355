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
