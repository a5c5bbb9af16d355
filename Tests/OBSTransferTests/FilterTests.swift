import Foundation
import OBSCore
import OBSTransfer
import Testing

@Suite("Filter: --include / --exclude (aws semantics)")
struct FilterTests {
    func filter(_ rules: [(FilterRule.Kind, String)]) throws -> Filter {
        Filter(try rules.map { try FilterRule($0.0, $0.1) })
    }

    func matches(_ pattern: String, _ name: String) throws -> Bool { try GlobPattern(pattern).matches(name) }

    @Test("* matches across '/', ? one character, the whole name must match")
    func stars() throws {
        #expect(try matches("*.txt", "a.txt"))
        #expect(try matches("*.txt", "dir/sub/a.txt"), "aws: * crosses directories")
        #expect(try matches("dir/*", "dir/sub/a.bin"))
        #expect(try !matches("dir/*", "dirt/a.bin"))
        #expect(try !matches("*.txt", "a.txt.bak"), "anchored at the end")
        #expect(try !matches("a*", "ba"), "anchored at the start")
        #expect(try matches("a*b*c", "aXXbYYbZc"))
        #expect(try !matches("a*b*c", "aXXbYYbZ"))
        #expect(try matches("*", ""))
        #expect(try matches("**", "x/y"))
        #expect(try matches("?.log", "a.log"))
        #expect(try !matches("?.log", "ab.log"))
        #expect(try matches("?", "/"), "? matches '/' too, as fnmatch does")
        #expect(try matches("é?", "éü"), "one character is one Unicode scalar")
        #expect(try matches("a\\b", "a\\b"), "no escapes: a backslash is itself")
        #expect(try !matches("A.txt", "a.txt"), "case matters")
    }

    @Test("sets: [abc], ranges, [!...] negation, ']' first is literal")
    func sets() throws {
        #expect(try matches("[abc].txt", "b.txt"))
        #expect(try !matches("[abc].txt", "d.txt"))
        #expect(try matches("file[0-9]", "file7"))
        #expect(try !matches("file[0-9]", "filex"))
        #expect(try matches("[!a]*", "b.txt"))
        #expect(try !matches("[!a]*", "a.txt"))
        #expect(try matches("[]]", "]"))
        #expect(try matches("[!]]", "x"))
        #expect(try !matches("[!]]", "]"))
        #expect(try matches("[a-]", "-"), "a '-' before ']' is literal")
        #expect(try matches("[[]x", "[x"), "a literal '['")
        #expect(try matches("[*?]", "*") && matches("[*?]", "?") && !matches("[*?]", "a"))
    }

    @Test("a bad pattern is a usage error naming the option and the pattern")
    func badPatterns() throws {
        for text in ["[abc", "a[", "[!", "[]", "x[a-"] {
            let error = #expect(throws: OBSError.self) { try FilterRule(.include, text) }
            #expect(error?.category == .usage)
            #expect(error?.message.contains("--include pattern '\(text)'") == true, "\(String(describing: error))")
            #expect(error?.message.contains("never closed") == true)
        }
        let reversed = #expect(throws: OBSError.self) { try FilterRule(.exclude, "[z-a]") }
        #expect(reversed?.message.contains("--exclude pattern '[z-a]'") == true)
        #expect(reversed?.message.contains("reversed") == true)
    }

    @Test("no rule: everything is included; no match: included")
    func defaults() throws {
        #expect(Filter.all.includes("anything/at/all"))
        #expect(try filter([(.exclude, "*.tmp")]).includes("a.txt"))
        #expect(try filter([(.include, "*.txt")]).includes("a.bin"), "an --include alone excludes nothing (aws)")
    }

    @Test("the last matching rule decides, whichever option it is")
    func precedence() throws {
        let onlyText = try filter([(.exclude, "*"), (.include, "*.txt")])
        #expect(onlyText.includes("a.txt") && onlyText.includes("d/b.txt"))
        #expect(!onlyText.includes("a.bin"))
        let nothing = try filter([(.include, "*.txt"), (.exclude, "*")])
        #expect(!nothing.includes("a.txt") && !nothing.includes("a.bin"))
        let layered = try filter([(.exclude, "*"), (.include, "logs/*"), (.exclude, "logs/*.gz")])
        #expect(layered.includes("logs/a.log"))
        #expect(!layered.includes("logs/old/a.gz"))
        #expect(!layered.includes("src/a.log"))
        let unrelatedLast = try filter([(.exclude, "*.tmp"), (.include, "*.txt")])
        #expect(!unrelatedLast.includes("x.tmp"), "a later rule that does not match changes nothing")
    }

    @Test("a directory is left out whole only when every name below it is excluded, whatever follows")
    func excludesEverythingBelow() throws {
        let cases: [([(FilterRule.Kind, String)], String, Bool)] = [
            ([(.exclude, "secret/*")], "secret", true),
            ([(.exclude, "secret*")], "secret", true),
            ([(.exclude, "*")], "a/b", true),
            ([(.exclude, "**")], "a", true),
            ([(.exclude, "*/cache/*")], "home/cache", true),
            ([(.exclude, "s?cret/*")], "secret", true),
            ([(.exclude, "[rs]ecret/*")], "secret", true),
            ([(.exclude, "secret/*"), (.exclude, "secret/*.log")], "secret", true),
            ([(.exclude, "secret/*"), (.include, "other/*")], "secret", true),
            ([(.include, "secret/keep"), (.exclude, "secret/*")], "secret", true),
            ([], "secret", false),
            ([(.exclude, "secret")], "secret", false),  // the name itself, not what is below it
            ([(.exclude, "secret/*.log")], "secret", false),
            ([(.exclude, "secret/*"), (.include, "*.txt")], "secret", false),
            ([(.exclude, "secret/*"), (.include, "secret/keep")], "secret", false),
            ([(.exclude, "secret/*"), (.include, "s*/k*")], "secret", false),
            ([(.exclude, "secret/*")], "secrets", false),
            ([(.exclude, "secret/*")], "a/secret", false),
            ([(.exclude, "*.txt")], "secret", false),
            ([(.exclude, "[!s]*")], "secret", false),
        ]
        for (rules, dir, expected) in cases {
            #expect(try filter(rules).excludesEverything(below: dir) == expected, "\(rules) below \(dir)")
        }
        // Whatever it says, it agrees with `includes` for names below the directory.
        for (rules, dir, _) in cases {
            let f = try filter(rules)
            guard f.excludesEverything(below: dir) else { continue }
            for name in ["x", "keep", "k.txt", "a/b.log", "cache/x", ""] {
                #expect(!f.includes(dir + "/" + name), "\(rules): \(dir)/\(name)")
            }
        }
    }

    @Test("a name that is not UTF-8 is filtered by its escaped form relative to the walked directory")
    func unnamable() throws {
        let excludeAll = try filter([(.exclude, "*")])
        #expect(!excludeAll.includes(unnamable: "src/d/bad\\xff", below: "src"))
        let byName = try filter([(.exclude, "d/bad*")])
        #expect(!byName.includes(unnamable: "src/d/bad\\xff", below: "src/"))
        #expect(byName.includes(unnamable: "src/e/bad\\xff", below: "src"))
        #expect(byName.includes(unnamable: "other/d/bad\\xff", below: "src"), "not below: tested whole")
        #expect(excludeAll.includes(unnamable: "src/d/photos\\xff/", below: "src"), "a directory: always taken")
    }

    @Test("a long name against many stars stays fast (no exponential backtracking)")
    func pathological() throws {
        let name = String(repeating: "a", count: 5000)
        let pattern = try GlobPattern(String(repeating: "a*", count: 40) + "b")
        // The thread's CPU time, not the wall clock, which a loaded machine stretches.
        func cpuSeconds() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        let start = cpuSeconds()
        #expect(!pattern.matches(name))
        #expect(cpuSeconds() - start < 20, "backtracking takes far longer than this")
    }
}
