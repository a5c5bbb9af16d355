import Foundation
import Testing

/// `config set` and `config import` change the lines they must and keep the rest of a hand-written config file:
/// comments, blank lines, the order of keys and sections.
@Suite("config set keeps the user's file")
struct ConfigCommentsTests {
    static let handWritten = """
        # My obsctl settings.
        ; written by hand

        [prod]
        # the production endpoint
        endpoint = https://obs.cn-north-4.myhuaweicloud.com
        region   =   cn-north-4

        ; staging follows
        [default]
        signature = v4
        endpoint = http://127.0.0.1:9000

        """

    private func write(_ sb: Sandbox, _ text: String) throws -> String {
        let path = sb.configHome + "/obsctl/config"
        try FileManager.default.createDirectory(atPath: sb.configHome + "/obsctl", withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8),
                attributes: [.posixPermissions: 0o600]))
        return path
    }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("set edits one line in place, appends a key to its section, a section at the end")
    func setKeepsCommentsAndOrder() throws {
        let sb = try Sandbox("cfgcomments")
        let path = try write(sb, Self.handWritten)

        try sb.ok(["config", "set", "region", "cn-south-1", "--profile", "prod"])
        #expect(
            try read(path)
                == Self.handWritten.replacingOccurrences(
                    of: "region   =   cn-north-4", with: "region = cn-south-1"))

        try sb.write("ca.pem", Data("-----BEGIN CERTIFICATE-----\n".utf8))  // set checks only that it can be read
        try sb.ok(["config", "set", "ca_bundle", sb.path("ca.pem"), "--profile", "prod"])
        try sb.ok(["config", "set", "access_key_id", "--from-env", "AK", "--profile", "new"], env: ["AK": "AKNEW"])
        try sb.ok(
            ["config", "set", "secret_access_key", "--from-env", "SK", "--profile", "new"], env: ["SK": "s3cr3t"])
        let expected = """
            # My obsctl settings.
            ; written by hand

            [prod]
            # the production endpoint
            endpoint = https://obs.cn-north-4.myhuaweicloud.com
            region = cn-south-1
            ca_bundle = \(sb.path("ca.pem"))

            ; staging follows
            [default]
            signature = v4
            endpoint = http://127.0.0.1:9000

            [new]
            access_key_id = AKNEW
            secret_access_key = s3cr3t

            """
        #expect(try read(path) == expected)
        // The secret stays in the 0600 file only, and what was read back is what was set.
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try sb.ok(["config", "get", "region", "--profile", "prod"]).out == "cn-south-1\n")
        #expect(try sb.ok(["config", "get", "secret_access_key", "--profile", "new"]).out == "<set, hidden>\n")
    }

    @Test("a key assigned twice: the assignment that is read (the last) is the one changed")
    func setChangesTheEffectiveLine() throws {
        let sb = try Sandbox("cfgtwice")
        let path = try write(sb, "[default]\nregion = a\n# later wins\nregion = b\n")
        try sb.ok(["config", "set", "region", "c"])
        #expect(try read(path) == "[default]\nregion = a\n# later wins\nregion = c\n")
        #expect(try sb.ok(["config", "get", "region"]).out == "c\n")
    }

    @Test("a file without a final line end, and a new file, come out well formed")
    func lineEnds() throws {
        let sb = try Sandbox("cfgends")
        let path = try write(sb, "# no final newline\n[default]\nregion = a")
        try sb.ok(["config", "set", "signature", "obs"])
        #expect(try read(path) == "# no final newline\n[default]\nregion = a\nsignature = obs\n")

        let fresh = try Sandbox("cfgfresh")
        try fresh.ok(["config", "set", "region", "cn-north-4", "--profile", "p"])
        let header = "# obsctl configuration (see README). Secrets live here: keep this file 0600.\n"
        #expect(try read(fresh.configHome + "/obsctl/config") == header + "\n[p]\nregion = cn-north-4\n")
    }

    @Test("a refused value leaves the file byte for byte as it was")
    func refusedValueChangesNothing() throws {
        let sb = try Sandbox("cfgrefused")
        let path = try write(sb, Self.handWritten)
        expectError(try sb.run(["config", "set", "signature", "v5", "--profile", "prod"]), 2, contains: ["signature"])
        expectError(try sb.run(["config", "set", "colour", "blue"]), 2, contains: ["unknown config key"])
        #expect(try read(path) == Self.handWritten)
    }

    @Test("a config file that is a symbolic link is written where it points; the link stays a link")
    func throughALink() throws {
        let sb = try Sandbox("cfglink")
        try FileManager.default.createDirectory(atPath: sb.configHome + "/obsctl", withIntermediateDirectories: true)
        let real = try sb.write("dotfiles/obsctl-config", Data(Self.handWritten.utf8), mode: 0o600)
        let link = sb.configHome + "/obsctl/config"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        try sb.ok(["config", "set", "region", "eu-west-101", "--profile", "prod"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == real)
        let text = try read(real)
        #expect(text.contains("eu-west-101") && text.contains("# the production endpoint"), "\(text)")
        // A link to nothing is refused, not replaced.
        try FileManager.default.removeItem(atPath: real)
        let r = try sb.run(["config", "set", "region", "x-1"])
        #expect(r.status == 12 && r.stderr.contains("symbolic link to nothing"), "\(r)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == real)
    }
}
