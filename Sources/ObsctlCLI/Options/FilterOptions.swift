import ArgumentParser
import Foundation
import OBSCore
import OBSTransfer

/// `--include` / `--exclude` of the commands that take several files or objects (see `Filter` for the rules).
struct FilterOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Take names matching this glob (repeatable; the last matching --include or --exclude "
                + "decides). Names are relative to the source directory or prefix; * matches across "
                + "'/', ? one character, [abc] [a-z] [!abc] one of a set.", valueName: "pattern"),
        transform: { FilterArgument(.include, $0) })
    var include: [FilterArgument] = []
    @Option(
        help: ArgumentHelp(
            "Leave out names matching this glob (repeatable; see --include).",
            valueName: "pattern"),
        transform: { FilterArgument(.exclude, $0) })
    var exclude: [FilterArgument] = []

    /// A bad pattern is refused before anything is read or changed.
    func validate() throws {
        do { _ = try filter() } catch let e as OBSError { throw ValidationError(e.message) }
    }

    /// The rules in command-line order, whichever option each came from.
    func filter() throws -> Filter {
        Filter(try (include + exclude).sorted { $0.order < $1.order }.map { try FilterRule($0.kind, $0.text) })
    }
}

/// One `--include` or `--exclude` value and its place on the command line. ArgumentParser keeps the two options
/// in separate arrays, yet which came last decides; it calls transforms in command-line order, so each value is
/// numbered as it is parsed.
struct FilterArgument {
    let kind: FilterRule.Kind
    let text: String
    let order: Int

    init(_ kind: FilterRule.Kind, _ text: String) {
        self.kind = kind
        self.text = text
        order = Self.counter.next()
    }

    private static let counter = Counter()

    /// The lock makes the shared count safe to bump from any thread.
    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }
}
