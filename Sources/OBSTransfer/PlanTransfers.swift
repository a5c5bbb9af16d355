import Foundation
import OBSCore

/// What `upload`, `download`, `cp`, `mv` and `rm` do, as a list of steps, decided before anything changes. Pure:
/// listings come in as arrays and the file system only through the closures given, so plans are tested in process.
public enum Planner {
    // MARK: Trees

    /// A bucket listing as entries below `prefix`. For a local side (`asLocalPaths`), console folder markers are
    /// left out, and so are keys that are no safe relative path (empty, '.' or '..' segments): those come back in
    /// `unsafe`, unless the filters exclude them anyway. Between prefixes every key is taken.
    public static func entries(
        _ objects: [ListedObject], below prefix: String, asLocalPaths: Bool,
        filter: Filter = .all
    ) -> (entries: [Entry], unsafe: [String], excluded: [String]) {
        var entries: [Entry] = []
        var unsafe: [String] = []
        var excluded: [String] = []
        for o in objects {
            guard let rel = KeyBytes.dropPrefix(o.key, prefix) else { continue }
            if asLocalPaths && KeyMapping.isFolderMarker(key: o.key, size: o.size) { continue }
            guard filter.includes(rel) else {
                excluded.append(rel)
                continue
            }
            guard !asLocalPaths || KeyMapping.safeRelativePath(key: o.key, prefix: prefix) != nil else {
                unsafe.append(o.key)
                continue
            }
            entries.append(Entry(name: rel, size: o.size, modified: o.modified))
        }
        return (entries, unsafe, excluded)
    }

    /// Splits off the entries whose names other entries use as a directory ("x" beside "x/y"): where objects
    /// become local files (download -r, a sync's downloads) such a name cannot be a file as well. Not on the
    /// listing a sync compares local files with: there both keys stay what they are.
    public static func splitShadowed(_ entries: [Entry]) -> (kept: [Entry], shadowed: [Entry]) {
        var directories = Set<ByteKey>()
        for e in entries {
            var name = e.name
            while true {
                let parent = LocalPath.parent(name)
                guard !parent.isEmpty, parent != "/", directories.insert(ByteKey(parent)).inserted else { break }
                name = parent  // its parents are in already when the insert above found it
            }
        }
        var kept: [Entry] = [], shadowed: [Entry] = []
        for e in entries {
            if directories.contains(ByteKey(e.name)) { shadowed.append(e) } else { kept.append(e) }
        }
        return (kept, shadowed)
    }

    /// Every entry of the tree at `source` to the same name below `destination`: the one mapping of recursive
    /// uploads, downloads and copies.
    public static func tree(_ entries: [Entry], from source: Endpoint, to destination: Endpoint) throws -> [PlanStep] {
        try entries.map {
            try PlanStep.transfer(
                try source.location(of: $0.name), try destination.location(of: $0.name), size: $0.size)
        }
    }

    /// Splits off the local entries whose key below `prefix` no object can have (longer than OBS allows), each to
    /// be refused alone, with the reason, instead of the whole plan. Only what `filter` takes is refused: an
    /// excluded entry stays in `kept`, for the filter to leave out as it does any other. The one rule of uploads,
    /// mv and sync.
    public static func splitUnkeyable(_ entries: [Entry], below prefix: String, filter: Filter = .all)
        -> (kept: [Entry], refused: [(name: String, error: OBSError)])
    {
        var kept: [Entry] = [], refused: [(name: String, error: OBSError)] = []
        for e in entries {
            guard filter.includes(e.name) else {  // never planned, so never keyed
                kept.append(e)
                continue
            }
            do {
                _ = try ObjectKey(prefix + e.name)
                kept.append(e)
            } catch {
                refused.append((e.name, error as? OBSError ?? OBSError.invalidArgument("\(error)")))
            }
        }
        return (kept, refused)
    }

    // MARK: Upload

    /// Which object each local source becomes. A key ending in `/`, several sources or --recursive mean a prefix,
    /// and each file lands under it by its name (a directory's files by their path below it). `isDirectory` and
    /// `files` (the regular files below a directory, relative) are the file system, for tests to stand in for.
    public static func upload(
        _ paths: [String], to destination: OBSURL, recursive: Bool, filter: Filter = .all,
        isDirectory: (String) -> Bool, files: (String) throws -> [Entry]
    ) throws -> Plan {
        var plan = Plan()
        let asPrefix =
            destination.path.isEmpty || KeyBytes.hasSuffix(destination.path, "/") || paths.count > 1 || recursive
        let prefixPath = KeyMapping.directoryPrefix(destination.path)
        let prefix = Endpoint.remote(OBSURL(bucket: destination.bucket, path: prefixPath))
        for path in paths {
            if OBSURL.isOBSURL(path) {
                throw OBSError.invalidArgument(
                    "\(path) is an object, not a local file: upload takes local files and one obs:// destination; "
                        + "copy objects with cp")
            }
            if path == "-" {  // stdin has no name to filter by
                guard !asPrefix else {
                    throw OBSError.invalidArgument(
                        "stdin ('-') needs a full object key as destination, "
                            + "e.g. obs://\(destination.bucket)/name")
                }
                plan.steps.append(
                    PlanStep(.upload, .file(path), .object(destination.bucket, try destination.objectKey())))
            } else if isDirectory(path) {
                guard recursive else {
                    throw OBSError.invalidArgument("\(path) is a directory; pass --recursive to upload its files")
                }
                let (keyable, refused) = splitUnkeyable(try files(path), below: prefixPath, filter: filter)
                plan.unkeyable += refused.map { (LocalPath.join(path, $0.name), $0.error) }
                let (taken, excluded) = split(keyable, filter)
                plan.excluded += excluded.map { LocalPath.join(path, $0.name) }
                plan.steps += try tree(taken, from: .local(path), to: prefix)
            } else if !filter.includes(KeyMapping.baseName(path)) {
                plan.excluded.append(path)
            } else if asPrefix {
                // One file of several whose key would be too long is left out alone, as one of a directory's is.
                let name = KeyMapping.baseName(path)
                let keyable = splitUnkeyable([Entry(name: name, size: 0, modified: Date())], below: prefixPath)
                if let refused = keyable.refused.first {
                    plan.unkeyable.append((path, refused.error))
                } else {
                    plan.steps.append(
                        PlanStep(.upload, .file(path), .object(destination.bucket, try ObjectKey(prefixPath + name))))
                }
            } else {
                plan.steps.append(
                    PlanStep(.upload, .file(path), .object(destination.bucket, try destination.objectKey())))
            }
        }
        try refuseSharedKeys(plan.steps)
        return plan
    }

    /// Two sources planned onto one object (`d1/f` and `d2/f` into one prefix) would overwrite each other, the one
    /// kept decided by timing: refused before anything is sent, naming both.
    static func refuseSharedKeys(_ steps: [PlanStep]) throws {
        var first: [ByteKey: Location] = [:]
        for step in steps {
            guard let destination = step.destination else { continue }
            let name = ByteKey(destination.description)
            if let earlier = first[name] {
                throw OBSError.invalidArgument(
                    "\(earlier) and \(step.source) would both be uploaded to \(destination); upload them to "
                        + "different prefixes, or one at a time")
            }
            first[name] = step.source
        }
    }

    // MARK: Download

    /// Which file each object becomes. Recursive: every object of `listing` below the prefix, at its path below
    /// `path`. Single: the object to `path`, or to its base name inside `path` when that is a directory
    /// (`pathIsDirectory`) or ends in `/`.
    public static func download(
        _ source: OBSURL, to path: String, recursive: Bool, filter: Filter = .all,
        listing: [ListedObject] = [], pathIsDirectory: Bool = false
    ) throws -> Plan {
        var plan = Plan()
        if recursive {
            guard path != "-" else {
                throw OBSError.invalidArgument("--recursive cannot write to stdout; name a directory")
            }
            let prefix = KeyMapping.directoryPrefix(source.path)
            let found = entries(listing, below: prefix, asLocalPaths: true, filter: filter)
            let files = splitShadowed(found.entries)
            plan.unsafeKeys = found.unsafe + files.shadowed.map { prefix + $0.name }
            plan.excluded = found.excluded.map { "obs://\(source.bucket)/\(prefix)\($0)" }
            plan.steps = try tree(
                files.kept, from: .remote(OBSURL(bucket: source.bucket, path: prefix)), to: .local(path))
            return plan
        }
        let key = try source.objectKey()
        guard filter.includes(KeyMapping.baseName(key.value)) else {
            plan.excluded = [source.description]
            return plan
        }
        var target = path
        if path != "-" && (KeyBytes.hasSuffix(path, "/") || pathIsDirectory) {
            let name = KeyMapping.baseName(key.value)
            guard KeyMapping.safeRelativePath(key: name, prefix: "") != nil, !KeyBytes.hasSuffix(key.value, "/") else {
                let folder =
                    KeyBytes.hasSuffix(key.value, "/")
                    ? " (a folder: pass --recursive (-r) to download what is under it)" : ""
                throw OBSError.invalidArgument(
                    "object key '\(key)' has no usable file name\(folder); "
                        + "name the destination file")
            }
            target = LocalPath.join(path, name)
        }
        plan.steps = [PlanStep(.download, .object(source.bucket, key), .file(target))]
        return plan
    }

    // MARK: Copy between objects

    /// Which object each object becomes. Recursive: every key below the source prefix to the same name below the
    /// destination prefix (never one inside the other in one bucket). Single: to the key, or to the base name
    /// under a destination ending in `/`. A move (`isMove`) of an object onto itself is refused, and so is a copy
    /// onto itself that changes nothing (`changes` false: no encryption or attribute named), as OBS
    /// and S3 refuse it.
    public static func copy(
        _ source: OBSURL, to destination: OBSURL, recursive: Bool, filter: Filter = .all,
        listing: [ListedObject] = [], isMove: Bool = false, changes: Bool = true
    ) throws -> Plan {
        var plan = Plan()
        if recursive {
            let from = KeyMapping.directoryPrefix(source.path)
            let to = KeyMapping.directoryPrefix(destination.path)
            try KeyMapping.refuseNestedPrefixes(source, from, destination, to)
            let found = entries(listing, below: from, asLocalPaths: false, filter: filter)
            plan.excluded = found.excluded.map { "obs://\(source.bucket)/\(from)\($0)" }
            plan.steps = try tree(
                found.entries, from: .remote(OBSURL(bucket: source.bucket, path: from)),
                to: .remote(OBSURL(bucket: destination.bucket, path: to)))
        } else {
            let key = try source.objectKey()
            guard filter.includes(KeyMapping.baseName(key.value)) else {
                plan.excluded = [source.description]
                return plan
            }
            let target =
                destination.path.isEmpty || KeyBytes.hasSuffix(destination.path, "/")
                ? try ObjectKey(destination.path + KeyMapping.baseName(key.value)) : try destination.objectKey()
            plan.steps = [PlanStep(.copy, .object(source.bucket, key), .object(destination.bucket, target))]
        }
        if let same = plan.steps.first(where: { $0.source == $0.destination }) {
            if isMove {
                throw OBSError.invalidArgument(
                    "cannot move \(same.source) onto itself; to change its encryption in place use cp")
            }
            if !changes {
                throw OBSError.invalidArgument(
                    "copying \(same.source) onto itself changes nothing; name a change (--sse, --sse-c-key-file, "
                        + "--content-type, --metadata, --cache-control...) or another destination")
            }
        }
        return plan
    }

    // MARK: Remove

    /// The objects `rm` deletes. Recursive: every key of `keys` below the prefix (a prefix means a folder:
    /// `rm obs://b/dir -r` never touches obs://b/dirt.tar). Single: the object named.
    public static func remove(
        _ target: OBSURL, recursive: Bool, filter: Filter = .all, keys: [ObjectKey] = []
    ) throws
        -> Plan
    {
        var plan = Plan()
        guard recursive else {
            let key = try target.objectKey()
            if filter.includes(KeyMapping.baseName(key.value)) {
                plan.steps = [PlanStep(.delete, .object(target.bucket, key), nil)]
            } else {
                plan.excluded = [target.description]
            }
            return plan
        }
        let prefix = KeyMapping.directoryPrefix(target.path)
        for key in keys {
            guard let rel = KeyBytes.dropPrefix(key.value, prefix) else { continue }
            let location = Location.object(target.bucket, key)
            if filter.includes(rel) {
                plan.steps.append(PlanStep(.delete, location, nil))
            } else {
                plan.excluded.append(location.description)
            }
        }
        return plan
    }

    // MARK: Shared

    /// The damaged entries of a listing that the filters take (one whose key is lost cannot be matched: it stays),
    /// so an excluded object's damage does not fail a command that never meant to touch it.
    public static func unreadable(
        _ entries: [UnreadableObject], below prefix: String, filter: Filter
    )
        -> [UnreadableObject]
    {
        entries.filter { e in
            e.key.map { KeyBytes.dropPrefix($0.value, prefix).map(filter.includes) ?? false } ?? true
        }
    }

    static func split(_ entries: [Entry], _ filter: Filter) -> (taken: [Entry], excluded: [Entry]) {
        guard !filter.isEmpty else { return (entries, []) }
        var taken: [Entry] = []
        var excluded: [Entry] = []
        for e in entries { if filter.includes(e.name) { taken.append(e) } else { excluded.append(e) } }
        return (taken, excluded)
    }
}
