import Foundation
import OBSCore
import Testing

@testable import OBSServer

/// Requests with a body take a slot while handled; beyond the bound they wait, holding no thread, and requests
/// without a body never wait: slow uploaders cannot take the blocking pool from GETs and listings.
@Suite struct BodySlotsTests {
    /// Holds each handler until `open` is called.
    actor Gate {
        private var open = false
        private var waiting: [CheckedContinuation<Void, Never>] = []
        func pass() async {
            if open { return }
            await withCheckedContinuation { waiting.append($0) }
        }
        func release() {
            open = true
            for w in waiting { w.resume() }
            waiting = []
        }
    }

    static func until(_ condition: () async -> Bool) async {
        for _ in 0..<2000 where !(await condition()) { try? await Task.sleep(nanoseconds: 1_000_000) }
    }

    @Test func bodiesBeyondTheLimitWaitOthersDoNot() async throws {
        let slots = BodySlots(limit: 2)
        @Sendable func upload(_ i: Int) -> ServerRequest {
            i == 1
                ? ServerRequest(method: "PUT", rawPath: "/b/k", headers: [("Transfer-Encoding", "chunked")])
                : ServerRequest(
                    method: "PUT", rawPath: "/b/k", headers: [("Content-Length", "5")],
                    body: BufferSource([1, 2, 3, 4, 5]))
        }
        let gate = Gate()
        let started = Task {
            await withTaskGroup(of: Int.self) { group in
                for i in 0..<3 {
                    group.addTask {
                        await slots.handling(upload(i)) {
                            await gate.pass()
                            return i
                        }
                    }
                }
                return await group.reduce(0) { $0 + $1 }
            }
        }
        await Self.until { await slots.load == (2, 1) }
        #expect(await slots.load == (2, 1), "two handled, the third waiting")
        // A GET (no body), and a PUT of nothing, are handled at once.
        for request in [
            ServerRequest(method: "GET", rawPath: "/b/k"),
            ServerRequest(method: "PUT", rawPath: "/b/e", headers: [("Content-Length", "0")]),
        ] {
            #expect(await slots.handling(request) { 7 } == 7)
        }
        await gate.release()
        #expect(await started.value == 3)
        #expect(await slots.load == (0, 0), "every slot given back")
    }

    /// A GET's slot outlives its handler: given back once released, or when its answer is dropped unwritten.
    @Test func slotsTakenAheadComeBackWhenReleasedOrDropped() async {
        let lane = BodySlots(limit: 1)
        let waiting: Task<BodySlots.Slot, Never>
        do {
            let first = await lane.take()
            waiting = Task { await lane.take() }
            await Self.until { await lane.load == (1, 1) }
            #expect(await lane.load == (1, 1), "the second waits")
            withExtendedLifetime(first) {}
        }
        let second = await waiting.value  // the first was dropped: its slot went to the second
        #expect(await lane.load == (1, 0))
        second.release()
        second.release()  // once only
        await Self.until { await lane.load == (0, 0) }
        #expect(await lane.load == (0, 0))
    }

    /// Small declared POST bodies (Complete, a batch delete) and KMS calls have lanes of their own: slow uploads
    /// hold back only uploads.
    @Test func lanes() {
        func lane(_ method: String, _ headers: [(name: String, value: String)]) -> BodySlots {
            BodySlots.s3Lane(ServerRequest(method: method, rawPath: "/b/k", headers: headers))
        }
        #expect(lane("POST", [("Content-Length", "900")]) === BodySlots.smallBodies)
        #expect(lane("POST", [("Content-Length", "\(BodySlots.smallBodyLimit + 1)")]) === BodySlots.uploads)
        #expect(lane("POST", [("Transfer-Encoding", "chunked")]) === BodySlots.uploads)
        #expect(lane("PUT", [("Content-Length", "900")]) === BodySlots.uploads)
        #expect(BodySlots.kms !== BodySlots.uploads && BodySlots.kms !== BodySlots.smallBodies)
        #expect(Set([BodySlots.uploads, .downloads, .smallBodies, .kms].map(ObjectIdentifier.init)).count == 4)
        let lanes = [BodySlots.uploads, .downloads, .smallBodies, .kms].map { $0.limit }.reduce(0, +)
        #expect(lanes < BlockingPool.defaultSize, "threads stay for requests without a body")
    }
}
