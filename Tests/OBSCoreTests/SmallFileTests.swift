import Foundation
import OBSCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `SmallFile.read`: whole small files, bounded, pipes read as they come, everything else refused by kind.
final class SmallFileTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "smallfile-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o600) -> String {
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        chmod(path, mode)
        return path
    }

    func failure(_ path: String, limit: Int = 64, privateOnly: Bool = false) -> SmallFile.Failure? {
        do {
            _ = try SmallFile.read(path, limit: limit, privateOnly: privateOnly)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsUpToTheLimitExactly() throws {
        let path = write("exact", Array(repeating: 7, count: 64))
        #expect(try SmallFile.read(path, limit: 64).copyBytes() == Array(repeating: 7, count: 64))
        #expect(failure(write("over", Array(repeating: 7, count: 65))) == .tooLarge(limit: 64))
        #expect(SmallFile.Failure.tooLarge(limit: 4096).phrase == "is larger than 4 KiB")
    }

    @Test func refusesWhatIsNotAFile() {
        #expect(failure(dir + "/absent") == .missing)
        #expect(failure(dir + "/absent/below") == .missing)
        #expect(failure(write("empty", [])) == .empty)
        #expect(failure(dir) == .notAFile("a directory"))
        // A device that never ends is refused by kind, before a byte is read.
        #expect(failure("/dev/zero") == .notAFile("a device"))
    }

    @Test func privateOnlyRefusesAFileOthersMayRead() throws {
        #expect(failure(write("shared", [1], mode: 0o644), privateOnly: true) == .exposed(mode: "0644"))
        #expect(failure(write("group", [1], mode: 0o640), privateOnly: true) == .exposed(mode: "0640"))
        #expect(try SmallFile.read(write("private", [1], mode: 0o600), limit: 8, privateOnly: true).count == 1)
    }

    /// `--sse-c-key-file <(pass show key)`: the path is a pipe whose writer comes and goes on its own.
    @Test func readsANamedPipeAndBoundsIt() throws {
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            let bytes = Array("a key in a pipe\n".utf8)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        writer.start()
        #expect(try SmallFile.read(fifo, limit: 64).copyBytes() == Array("a key in a pipe\n".utf8))

        // A pipe that would go on past the limit is cut off there, not drained.
        let endless = Thread {
            let fd = open(fifo, O_WRONLY)
            let chunk = [UInt8](repeating: 1, count: 4096)
            while chunk.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) > 0 {}
            close(fd)
        }
        signal(SIGPIPE, SIG_IGN)
        endless.start()
        #expect(failure(fifo, limit: 100) == .tooLarge(limit: 100))
    }

    /// `pipes: false`: a pipe with no writer is refused at once instead of waiting for one.
    @Test func aPipeCanBeRefusedWithoutWaiting() throws {
        let fifo = dir + "/lonely"
        #expect(mkfifo(fifo, 0o600) == 0)
        do {
            _ = try SmallFile.read(fifo, limit: 64, pipes: false)
            Issue.record("a pipe was read")
        } catch {
            #expect(error == .notAFile("a named pipe (FIFO)"))
        }
    }
}
