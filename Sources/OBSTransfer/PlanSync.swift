import Foundation
import OBSCore

/// How `sync` compares the two sides.
public struct SyncRules: Sendable {
    /// Compare sizes only, not times.
    public var sizeOnly: Bool
    /// Remove from the destination what the source does not hold.
    public var delete: Bool
    public var filter: Filter
    /// Names the source holds as something that is no file (a link to a directory, a FIFO): what the destination
    /// holds under them, or as them, is not extra, and --delete keeps it.
    public var kept: [String] = []
    /// Names the source holds that no file can have here, as nothing below them is passed over (a key "x" beside
    /// keys under "x/", which are compared as usual): --delete keeps what the destination holds as them, only.
    public var keptExactly: [String] = []

    public init(sizeOnly: Bool = false, delete: Bool = false, filter: Filter = .all) {
        self.sizeOnly = sizeOnly
        self.delete = delete
        self.filter = filter
    }
}

extension Planner {
    /// What `sync` does, whatever the direction: the transfers (by name) and then, with --delete, the deletions
    /// (by name). A name is transferred when the destination lacks it, holds it at another size or (unless
    /// --size-only) older. Times are compared in whole seconds, as servers keep them: a file written in the second
    /// of its upload is not newer than its object. Sizes and times only, never ETags, which are no checksum for
    /// encrypted or multipart objects.
    ///
    /// The filters apply to both sides, so a name they exclude is neither transferred nor deleted. An empty source
    /// with --delete is refused: more likely an unmounted disk or a wrong path than a wish to empty the destination
    /// (which `rm --recursive` says plainly).
    public static func sync(
        from source: Endpoint, _ sourceEntries: [Entry], to destination: Endpoint,
        _ destinationEntries: [Entry], rules: SyncRules = SyncRules()
    ) throws -> [PlanStep] {
        let here = split(sourceEntries, rules.filter).taken
        // Names compare as bytes (`ByteKey`): an NFC and an NFD spelling of one name are two names.
        var there: [ByteKey: Entry] = [:]
        for e in split(destinationEntries, rules.filter).taken { there[ByteKey(e.name)] = e }
        let seconds = { (d: Date) in d.timeIntervalSince1970.rounded(.down) }
        let transfer = here.sorted { ByteKey($0.name) < ByteKey($1.name) }.filter { e in
            guard let other = there[ByteKey(e.name)] else { return true }
            return other.size != e.size || (!rules.sizeOnly && seconds(e.modified) > seconds(other.modified))
        }
        var remove: [String] = []
        if rules.delete {
            let names = Set(here.map { ByteKey($0.name) })
            let kept = rules.kept, keptExactly = rules.keptExactly
            remove = there.keys.filter { name in
                !names.contains(name)
                    && !kept.contains { KeyBytes.equal(name.value, $0) || KeyBytes.hasPrefix(name.value, $0 + "/") }
                    && !keptExactly.contains { KeyBytes.equal(name.value, $0) }
            }.sorted().map(\.value)
        }
        if here.isEmpty && !remove.isEmpty {
            if sourceEntries.isEmpty {
                throw OBSError.invalidArgument(
                    "\(source) holds nothing, so --delete would remove all \(remove.count) "
                        + "under \(destination); check the source, or empty the destination with "
                        + "rm --recursive")
            }
            throw OBSError.invalidArgument(
                "the filters take nothing from \(source), so --delete would remove the \(remove.count) they take "
                    + "under \(destination); check the filters, or remove those with rm --recursive and the same "
                    + "filters")
        }
        var steps = try tree(transfer, from: source, to: destination)
        for (i, e) in transfer.enumerated() where there[ByteKey(e.name)] == nil { steps[i].destinationWasFree = true }
        return try steps
            + remove.map { PlanStep(.delete, try destination.location(of: $0), nil) }
    }
}
