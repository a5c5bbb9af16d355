import Foundation
import OBSCore
import OBSTransfer
import Testing

@Suite("Planner.sync: the comparison, --size-only, --delete, filters, each direction")
struct PlanSyncTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)
    let local = Endpoint.local("dir")
    var remote: Endpoint { .remote(try! OBSURL("obs://bkt/p/")) }

    func e(_ name: String, _ size: Int64, _ offset: TimeInterval = 0) -> Entry {
        Entry(name: name, size: size, modified: t0.addingTimeInterval(offset))
    }
    func names(_ steps: [PlanStep], _ op: PlanStep.Operation) -> [String] {
        steps.filter { $0.operation == op }.map { step in
            let where_ = op == .delete ? step.source : step.destination!
            return where_.description
        }
    }
    func filter(_ rules: [(FilterRule.Kind, String)]) throws -> Filter {
        Filter(try rules.map { try FilterRule($0.0, $0.1) })
    }

    @Test("missing, other size, or newer by a whole second is sent; the same second or older is not")
    func comparison() throws {
        let source = [
            e("new", 1), e("size", 2), e("newer", 3, 1.2), e("same-second", 3, 0.9), e("older", 3, -50),
            e("equal", 4),
        ]
        let destination = [e("size", 5), e("newer", 3), e("same-second", 3, 0.1), e("older", 3), e("equal", 4)]
        let steps = try Planner.sync(from: local, source, to: remote, destination)
        #expect(names(steps, .upload) == ["obs://bkt/p/new", "obs://bkt/p/newer", "obs://bkt/p/size"])
        #expect(names(steps, .delete).isEmpty, "no --delete, no deletion")
        let sizeOnly = try Planner.sync(from: local, source, to: remote, destination, rules: SyncRules(sizeOnly: true))
        #expect(names(sizeOnly, .upload) == ["obs://bkt/p/new", "obs://bkt/p/size"])
    }

    @Test("--delete removes what the source lacks; an empty source with --delete is refused")
    func deletions() throws {
        let steps = try Planner.sync(
            from: local, [e("a", 1)], to: remote, [e("a", 1), e("x/old", 2), e("b", 3)],
            rules: SyncRules(delete: true))
        #expect(names(steps, .delete) == ["obs://bkt/p/b", "obs://bkt/p/x/old"])
        #expect(steps.last?.destination == nil)
        let refused = #expect(throws: OBSError.self) {
            try Planner.sync(from: local, [], to: remote, [e("a", 1)], rules: SyncRules(delete: true))
        }
        #expect(refused?.message.contains("holds nothing") == true)
        #expect(try Planner.sync(from: local, [], to: remote, [], rules: SyncRules(delete: true)).isEmpty)
        // A source that holds files the filters all leave out: the filters are named, and the count is theirs.
        let rules = SyncRules(delete: true, filter: try filter([(.exclude, "*"), (.include, "*.bak")]))
        let filtered = #expect(throws: OBSError.self) {
            try Planner.sync(from: local, [e("a.txt", 1)], to: remote, [e("old.bak", 1), e("b.txt", 1)], rules: rules)
        }
        let message = filtered?.message ?? ""
        #expect(!message.contains("holds nothing") && message.contains("the filters take nothing"), "\(message)")
        #expect(message.contains("remove the 1 they take") && message.contains("same filters"), "\(message)")
    }

    @Test("--delete keeps what lies as or under a name the source holds as no file (a link to a directory, a FIFO)")
    func passedOverNamesKept() throws {
        var rules = SyncRules(delete: true)
        rules.kept = ["assets", "pipe", "d/dangling"]
        let destination = [
            e("assets/app.css", 1), e("assets", 1), e("pipe", 1), e("d/dangling", 1), e("d/dangling2", 1),
            e("assetsX", 1), e("gone", 1),
        ]
        let steps = try Planner.sync(from: local, [e("a", 1)], to: remote, destination, rules: rules)
        #expect(names(steps, .delete) == ["obs://bkt/p/assetsX", "obs://bkt/p/d/dangling2", "obs://bkt/p/gone"])
    }

    @Test("--delete keeps only the name itself of a key no file can have beside the keys under it")
    func shadowedNamesKeptExactly() throws {
        var rules = SyncRules(delete: true)
        rules.keptExactly = ["col"]
        let remoteSource = Endpoint.remote(try OBSURL("obs://bkt/p/"))
        let destination = [e("col/in", 1), e("col/stale.txt", 1), e("col", 1), e("colX", 1)]
        let steps = try Planner.sync(from: remoteSource, [e("col/in", 1)], to: local, destination, rules: rules)
        #expect(names(steps, .delete) == ["dir/col/stale.txt", "dir/colX"])
    }

    @Test("filters: an excluded source name is not sent, an excluded destination name never deleted")
    func filtered() throws {
        let rules = SyncRules(delete: true, filter: try filter([(.exclude, "*.tmp"), (.exclude, "keep/*")]))
        let steps = try Planner.sync(
            from: local, [e("a.txt", 1), e("b.tmp", 2), e("keep/new", 3)], to: remote,
            [e("old.txt", 1), e("c.tmp", 2), e("keep/x", 3)], rules: rules)
        #expect(names(steps, .upload) == ["obs://bkt/p/a.txt"])
        #expect(names(steps, .delete) == ["obs://bkt/p/old.txt"], "c.tmp and keep/x are excluded, so kept")
        // A source the filters empty counts as empty for the --delete guard.
        #expect(throws: OBSError.self) {
            try Planner.sync(from: local, [e("b.tmp", 1)], to: remote, [e("z", 1)], rules: rules)
        }
        let include = SyncRules(delete: true, filter: try filter([(.exclude, "*"), (.include, "*.txt")]))
        let only = try Planner.sync(
            from: local, [e("a.txt", 1), e("b.bin", 1)], to: remote,
            [e("c.txt", 1), e("d.bin", 1)], rules: include)
        #expect(names(only, .upload) == ["obs://bkt/p/a.txt"] && names(only, .delete) == ["obs://bkt/p/c.txt"])
    }

    /// `step` planned where the destination's listing had nothing of its name.
    private func free(_ step: PlanStep) -> PlanStep {
        var step = step
        step.destinationWasFree = true
        return step
    }

    @Test("each direction gets its operation and locations")
    func directions() throws {
        let up = try Planner.sync(from: local, [e("s/a", 1)], to: remote, [])
        #expect(
            up == [
                free(
                    PlanStep(.upload, .file("dir/s/a"), .object(try BucketName("bkt"), try ObjectKey("p/s/a")), size: 1)
                )
            ])
        let down = try Planner.sync(
            from: remote, [e("s/a", 1)], to: local, [e("gone", 1)], rules: SyncRules(delete: true))
        #expect(
            down == [
                free(
                    PlanStep(
                        .download, .object(try BucketName("bkt"), try ObjectKey("p/s/a")), .file("dir/s/a"), size: 1)
                ),
                PlanStep(.delete, .file("dir/gone"), nil),
            ])
        let other = Endpoint.remote(try OBSURL("obs://cbk"))
        let copy = try Planner.sync(from: remote, [e("k", 2)], to: other, [])
        #expect(
            copy == [
                free(
                    PlanStep(
                        .copy, .object(try BucketName("bkt"), try ObjectKey("p/k")),
                        .object(try BucketName("cbk"), try ObjectKey("k")), size: 2))
            ])
        // A name the destination has (changed) is replaced: not free.
        let changed = try Planner.sync(from: remote, [e("s/a", 2)], to: local, [e("s/a", 1)])
        #expect(changed.count == 1 && !changed[0].destinationWasFree)
        #expect(throws: OBSError.self) { try Planner.sync(from: local, [e("a", 1)], to: .local("other"), []) }
    }

    @Test("listings become entries: folder markers and unsafe keys only on a local side; filters before safety")
    func listingEntries() {
        let objects = [
            ListedObject(key: "p/", size: 0, modified: t0), ListedObject(key: "p/a", size: 1, modified: t0),
            ListedObject(key: "p/../x", size: 1, modified: t0), ListedObject(key: "p/d/", size: 0, modified: t0),
        ]
        let asPaths = Planner.entries(objects, below: "p/", asLocalPaths: true)
        #expect(asPaths.entries.map(\.name) == ["a"] && asPaths.unsafe == ["p/../x"])
        let asKeys = Planner.entries(objects, below: "p/", asLocalPaths: false)
        #expect(asKeys.entries.map(\.name) == ["", "a", "../x", "d/"] && asKeys.unsafe.isEmpty)
        let filtered = Planner.entries(
            objects, below: "p/", asLocalPaths: true,
            filter: Filter([try! FilterRule(.exclude, "../*")]))
        #expect(filtered.unsafe.isEmpty && filtered.excluded == ["../x"])
    }

    @Test("a key that other keys use as a directory cannot be a file too: left out as unsafe on a local side")
    func shadowedKeys() throws {
        let objects = ["p/x", "p/x/y", "p/a/b/c", "p/a", "p/a/b2", "p/xy", "p/z/w"].map {
            ListedObject(key: $0, size: 1, modified: t0)
        }
        let split = Planner.splitShadowed(Planner.entries(objects, below: "p/", asLocalPaths: true).entries)
        #expect(split.kept.map(\.name) == ["x/y", "a/b/c", "a/b2", "xy", "z/w"])
        #expect(split.shadowed.map(\.name) == ["x", "a"])
        // A download plans no file for them and lists their keys as unsafe.
        let plan = try Planner.download(
            OBSURL("obs://bkt/p/"), to: "out", recursive: true, listing: objects)
        #expect(Set(plan.unsafeKeys) == ["p/x", "p/a"] && plan.steps.count == 5)
        // The listing a sync compares local files with keeps both.
        #expect(Planner.entries(objects, below: "p/", asLocalPaths: true).entries.count == objects.count)
    }
}
