import Foundation
import Testing
@testable import ObsctlCLI

/// `obsctl --endpoint URL ls` works because global options are moved after the subcommand; the names moved are
/// read from `GlobalOptions` itself. These tests enumerate `GlobalOptions` independently (its stored properties)
/// so that an option the rewriting does not know fails here rather than in a user's script.
@Suite("argv rewriting of global options")
struct ArgumentRewritingTests {
    /// A value for every global option that takes one; a new option without one fails `everyOptionIsMoved`.
    static let values: [String: String] = [
        "--output": "json", "--progress": "none", "--endpoint": "http://127.0.0.1:9", "--region": "xx-test-1",
        "--profile": "p", "--signature": "v4", "--addressing": "path", "--ca-bundle": "/dev/null",
        "--retries": "2", "--timeout": "5", "--kms-endpoint": "https://kms.xx-test-1.example.com",
        "--project-id": "0123456789abcdef0123456789abcdef", "--iam-endpoint": "https://iam.xx-test-1.example.com",
    ]

    /// `--kebab-case` of each stored property of `GlobalOptions` (`caBundle` is `--ca-bundle`).
    static var declaredLongNames: Set<String> {
        Set(
            Mirror(reflecting: GlobalOptions()).children.compactMap { child in
                child.label.map { label in
                    let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                    return "--" + name.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
                }
            })
    }

    /// The parsed global options of a command line, as text (ArgumentParser's wrappers describe their values).
    static func parsedGlobals(_ args: [String]) throws -> String {
        let command = try Obsctl.parseAsRoot(GlobalArguments.movedAfterSubcommand(args))
        let stat = try #require(command as? Obsctl.Stat)
        return Mirror(reflecting: stat.global).children.map { "\($0.label ?? "")=\($0.value)" }.joined(separator: " ")
    }

    @Test("the rewriting's lists of global options are exactly GlobalOptions' declarations")
    func listsMatchTheDeclaration() {
        let declared = CommandNode.arguments(of: GlobalOptions.self)
        #expect(GlobalArguments.withValue == Set(declared.filter(\.takesValue).flatMap(\.spellings)))
        #expect(
            GlobalArguments.flags
                == Set(declared.filter { $0.kind == "flag" }.flatMap(\.spellings))
                .subtracting(["-h", "--help", "--version"]))
    }

    @Test("every property of GlobalOptions is a global option the rewriting knows")
    func everyPropertyKnown() {
        let known = GlobalArguments.withValue.union(GlobalArguments.flags)
        let declared = Self.declaredLongNames
        #expect(declared.count >= 13, "\(declared)")
        #expect(declared.subtracting(known).isEmpty, "not moved: \(declared.subtracting(known).sorted())")
        #expect(known.contains("-q"), "short forms are moved too: \(known.sorted())")
    }

    @Test("every spelling, long and short, with its value separate or after '=', is moved after the subcommand")
    func everyOptionIsMoved() throws {
        let plain = try Self.parsedGlobals(["stat", "obs://bkt/k"])
        for flag in GlobalArguments.flags.sorted() {
            #expect(
                GlobalArguments.movedAfterSubcommand([flag, "stat", "obs://bkt/k"])
                    == ["stat", "obs://bkt/k", flag])
            let before = try Self.parsedGlobals([flag, "stat", "obs://bkt/k"])
            #expect(before == (try Self.parsedGlobals(["stat", "obs://bkt/k", flag])) && before != plain, "\(flag)")
        }
        for name in GlobalArguments.withValue.sorted() {
            let value = try #require(Self.values[name], "no test value for \(name)")
            #expect(
                GlobalArguments.movedAfterSubcommand([name, value, "stat", "obs://bkt/k"])
                    == ["stat", "obs://bkt/k", name, value])
            #expect(
                GlobalArguments.movedAfterSubcommand(["\(name)=\(value)", "stat", "obs://bkt/k"])
                    == ["stat", "obs://bkt/k", "\(name)=\(value)"])
            let before = try Self.parsedGlobals([name, value, "stat", "obs://bkt/k"])
            #expect(
                before == (try Self.parsedGlobals(["stat", "obs://bkt/k", name, value])) && before != plain,
                "\(name)")
        }
    }

    @Test("words that are no global option stay where they are")
    func othersStay() {
        for args in [["stat", "obs://bkt/k", "-q"], ["--recursive", "ls"], ["ls", "--output", "json"], []] {
            #expect(GlobalArguments.movedAfterSubcommand(args) == args, "\(args)")
        }
        // A value-taking option at the very end has no value to carry: left for the parser to report.
        #expect(GlobalArguments.movedAfterSubcommand(["--profile"]) == ["--profile"])
        // Words after `--` are arguments: the moved options go before it.
        #expect(
            GlobalArguments.movedAfterSubcommand(["--profile", "p", "-q", "upload", "--", "-r.pdf", "obs://b/"])
                == ["upload", "--profile", "p", "-q", "--", "-r.pdf", "obs://b/"])
    }

    @Test("the options refused when given twice are exactly those that pick a method or key, as declared")
    func onceOnlyOptionsMatchTheDeclarations() {
        let declared = Set(
            [SSEOptions.self, CustomerKeyOptions.self, SourceCustomerKeyOptions.self, Obsctl.KMS.Key.Create.self]
                .flatMap { CommandNode.arguments(of: $0) }.filter(\.takesValue).flatMap(\.spellings)
        ).subtracting(GlobalArguments.withValue)
        #expect(OnceOnlyOptions.spellings == declared)
        #expect(OnceOnlyOptions.firstConflict(in: ["upload", "a", "obs://bkt/a", "--sse", "obs", "--sse=kms"]) != nil)
        #expect(OnceOnlyOptions.firstConflict(in: ["upload", "--", "--sse", "obs", "--sse", "kms"]) == nil)
        #expect(
            OnceOnlyOptions.firstConflict(in: ["upload", "a", "obs://bkt/a", "--sse", "obs", "--sse", "obs"]) == nil)
    }
}
