import Foundation
import Testing

/// A recursive download writes into a directory. A file where that directory would be is one usage error (exit 2)
/// before anything is listed or written, however the path is spelled: `file`, `file/` (whose stat fails with
/// ENOTDIR, which let `file/` through to fail object by object, exit 1 or 3, and pass its dry run) or `file/new`.
@Suite("a file as a recursive download's destination: one error, however spelled")
struct DestinationNotDirectoryTests {
    @Test(arguments: ["file", "file/", "file/new", "file/new/"])
    func refusedUpFront(_ spelling: String) throws {
        let sb = try Sandbox("dest-file")
        try sb.bucket("srcb", withObjects: ["logs/x.log", "logs/y.log"])
        _ = try sb.write("file", Data("keep".utf8))
        let destination = sb.path(spelling)
        let commands: [[String]] = [
            ["download", "obs://srcb/logs/", destination, "-r"],
            ["cp", "obs://srcb/logs/", destination, "-r"],
            ["mv", "obs://srcb/logs/", destination, "-r"],
            ["sync", "obs://srcb/", destination],
        ]
        for command in commands {
            for dryRun in command[0] == "download" ? [false] : [false, true] {  // download has no dry run
                let r = try sb.run(command + (dryRun ? ["--dry-run"] : []))
                expectError(r, 2, contains: ["is not a directory"])
            }
        }
        #expect(sb.read("file") == Data("keep".utf8))
        let left = try #require(try sb.json(["ls", "obs://srcb/", "-r"])["objects"] as? [[String: Any]])
        #expect(left.count == 2, "mv moved nothing: \(left)")
    }
}
