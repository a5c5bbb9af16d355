import Foundation
import OBSCore

/// One end of a transfer: a local path (`-` is stdin or stdout) or an obs:// location on either backend. The
/// local file system is one more endpoint, so one planner serves every direction.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case local(String)
    case remote(OBSURL)

    public init(_ text: String) throws {
        self = OBSURL.isOBSURL(text) ? .remote(try OBSURL(text)) : .local(text)
    }

    public var description: String {
        switch self {
        case .local(let path): return path
        case .remote(let url): return url.description
        }
    }

    /// Where `name` (relative, `/` between segments) lies below this endpoint taken as a directory or prefix.
    /// An empty directory is refused: it names none, and `-` joined to it would be stdin or stdout.
    public func location(of name: String) throws -> Location {
        switch self {
        case .local(let dir):
            guard !dir.isEmpty else { throw OBSError.emptyPath }
            return .file(LocalPath.join(dir, name))
        case .remote(let url): return .object(url.bucket, try ObjectKey(KeyMapping.directoryPrefix(url.path) + name))
        }
    }
}

/// Where one step reads or writes one item.
public enum Location: Hashable, Sendable, CustomStringConvertible {
    /// A local file; `-` is stdin (a source) or stdout (a destination).
    case file(String)
    case object(BucketName, ObjectKey)

    public var description: String {
        switch self {
        case .file(let path): return path
        case .object(let bucket, let key): return "obs://\(bucket)/\(key.value)"
        }
    }

    public var path: String? { if case .file(let p) = self { return p } else { return nil } }
    public var key: ObjectKey? { if case .object(_, let k) = self { return k } else { return nil } }
}

/// One file or object in a listing, by name relative to the directory or prefix listed.
public struct Entry: Hashable, Sendable {
    public var name: String
    public var size: Int64
    public var modified: Date

    public init(name: String, size: Int64, modified: Date) {
        self.name = name
        self.size = size
        self.modified = modified
    }
}

/// One object of a bucket listing, as the planner needs it (the CLI maps `ObjectInfo` to it).
public struct ListedObject: Hashable, Sendable {
    public var key: String
    public var size: Int64
    public var modified: Date

    public init(key: String, size: Int64, modified: Date) {
        self.key = key
        self.size = size
        self.modified = modified
    }
    public init(_ info: ObjectInfo) { self.init(key: info.key.value, size: info.size, modified: info.lastModified) }
}

/// One thing to do. A transfer reads `source` and writes `destination`; a deletion removes `source`.
public struct PlanStep: Hashable, Sendable {
    public enum Operation: String, Sendable {
        case upload, download, copy, delete
    }

    public var operation: Operation
    public var source: Location
    public var destination: Location?
    /// Bytes to move, when known before the transfer (listings know it; a single file or object may not).
    public var size: Int64?
    /// The destination's listing had nothing of this name (sync): a local file found there when it is written is
    /// not replaced. On a file system that folds case, it is the file of another name (`notes.txt` for `Notes.TXT`),
    /// which the same sync's --delete would then remove, taking the new download with it.
    public var destinationWasFree = false

    public init(_ operation: Operation, _ source: Location, _ destination: Location?, size: Int64? = nil) {
        self.operation = operation
        self.source = source
        self.destination = destination
        self.size = size
    }

    /// The operation between two locations: files are never copied to files (that is cp(1)'s job).
    static func transfer(_ source: Location, _ destination: Location, size: Int64?) throws -> PlanStep {
        switch (source, destination) {
        case (.file, .object): return PlanStep(.upload, source, destination, size: size)
        case (.object, .file): return PlanStep(.download, source, destination, size: size)
        case (.object, .object): return PlanStep(.copy, source, destination, size: size)
        case (.file, .file):
            throw OBSError.invalidArgument("neither '\(source)' nor '\(destination)' is an obs:// address")
        }
    }
}

/// What a command will do, and what it leaves out and why.
public struct Plan: Sendable {
    public var steps: [PlanStep] = []
    /// Local names that are not UTF-8 (escaped): no object key can name them, so they are skipped.
    public var invalidNames: [String] = []
    /// Keys that are no safe relative path below the local destination, so they are skipped.
    public var unsafeKeys: [String] = []
    /// Sources the filters left out, by name; a command over one source says so rather than doing nothing silently.
    public var excluded: [String] = []
    /// Local files named on the command line whose key would be no object key (too long), with why: each refused
    /// alone, the others planned.
    public var unkeyable: [(path: String, error: OBSError)] = []

    public init(steps: [PlanStep] = []) { self.steps = steps }
}

extension PlanStep {
    /// An upload's file and object; nil for any other step.
    public var asUpload: (path: String, bucket: BucketName, key: ObjectKey)? {
        guard case .file(let path) = source, case .object(let bucket, let key)? = destination else { return nil }
        return (path, bucket, key)
    }

    /// A download's object and file; nil for any other step.
    public var asDownload: (bucket: BucketName, key: ObjectKey, path: String)? {
        guard case .object(let bucket, let key) = source, case .file(let path)? = destination else { return nil }
        return (bucket, key, path)
    }

    /// A copy's source key and destination key (the buckets are the command's); nil for any other step.
    public var asCopy: (from: ObjectKey, to: ObjectKey)? {
        guard case .object(_, let from) = source, case .object(_, let to)? = destination else { return nil }
        return (from, to)
    }
}
