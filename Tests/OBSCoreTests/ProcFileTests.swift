import Foundation
import OBSCore
import Testing

@Suite("/proc files read to their end")
struct ProcFileTests {
    @Test("a /proc file longer than a page comes whole, up to its last line")
    func pastTheFirstPage() throws {
        // This process's mappings: hundreds of lines (its libraries), the stack's among the last.
        let maps = try #require(ProcFile.text("/proc/self/maps"))
        #expect(maps.utf8.count > 8192, "too short to span pages: \(maps.utf8.count) bytes")
        #expect(maps.hasSuffix("\n"), "the last line is cut")
        #expect(maps.contains("[stack]"))
        #expect(ProcFile.text("/proc/self/no-such-file") == nil)
    }
}
