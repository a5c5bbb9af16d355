import Foundation
import Testing
@testable import ObsctlCLI

/// `bucket encryption apply`'s gate in process: the first copy runs alone; the others wait for its outcome and then
/// all go ahead, or none does.
@Suite("first copy gate")
struct FirstCopyGateTests {
    final class Tally: @unchecked Sendable {  // `entered` and `passed` are touched only under `lock`
        private let lock = NSLock()
        private var entered = 0, passed = 0
        func enter() { lock.withLock { entered += 1 } }
        func pass() { lock.withLock { passed += 1 } }
        var counts: (entered: Int, passed: Int) { lock.withLock { (entered, passed) } }
    }

    /// The probe's turn, then `count` tasks that enter while its copy is "in flight" (none may pass), then the
    /// probe's outcome: the turns the waiting tasks got, and the turn of one that comes after.
    private static func run(probeStops: Bool, count: Int) async -> (
        probe: FirstCopyGate.Turn, waited: [FirstCopyGate.Turn], later: FirstCopyGate.Turn
    ) {
        let gate = FirstCopyGate()
        let probe = await gate.enter()
        let tally = Tally()
        let waiting = Task {
            await withTaskGroup(of: FirstCopyGate.Turn.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        tally.enter()
                        let turn = await gate.enter()
                        tally.pass()
                        return turn
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        while tally.counts.entered < count { try? await Task.sleep(nanoseconds: 1_000_000) }
        try? await Task.sleep(nanoseconds: 100_000_000)
        #expect(tally.counts.passed == 0, "a copy went ahead while the first was in flight")
        gate.settle(stopsTheRun: probeStops)
        gate.settle(stopsTheRun: !probeStops)  // only the probe's outcome counts
        let waited = await waiting.value
        return (probe, waited, await gate.enter())
    }

    @Test("the first to enter probes; the others wait for it, then all go ahead")
    func proceeds() async {
        let r = await Self.run(probeStops: false, count: 16)
        #expect(r.probe == .probe)
        #expect(r.waited.count == 16 && r.waited.allSatisfy { $0 == .proceed }, "\(r.waited)")
        #expect(r.later == .proceed)
    }

    @Test("a probe that stops the run stops every copy waiting and every later one")
    func stops() async {
        let r = await Self.run(probeStops: true, count: 16)
        #expect(r.probe == .probe)
        #expect(r.waited.count == 16 && r.waited.allSatisfy { $0 == .stopped }, "\(r.waited)")
        #expect(r.later == .stopped)
    }
}
