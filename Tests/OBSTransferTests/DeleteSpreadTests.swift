import Foundation
import OBSCore
import OBSTransfer
import Testing

@Suite("batch deletes spread over the jobs")
struct DeleteSpreadTests {
    @Test("fewer keys than jobs x 1,000 go as one batch per job, never below the minimum")
    func batchSizes() {
        let sixteen = TransferExecutor(jobs: 16)
        #expect(sixteen.batchSize(for: 2_000, limit: 1_000) == 125)
        #expect(sixteen.batchSize(for: 20_000, limit: 1_000) == 1_000)
        #expect(sixteen.batchSize(for: 500, limit: 1_000) == TransferExecutor.deleteSpreadMinimum)
        #expect(sixteen.batchSize(for: 2_000, limit: 50) == 50)
        #expect(TransferExecutor(jobs: 1).batchSize(for: 2_000, limit: 1_000) == 1_000)
        #expect(TransferExecutor(jobs: 1).batchSize(for: 0, limit: 1_000) == TransferExecutor.deleteSpreadMinimum)
    }

    @Test("2,000 keys with 16 jobs: 16 batches of 125 at once, every key deleted once, in order")
    func spreadRun() async throws {
        let keys = try (0..<2_000).map { try ObjectKey(String(format: "k%04d", $0)) }
        let gauge = Gauge()
        let outcome = try await TransferExecutor(jobs: 16).deleteInBatches(
            bucket: try BucketName("bkt"), keys: keys, batchSize: 1_000
        ) { batch in
            gauge.enter(batch.count)
            defer { gauge.leave() }
            if gauge.started.count <= 2 { await gauge.awaitStarted(2) }  // the first two batches in flight together
            try await Task.sleep(nanoseconds: 20_000_000)
            return []
        }
        #expect(gauge.started == Array(repeating: 125, count: 16))
        #expect(gauge.maximum > 1)
        #expect(outcome.deleted == keys)
        #expect(outcome.failures.isEmpty)
    }
}
