import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// Says "this process is writing into these object directories". A write names its directory here before its
/// first byte; if the process dies (kill -9, power loss), the next obsctl run finds the journal of a dead process
/// and sweeps the directories it names, so leftovers of an interrupted write are removed without scanning the
/// whole store.
///
/// One file per backend, `inflight/.tmp-<pid>-<random>`, created on the first write and flock'd for its whole life
/// (`AbandonedTemp`: alive whatever the pid says). A write appends a line pair (bucket, object directory); when no
/// write is in flight the file is cut to nothing, and an empty journal is removed at exit. Why not one marker file
/// per write, as before: creating and unlinking an inode per upload made inode allocation the largest CPU cost of
/// small uploads on ext4 without a journal (it steps over recently deleted inodes one by one), and it cost two
/// directory updates per upload everywhere.
///
/// `@unchecked Sendable`: the mutable state is touched only under `lock`.
final class InflightJournal: @unchecked Sendable {
    private let paths: LocalPaths
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var path = ""
    private var inFlight = 0

    init(paths: LocalPaths) { self.paths = paths }

    deinit {
        guard fd >= 0 else { return }
        Self.registry.remove(self)
        if inFlight == 0 { unlink(path) }
        close(fd)
    }

    /// One write in flight; `end` it once its directory holds only what its meta.json refers to (or was swept).
    struct Write {
        fileprivate let journal: InflightJournal
        func end() { journal.end() }
    }

    func begin(bucket: BucketName, objectDirectory: String) throws -> Write {
        let relative = String(objectDirectory.dropFirst(paths.root.count + 1))
        let line = Array("\(bucket.value)\n\(relative)\n".utf8)
        try lock.withLock {
            if fd < 0 { try create() }
            try line.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
            inFlight += 1
        }
        return Write(journal: self)
    }

    /// `begin`, for a delete: when the line finds no room (ENOSPC, EDQUOT: no block, no inode, a quota) it goes on
    /// unrecorded, as deleting is how space is freed. A crash between the delete's unlink and its sweep then leaves
    /// that object's data files, which the next write of the key sweeps: nothing stored is lost or torn. Any other
    /// failure stops the delete, as before.
    func beginUnlessFull(bucket: BucketName, objectDirectory: String) throws -> Write? {
        do { return try begin(bucket: bucket, objectDirectory: objectDirectory) } catch let error as OBSError
            where error.code == OBSError.storageFullCode
        {
            return nil
        }
    }

    private func end() {
        lock.withLock {
            inFlight -= 1
            // Every write named here is done: nothing to sweep after a crash from now on.
            if inFlight == 0 { _ = ftruncate(fd, 0) }
        }
    }

    private func create() throws {
        try FileIO.makeDirectories(paths.inflightDir)
        let candidate = FileIO.tempPath(in: paths.inflightDir)
        let opened = AbandonedTemp.create(candidate, flags: O_WRONLY | O_APPEND)
        guard opened >= 0 else { throw FileIO.ioError("create", candidate) }
        fd = opened
        path = candidate
        Self.registry.add(self)
        _ = Self.removeAtExit
    }

    // MARK: Exit

    /// The journals of this process, for the exit handler (backends are seldom released before exit).
    private final class Registry: @unchecked Sendable {  // `journals` is touched only under `lock`
        private let lock = NSLock()
        private var journals: [ObjectIdentifier: () -> InflightJournal?] = [:]
        func add(_ j: InflightJournal) { lock.withLock { journals[ObjectIdentifier(j)] = { [weak j] in j } } }
        func remove(_ j: InflightJournal) { lock.withLock { journals[ObjectIdentifier(j)] = nil } }
        func all() -> [InflightJournal] { lock.withLock { journals.values.compactMap { $0() } } }
    }
    private static let registry = Registry()

    /// Installed once: at exit, every journal with no write in flight is removed. One with a write in flight (an
    /// exit from a signal handler) stays for the next run to sweep.
    private static let removeAtExit: Void = {
        atexit {
            for journal in InflightJournal.registry.all() {
                journal.lock.withLock {
                    if journal.inFlight == 0 && journal.fd >= 0 { unlink(journal.path) }
                }
            }
        }
    }()

    // MARK: Interrupt

    /// For an interrupt, the process about to `_exit` with writes still running: removes this process's temporary
    /// files from every object directory its journals name, so that an upload of gigabytes cut short leaves none
    /// behind until the next run. Nothing else is touched (a data file renamed into place but not yet committed is
    /// the next run's to sweep, by its meta.json), and the journals stay for that sweep.
    static func removeTemporariesOfThisProcess() {
        let own = ".tmp-\(getpid())-"
        for journal in registry.all() {
            let (file, root) = journal.lock.withLock { (journal.fd >= 0 ? journal.path : nil, journal.paths.root) }
            guard let file else { continue }
            for (_, dir) in writes(inJournal: file, root: root) {
                for name in FileIO.listDirectory(dir) where name.hasPrefix(own) { unlink(dir + "/" + name) }
            }
        }
    }

    // MARK: Recovery

    /// Journals left by processes that no longer run, each with the (bucket, object directory) pairs it names.
    /// A marker file of an older obsctl (one pair) reads the same way.
    static func abandoned(_ paths: LocalPaths) -> [(journal: String, writes: [(BucketName, String)])] {
        let names = FileIO.listDirectory(paths.inflightDir).filter { FileIO.isAbandonedTemp($0, in: paths.inflightDir) }
        return names.map { name in
            let journal = paths.inflightDir + "/" + name
            return (journal, writes(inJournal: journal, root: paths.root))
        }
    }

    /// The (bucket, object directory) pairs the journal `file` names, each directory below `root`.
    private static func writes(inJournal file: String, root: String) -> [(BucketName, String)] {
        let text = (try? FileIO.readAll(file)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var writes: [(BucketName, String)] = []
        // Whole pairs only (newline included): one cut short was being appended when the process died, before its
        // write began.
        var i = 0
        while i + 2 < lines.count {
            if let bucket = try? BucketName(lines[i]), !lines[i + 1].isEmpty, !lines[i + 1].contains("..") {
                writes.append((bucket, root + "/" + lines[i + 1]))
            }
            i += 2
        }
        return writes
    }
}
