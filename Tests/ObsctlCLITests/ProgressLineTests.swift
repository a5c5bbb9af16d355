import Testing
@testable import ObsctlCLI

/// The words of progress in process: each command's verb and its past tense, and plain mode's line for a finished
/// file. ProgressTests checks the display itself through the binary.
@Suite("progress lines")
struct ProgressLineTests {
    @Test(
        "each verb has its own past tense",
        arguments: [
            (ProgressVerb.upload, "uploaded"), (.download, "downloaded"), (.copy, "copied"), (.move, "moved"),
            (.delete, "deleted"), (.inspect, "inspected"), (.reEncrypt, "re-encrypted"),
        ])
    func pastTense(verb: ProgressVerb, expected: String) {
        #expect(verb.pastTense == expected)
    }

    @Test("a finished file's line: past tense, name, size, time, rate past 50 ms, [n/N] with several files")
    func finishedLine() {
        let one = Progress.finishedLine("re-encrypted", "obs://b/k", bytes: 2048, seconds: 0.01, count: nil)
        #expect(one == "re-encrypted obs://b/k: 2.0 KiB in 0.0 s")
        let many = Progress.finishedLine("inspected", "obs://b/k", bytes: 2048, seconds: 2, count: (3, 10))
        #expect(many == "inspected obs://b/k: 2.0 KiB in 2.0 s (1.0 KiB/s) [3/10]")
    }

    @Test("a transfer's verb follows its plan step")
    func fromOperation() {
        #expect(ProgressVerb(.upload) == .upload && ProgressVerb(.download) == .download)
        #expect(ProgressVerb(.copy) == .copy && ProgressVerb(.delete) == .delete)
    }
}
