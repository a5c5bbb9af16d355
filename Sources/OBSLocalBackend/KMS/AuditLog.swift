import Foundation
import OBSCore
import OBSCrypto
import OBSTime
#if canImport(Glibc)
import Glibc
#endif

/// `kms/audit.log`: one JSON object per line for every KMS operation, allowed or denied. Never holds key
/// material: only operation, key id, action, outcome and a short detail.
///
/// Fail closed: a line is written before the operation takes effect (before a key record is committed, before a
/// data key is returned), and an operation whose line cannot be written does not happen.
///
/// Tamper-evident: each line carries `seq` (1, 2, ...) and `mac` = HMAC(chain key, previous mac ‖ canonical
/// fields), the chain key derived from the root key. `kms/audit.head` holds the seq and mac of the line of the last
/// key change (create, enable, disable, deletion), written after that line is fsynced: cutting the log before it
/// is caught, by `verify` and by the next append. Lines of data-key operations after the last key change can be
/// cut without detection (they are not fsynced one by one, and an anchor per upload would cost two fsyncs).
/// Lines without `seq`/`mac` (logs from before the chain) are accepted only as a prefix, reported as unverified;
/// the first chained line records how many there were (`prefix_lines`), so lines added before the chain later, or
/// cut from that prefix, are caught too.
/// The head's seq is also kept in `anchor`, a state file outside the store: removing audit.head and cutting the
/// log (or replacing it with unchained lines) is caught too.
struct AuditLog: Sendable {
    let path: String
    let headPath: String
    let anchor: StateManifest?
    static let anchorEntry = "audit/seq"
    let chainKey: @Sendable () throws -> SecretBytes
    let heads = ParsedFileCache<Link>(limit: 1)
    let lastAppend = LastAppend()

    static func chainKey(root: SecretBytes) -> SecretBytes {
        HKDF.sha256(key: root, info: Array("obsctl/v1/audit-chain".utf8))
    }

    struct Link: Sendable { var seq: Int; var mac: String }

    /// Where this process's last append left the log: its file (device, inode), its size after the line, the
    /// line's link. An append that finds the same file at that size (under the flock) takes the link from here
    /// instead of reading the tail back and parsing it, which was a fifth of an append's CPU in `obsctl serve`.
    /// Safe: appends only grow the log and cuts only remove a torn line past the last complete one, so no other
    /// writer leaves it at this size; a same-size edit by hand is still caught by `verify`, since the next line's
    /// MAC chains to the link kept here, not to the edited line.
    final class LastAppend: @unchecked Sendable {  // `kept` is touched only under `lock`
        private let lock = NSLock()
        private var kept: (device: UInt64, inode: UInt64, size: Int64, link: Link)?

        func link(device: UInt64, inode: UInt64, size: Int64) -> Link? {
            lock.withLock {
                guard let k = kept, k.device == device, k.inode == inode, k.size == size else { return nil }
                return k.link
            }
        }

        func keep(device: UInt64, inode: UInt64, size: Int64, link: Link?) {
            lock.withLock { kept = link.map { (device, inode, size, $0) } }
        }
    }

    /// Appends one line under an exclusive flock on the log. `durable`: fsync the line and move the head to it
    /// (key changes); otherwise the line is written but not fsynced (data keys, listings, denials).
    func record(
        operation: String, keyID: String?, action: KMSAction?, outcome: String, detail: String? = nil,
        durable: Bool = false
    ) throws {
        var entry: [String: String] = [
            "time": Timestamps.rfc3339(LocalClock.now()), "operation": operation,
            "outcome": outcome,
        ]
        if let keyID { entry["key_id"] = keyID }
        if let action { entry["action"] = action.rawValue }
        if let detail { entry["detail"] = detail }
        let key = try chainKey()
        let (fd, device, inode) = try openLog()
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw FileIO.ioError("lock", path) } }
        let end = lseek(fd, 0, SEEK_END)
        guard end >= 0 else { throw FileIO.ioError("seek in", path) }
        // A partial last line is the torn write of a process that died mid-append (kill -9, a file-size limit):
        // that operation did not happen. Cut it, once the complete lines before it are shown to reach the head
        // (a line the head records was fsynced whole, so a cut inside it is still caught), and note the cut.
        let size: Int64
        let last: Link?
        if let kept = lastAppend.link(device: device, inode: inode, size: Int64(end)) {
            (size, last) = (Int64(end), kept)
        } else {
            size = try completeLength(fd, size: Int64(end))
            last = try lastLink(fd, size: size)
        }
        try checkAgainstHead(last)
        var lines: [[String: String]] = []
        if size < Int64(end) {
            lines.append([
                "time": entry["time"]!, "operation": "audit-repair", "outcome": "ok",
                "detail": "cut a partial last line of \(Int64(end) - size) bytes (an interrupted append)",
            ])
        }
        lines.append(entry)
        var previous = last
        var line: [UInt8] = []
        for var e in lines {
            if previous == nil { e["prefix_lines"] = String(try countLines(fd, size: size)) }
            e["seq"] = String((previous?.seq ?? 0) + 1)
            e["mac"] = Self.mac(key: key, previous: previous?.mac ?? "", entry: e)
            line += Self.jsonObject(e)
            line.append(0x0A)
            previous = Link(seq: Int(e["seq"]!)!, mac: e["mac"]!)
            entry = e
        }
        if size < Int64(end), ftruncate(fd, off_t(size)) != 0 { throw FileIO.ioError("cut the partial line of", path) }
        do {
            try line.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
            if durable { let e = GroupSync.shared.sync(fd); if e != 0 { throw FileIO.ioError("fsync", path, e) } }
            lastAppend.keep(device: device, inode: inode, size: size + Int64(line.count), link: previous)
        } catch {
            lastAppend.keep(device: device, inode: inode, size: -1, link: nil)
            _ = ftruncate(fd, off_t(size))  // no partial line: the next append must find the chain's end
            throw OBSError.localIO(
                "cannot write the KMS audit log \(path) "
                    + "(\((error as? OBSError)?.message ?? "\(error)")); "
                    + "the KMS operation was not performed: free space or raise the file size limit")
        }
        if durable, let seq = Int(entry["seq"]!), let mac = entry["mac"] {
            try writeHead(Link(seq: seq, mac: mac), key: key)
            try anchor?.raise(Self.anchorEntry, to: UInt64(seq))
        }
    }

    /// The log, opened for appending, with its device and inode.
    private func openLog() throws -> (fd: Int32, device: UInt64, inode: UInt64) {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            if errno == ENOENT { try FileIO.makeDirectories(LocalPath.parent(path)); return try openLog() }
            let e = errno
            let what = e == EISDIR ? "is a directory" : e == ELOOP ? "is a symbolic link" : OBSError.reason(e)
            throw OBSError.configuration(
                "KMS audit log \(path) \(what); KMS operations are refused until "
                    + "it can be written: move it away and restore a regular file")
        }
        var st = stat()
        if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            throw OBSError.configuration(
                "KMS audit log \(path) is not a regular file; KMS operations are "
                    + "refused until it can be written: move it away")
        }
        return (fd, UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// `entry` as one JSON object, keys sorted. Written by hand: Foundation's JSONSerialization was 5% of a
    /// small SSE-KMS PUT's CPU in `obsctl serve`, for a flat object of a few strings.
    static func jsonObject(_ entry: [String: String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, key) in entry.keys.sorted().enumerated() {
            JSONText.appendName(key, first: i == 0, to: &out)
            JSONText.appendString(entry[key]!, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func mac(key: SecretBytes, previous: String, entry: [String: String]) -> String {
        var w = CanonicalWriter(label: "obsctl/v1/audit-line")
        w.append(previous)
        w.append(entry.filter { $0.key != "mac" })
        return Base64.encode(HMAC.sha256(key: key, data: w.bytes))
    }

    /// The length of the log up to and including its last newline (the whole size when it ends in one).
    private func completeLength(_ fd: Int32, size: Int64) throws -> Int64 {
        var end = size
        var window = Self.tailWindow  // a line is a few hundred bytes: the newline is nearly always in the first read
        while end > 0 {
            let chunk = try readBack(fd, before: end, count: Int(min(end, Int64(window))))
            if let i = chunk.lastIndex(of: 0x0A) { return end - Int64(chunk.count) + Int64(i) + 1 }
            end -= Int64(chunk.count)
            window = 65536
        }
        return 0
    }

    /// The number of lines in the log's first `size` bytes (the unchained ones, read once: when the chain starts).
    private func countLines(_ fd: Int32, size: Int64) throws -> Int {
        var count = 0, offset: Int64 = 0
        while offset < size {
            let chunk = try readBack(fd, before: min(size, offset + 65536), count: Int(min(size - offset, 65536)))
            count += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            offset += Int64(chunk.count)
        }
        return count
    }

    /// The seq and mac of the log's last line; nil for an empty log or one holding only unchained lines.
    private func lastLink(_ fd: Int32, size: Int64) throws -> Link? {
        guard size > 0 else { return nil }
        // The last line, from a small read when it holds the newline before it, else from up to 64 KiB.
        var buf = try readBack(fd, before: size, count: Int(min(size, Int64(Self.tailWindow))))
        if buf.count < size, buf.dropLast().lastIndex(of: 0x0A) == nil {
            buf = try readBack(fd, before: size, count: Int(min(size, 65536)))
        }
        guard buf.last == 0x0A else { throw broken("it ends in a partial line") }
        let body = buf.dropLast()
        let start = body.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
        guard let obj = try? JSONSerialization.jsonObject(with: Data(body[start...])) as? [String: String] else {
            throw broken("its last line is not a JSON object of strings")
        }
        guard let seqText = obj["seq"], let mac = obj["mac"] else { return nil }
        guard let seq = Int(seqText) else { throw broken("its last line has a bad seq") }
        return Link(seq: seq, mac: mac)
    }

    /// How much of the log's end the first read takes.
    static let tailWindow = 4096

    /// The `count` bytes of the log that end at `end` (no zero-filling: every byte is read over).
    private func readBack(_ fd: Int32, before end: Int64, count: Int) throws -> [UInt8] {
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let n = pread(fd, buffer.baseAddress, count, off_t(end) - off_t(count))
            failed = n != count
            initialized = failed ? 0 : count
        }
        guard !failed else { throw FileIO.ioError("read", path) }
        return bytes
    }

    /// The log must reach the head: a last seq below it means lines were cut.
    private func checkAgainstHead(_ last: Link?) throws {
        let lastSeq = last?.seq ?? 0
        try checkAgainstAnchor(lastSeq)
        guard let head = try readHead() else { return }
        if lastSeq < head.seq || (lastSeq == head.seq && last?.mac != head.mac) {
            throw broken(
                "it ends at line seq \(lastSeq) but \(headPath) records seq \(head.seq) (lines "
                    + "were cut or replaced)")
        }
    }

    /// The log must reach the seq the anchor (outside the store) recorded.
    private func checkAgainstAnchor(_ lastSeq: Int) throws {
        guard let anchor, let seq = try anchor.expectedGeneration(Self.anchorEntry), UInt64(lastSeq) < seq else {
            return
        }
        throw broken(
            "it ends at line seq \(lastSeq) but \(anchor.path) records seq \(seq) (lines were cut, or "
                + "the log and audit.head were replaced)")
    }

    private func broken(_ why: String) -> OBSError {
        OBSError.integrity(
            "KMS audit log \(path) is damaged: \(why); run 'obsctl kms audit verify', keep "
                + "the log as evidence, then move audit.log and audit.head away"
                + (anchor.map { " and remove \($0.path)" } ?? "") + " to start a new log")
    }

    // MARK: Head

    private func readHead() throws -> Link? {
        // Every append checks the head; it changes only with a key (see `ParsedFileCache`).
        try heads.value(at: headPath) { try parseHead($0) }
    }

    private func parseHead(_ bytes: [UInt8]) throws -> Link {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String],
            let seqText = obj["seq"], let seq = Int(seqText), let mac = obj["mac"], let headMAC = obj["head_mac"],
            constantTimeEquals(
                Array(headMAC.utf8),
                Array(
                    Self.headMAC(
                        key: try chainKey(), seq: seq,
                        mac: mac
                    ).utf8))
        else {
            throw OBSError.integrity(
                "KMS audit head \(headPath) is damaged (its MAC does not verify); run "
                    + "'obsctl kms audit verify'")
        }
        return Link(seq: seq, mac: mac)
    }

    private func writeHead(_ link: Link, key: SecretBytes) throws {
        let obj = [
            "seq": String(link.seq), "mac": link.mac,
            "head_mac": Self.headMAC(
                key: key, seq: link.seq,
                mac: link.mac),
        ]
        try FileIO.atomicWrite(
            Self.jsonObject(obj),
            to: headPath)
    }

    private static func headMAC(key: SecretBytes, seq: Int, mac: String) -> String {
        var w = CanonicalWriter(label: "obsctl/v1/audit-head")
        w.appendU64(UInt64(seq)); w.append(mac)
        return Base64.encode(HMAC.sha256(key: key, data: w.bytes))
    }

    // MARK: Verify

    struct Verification {
        var path: String
        var lines: Int
        var unverifiedPrefix: Int
    }

    /// Reads the whole log line by line (bounded memory) and checks the chain and the head.
    func verify() throws -> Verification {
        let key = try chainKey()
        let head = try readHead()
        guard let file = fopen(path, "r") else {
            if errno == ENOENT {
                if let head { throw broken("it is missing but \(headPath) records seq \(head.seq)") }
                try checkAgainstAnchor(0)
                return Verification(path: path, lines: 0, unverifiedPrefix: 0)
            }
            throw FileIO.ioError("open", path)
        }
        defer { fclose(file) }
        var lineNo = 0, legacy = 0
        var previous: Link? = nil
        var sawHead = head == nil
        var linePtr: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        defer { free(linePtr) }
        while true {
            let n = getline(&linePtr, &cap, file)
            if n < 0 { break }
            lineNo += 1
            let bytes = UnsafeRawBufferPointer(start: linePtr, count: n)
            func fail(_ why: String) -> OBSError {
                OBSError.integrity(
                    "KMS audit log \(path) line \(lineNo): \(why); the log was edited, "
                        + "reordered or cut there")
            }
            guard bytes.last == 0x0A else { throw fail("partial last line (no newline)") }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(bytes.dropLast())) as? [String: String] else {
                throw fail("not a JSON object of strings")
            }
            guard let seqText = obj["seq"], let mac = obj["mac"] else {
                if previous == nil { legacy += 1; continue }
                throw fail("no seq/mac after chained lines")
            }
            guard let seq = Int(seqText), seq == (previous?.seq ?? 0) + 1 else {
                throw fail("seq \(seqText) where \((previous?.seq ?? 0) + 1) was expected")
            }
            guard
                constantTimeEquals(
                    Array(mac.utf8),
                    Array(
                        Self.mac(
                            key: key, previous: previous?.mac ?? "",
                            entry: obj
                        ).utf8))
            else {
                throw fail("its MAC does not verify")
            }
            if seq == 1, let recorded = obj["prefix_lines"], recorded != String(legacy) {
                throw fail("the chain starts after \(legacy) unchained lines but recorded \(recorded) there")
            }
            if let head, head.seq == seq {
                guard head.mac == mac else { throw fail("it is not the line \(headPath) records") }
                sawHead = true
            }
            previous = Link(seq: seq, mac: mac)
        }
        if ferror(file) != 0 { throw FileIO.ioError("read", path) }
        try checkAgainstAnchor(previous?.seq ?? 0)
        if !sawHead, let head {
            throw broken(
                "it ends at seq \(previous?.seq ?? 0) but \(headPath) records seq \(head.seq) "
                    + "(lines were cut)")
        }
        return Verification(path: path, lines: lineNo, unverifiedPrefix: legacy)
    }
}
