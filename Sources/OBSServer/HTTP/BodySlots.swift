import Foundation
import OBSCore

/// Bounds the bodies moved on the blocking pool. A body read waits for its client, and so does an answer's body
/// written to one that does not read, so a few hundred slow or stalled uploaders or downloaders (each under the body
/// timeout) would hold every pool thread, and no listing or KMS call could run until they ended. Requests with a
/// body take a slot of their lane for as long as they are handled, and a GET one of the downloads lane from before
/// it opens its object until its answer is written; those beyond the bound wait here, in order, holding no thread.
/// Four lanes, so that one kind of slow client holds back only its own kind: uploads (128), downloads (64), small
/// S3 bodies such as Complete's or a batch delete's XML (16), KMS calls (16). The rest of the pool (32 threads)
/// always stays free for requests without a body.
actor BodySlots {
    static let uploads = BodySlots(limit: 128)
    static let downloads = BodySlots(limit: 64)
    static let smallBodies = BodySlots(limit: 16)
    static let kms = BodySlots(limit: 16)
    /// The largest body of the small lane: S3's XML bodies (Complete of 10,000 parts is about 1 MB).
    static let smallBodyLimit: Int64 = 2 << 20

    /// The lane of an S3 request with a body: small and declared (Content-Length), or an upload.
    static func s3Lane(_ request: ServerRequest) -> BodySlots {
        let length = request.header("Content-Length").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        return request.header("Transfer-Encoding") == nil && (length ?? Int64.max) <= smallBodyLimit
            && request.method == "POST" ? smallBodies : uploads
    }

    nonisolated let limit: Int
    private var inUse = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = max(1, limit) }

    /// Runs `body` in a slot when `request` carries a body (a Content-Length above 0, or a Transfer-Encoding),
    /// directly otherwise.
    nonisolated func handling<T>(_ request: ServerRequest, _ body: () async -> T) async -> T {
        guard Self.hasBody(request) else { return await body() }
        await acquire()
        let result = await body()
        await release()
        return result
    }

    /// A slot held past the handler: a GET takes one before it opens its object and gives it back once its answer
    /// is written (`release`), or when the answer is dropped unwritten (the last reference goes).
    final class Slot: @unchecked Sendable {  // `released` is touched only under `lock`
        private let lane: BodySlots
        private let lock = NSLock()
        private var released = false
        fileprivate init(_ lane: BodySlots) { self.lane = lane }

        func release() {
            let first = lock.withLock {
                defer { released = true }
                return !released
            }
            if first { Task { [lane] in await lane.release() } }
        }

        deinit { release() }
    }

    /// Waits for a slot, holding no thread, and hands it over: a queued GET holds its connection and nothing else
    /// (no opened object, no buffer, no thread).
    nonisolated func take() async -> Slot {
        await acquire()
        return Slot(self)
    }

    static func hasBody(_ request: ServerRequest) -> Bool {
        if request.header("Transfer-Encoding") != nil { return true }
        return request.header("Content-Length").flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) } ?? 0 > 0
    }

    /// Slots taken and requests waiting: for tests.
    var load: (inUse: Int, waiting: Int) { (inUse, waiting.count) }

    private func acquire() async {
        guard inUse >= limit else {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }  // the slot is handed over by `release`
    }

    private func release() {
        if waiting.isEmpty { inUse -= 1 } else { waiting.removeFirst().resume() }
    }
}
