import Foundation
import Testing
import OBSCore
@testable import OBSLocalBackend

/// An append reads only the end of the audit log (a small window first): lines and torn tails longer than that
/// window must read as they did when the whole last 64 KiB was read.
@Suite("KMS audit log: the tail an append reads")
struct AuditLogTailTests {
    static let long = String(repeating: "x", count: AuditLog.tailWindow + 2000)

    @Test("a last line longer than the first read (an unchained line from before the chain) is found whole")
    func longLastLine() async throws {
        try await withStore { s in
            try FileManager.default.createDirectory(
                atPath: LocalPath.parent(s.paths.auditLog), withIntermediateDirectories: true)
            let old = try JSONSerialization.data(withJSONObject: ["operation": "old", "detail": Self.long])
            try writeFile(Array(old) + [0x0A], to: s.paths.auditLog)
            _ = try s.kms.createKey(alias: "tail/long", description: "")
            let v = try s.kms.verifyAuditLog()
            #expect(v.lines == 2 && v.unverifiedPrefix == 1, "\(v)")
        }
    }

    @Test("a line is one JSON object whatever its strings hold: quotes, backslashes, control characters, UTF-8")
    func linesAreJSON() throws {
        #expect(String(decoding: AuditLog.jsonObject(["b": "2", "a": "1"]), as: UTF8.self) == #"{"a":"1","b":"2"}"#)
        let tricky = [
            "quote\"": "a \"b\" c", "back\\slash": "C:\\x\\", "lines": "one\ntwo\r\tthree",
            "controls": "\u{0}\u{1}\u{1F}\u{7F}", "utf8": "ключ/键/🔑", "slash": "alias/obs/default", "": "",
        ]
        let bytes = AuditLog.jsonObject(tricky)
        #expect(!bytes.contains(0x0A), "a line must not hold a newline")
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
        #expect(parsed == tricky)
    }

    @Test("a torn last line longer than the first read is cut whole, and the cut is logged")
    func longTornTail() async throws {
        try await withStore { s in
            let k = try s.kms.createKey(alias: "tail/torn", description: "")
            let before = try s.auditLines().count
            let fd = open(s.paths.auditLog, O_WRONLY | O_APPEND)
            try #require(fd >= 0)
            let torn = Array("{\"operation\":\"torn\",\"detail\":\"\(Self.long)".utf8)
            #expect(write(fd, torn, torn.count) == torn.count)
            close(fd)
            _ = try s.kms.describeKey(k.keyID)
            let lines = try s.auditLines()
            #expect(lines.count == before + 2, "\(lines.suffix(3))")
            #expect(lines.dropLast().last?["operation"] == "audit-repair")
            #expect(lines.dropLast().last?["detail"]?.contains("\(torn.count) bytes") == true, "\(lines.suffix(2))")
            #expect(lines.last?["operation"] == "describe-key")
            #expect(try s.kms.verifyAuditLog().lines == before + 2)
        }
    }

    @Test("appends from two writers in turn (two processes) form one chain: each reads the other's lines back")
    func twoWritersInTurn() async throws {
        try await withStore { s in
            let other = try s.reopen().kms
            let k = try s.kms.createKey(alias: "tail/two", description: "")
            for i in 0..<4 {
                // Twice in a row from one writer (the link it kept), then once from the other (read back).
                _ = try s.kms.describeKey(k.keyID)
                _ = try s.kms.describeKey(k.keyID)
                _ = try (i % 2 == 0 ? other : s.kms).describeKey(k.keyID)
                _ = try other.describeKey(k.keyID)
            }
            let lines = try s.auditLines()
            #expect(lines.map { $0["seq"] } == (1...lines.count).map { String($0) })
            #expect(try s.kms.verifyAuditLog().lines == lines.count)
            #expect(try other.verifyAuditLog().lines == lines.count)
        }
    }

    @Test("lines added before the chain, or cut from the unchained prefix, are caught: the first line counts them")
    func prefixBeforeTheChain() async throws {
        try await withStore { s in
            try FileManager.default.createDirectory(
                atPath: LocalPath.parent(s.paths.auditLog), withIntermediateDirectories: true)
            let old = Array(#"{"operation":"old"}"#.utf8) + [0x0A]
            try writeFile(old + old, to: s.paths.auditLog)
            _ = try s.kms.createKey(alias: "tail/prefix", description: "")
            #expect(try s.auditLines().first { $0["seq"] == "1" }?["prefix_lines"] == "2")
            #expect(try s.kms.verifyAuditLog().unverifiedPrefix == 2)
            let chained = Array(readFile(s.paths.auditLog).dropFirst(2 * old.count))
            for forged in [old + old + old + chained, old + chained, chained] {
                try writeFile(forged, to: s.paths.auditLog)
                await expectOBSError(.integrity, messageContains: "unchained lines") { _ = try s.kms.verifyAuditLog() }
            }
            try writeFile(old + old + chained, to: s.paths.auditLog)
            #expect(try s.kms.verifyAuditLog().unverifiedPrefix == 2)
        }
    }

    @Test("a log chained from its first line records no prefix, and one added in front of it is caught")
    func noPrefix() async throws {
        try await withStore { s in
            _ = try s.kms.createKey(alias: "tail/none", description: "")
            #expect(try s.auditLines().first?["prefix_lines"] == "0")
            let chained = readFile(s.paths.auditLog)
            try writeFile(Array(#"{"operation":"forged"}"#.utf8) + [0x0A] + chained, to: s.paths.auditLog)
            await expectOBSError(.integrity, messageContains: "unchained lines") { _ = try s.kms.verifyAuditLog() }
        }
    }
}
