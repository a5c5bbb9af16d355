import ArgumentParser
import Foundation
import OBSCore
#if canImport(Glibc)
import Glibc
#endif

/// `--progress`: how transfers report progress on stderr.
public enum ProgressMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// `bar` when stderr is a terminal and TERM is not `dumb`, else `plain`.
    case auto
    /// One line redrawn in place with `\r`: bytes, rate, ETA, file n/N and the total of a recursive transfer.
    case bar
    /// Log-friendly: one line per finished file and a summary line every 10 s; no `\r`, no escape codes.
    case plain
    case none

    /// The style actually used. `--quiet` silences progress whatever the mode.
    func style(quiet: Bool, environment: [String: String], stderrIsTerminal: Bool = isatty(STDERR_FILENO) == 1)
        -> ProgressStyle
    {
        if quiet { return .none }
        switch self {
        case .bar: return .bar
        case .plain: return .plain
        case .none: return .none
        case .auto:
            let term = environment["TERM"] ?? ""
            return stderrIsTerminal && term != "dumb" ? .bar : .plain
        }
    }

    /// `--progress`, else `OBSCTL_PROGRESS`, else auto. A bad value in the environment is a usage error naming it.
    static func resolve(_ flag: ProgressMode?, environment: [String: String]) throws -> ProgressMode {
        if let flag { return flag }
        guard let v = environment["OBSCTL_PROGRESS"], !v.isEmpty else { return .auto }
        guard let mode = ProgressMode(rawValue: v) else {
            throw OBSError.invalidArgument("OBSCTL_PROGRESS='\(v)' must be auto, bar, plain or none")
        }
        return mode
    }
}

enum ProgressStyle: Sendable { case bar, plain, none }

/// What a command's progress says it does: the bar and the summaries name the action, a finished file's line its
/// past tense ("re-encrypt [3/10]", "re-encrypted obs://b/k: 1.0 KiB in 0.1 s").
enum ProgressVerb: String, Sendable {
    case upload, download, copy, move, delete, inspect
    case reEncrypt = "re-encrypt"

    var pastTense: String {
        switch self {
        case .upload: return "uploaded"
        case .download: return "downloaded"
        case .copy: return "copied"
        case .move: return "moved"
        case .delete: return "deleted"
        case .inspect: return "inspected"
        case .reEncrypt: return "re-encrypted"
        }
    }
}

/// Progress of one command's transfers, drawn on stderr by a timer of its own. The transfer threads only add to a
/// `TransferCounter` (one atomic add per buffer); everything else (rates, formatting, writing) happens at most
/// ten times a second on the display's queue, so progress costs the transfer nothing measurable.
///
/// Nothing is shown for a command whose transfers finish within about a second. obsctl uses no colour, so
/// `NO_COLOR` needs nothing further; `TERM=dumb` makes `auto` choose `plain`.
/// `@unchecked Sendable`: its mutable fields are touched under `lock` (the display runs on `queue`).
final class Progress: @unchecked Sendable {
    let style: ProgressStyle
    private let verb: String
    private let pastTense: String
    private let totalFiles: Int
    private let totalBytes: Int64?
    private let delay: UInt64
    private let summaryInterval: UInt64

    private let lock = NSLock()
    private let queue = DispatchQueue(label: "obsctl.progress")
    private var timer: DispatchSourceTimer?
    private let started = Progress.now()
    private var visible = false  // the 1 s mark has passed (or something was printed)
    private var drawnWidth = 0  // characters of the bar line now on the terminal
    private var drawnLine = ""
    private var doneFiles = 0, failedFiles = 0
    private var doneBytes: Int64 = 0
    /// The files in flight (several with --jobs), by the order they began; the display names the oldest.
    private var inFlight: [Int: InFlight] = [:]
    private var nextFile = 0
    private struct InFlight { var name: String, size: Int64?, counter: TransferCounter, started: UInt64 }
    private var current: InFlight? { inFlight.min { $0.key < $1.key }?.value }
    /// Bytes of the files in flight so far. Lock held.
    private var movedInFlight: Int64 { inFlight.values.reduce(0) { $0 + max(0, $1.counter.value) } }
    private var pending: [String] = []  // plain lines of files finished before the 1 s mark
    private var lastSummary: UInt64 = 0
    private var samples: [(time: UInt64, bytes: Int64)] = []
    private var ended = false

    /// The display now running, so that other stderr output can clear the bar line first.
    nonisolated(unsafe) private static var active: Progress?  // touched only under `activeLock`
    private static let activeLock = NSLock()

    init(
        style: ProgressStyle, verb: ProgressVerb, files: Int, totalBytes: Int64?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.style = style
        self.verb = verb.rawValue
        pastTense = verb.pastTense
        self.totalFiles = files
        self.totalBytes = totalBytes
        delay = 1_000_000_000
        // Checked before any work (Numbers.checkEnvironment).
        let seconds = environment["OBSCTL_PROGRESS_INTERVAL"].flatMap { try? Numbers.progressInterval($0) } ?? 10
        summaryInterval = UInt64(seconds * 1e9)
        guard style != .none else { return }
        Self.activeLock.lock(); Self.active = self; Self.activeLock.unlock()
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + .milliseconds(100), repeating: .milliseconds(100), leeway: .milliseconds(20))
        t.setEventHandler { [weak self] in self?.tick() }
        t.resume()
        timer = t
    }

    deinit { timer?.cancel() }

    // MARK: Fed by the transfers

    /// One file in flight: what `finish` is given back.
    struct File: Sendable { let id: Int }

    /// Starts one file, whose source or sink adds to `counter`. Any number may be in flight at once.
    func begin(_ name: String, size: Int64?, counter: TransferCounter) -> File {
        lock.lock(); defer { lock.unlock() }
        nextFile += 1
        inFlight[nextFile] = InFlight(
            name: name == "-" ? "stdin" : name, size: size, counter: counter,
            started: Self.now())
        return File(id: nextFile)
    }

    /// Ends one file: `bytes` is its final size (nil when it failed).
    func finish(_ file: File, bytes: Int64?) {
        lock.lock(); defer { lock.unlock() }
        guard let c = inFlight.removeValue(forKey: file.id), style != .none else { return }
        guard let bytes else { failedFiles += 1; doneBytes += max(0, c.counter.value); return }
        doneFiles += 1
        doneBytes += bytes
        if style == .plain {
            let line = Self.finishedLine(
                pastTense, c.name, bytes: bytes, seconds: Double(Self.now() - c.started) / 1e9,
                count: totalFiles > 1 ? (doneFiles + failedFiles, totalFiles) : nil)
            if visible { writeLine(line) } else { pending.append(line) }
        }
    }

    /// Ends a file the command had nothing to do with (already right, skipped): counted as done, with no line.
    func pass(_ file: File, bytes: Int64) {
        lock.lock(); defer { lock.unlock() }
        guard inFlight.removeValue(forKey: file.id) != nil, style != .none else { return }
        doneFiles += 1
        doneBytes += bytes
    }

    /// Plain mode's line for a finished file: "uploaded a.txt: 1.0 KiB in 0.2 s (5.0 KiB/s) [3/10]".
    static func finishedLine(
        _ pastTense: String, _ name: String, bytes: Int64, seconds: Double, count: (done: Int, of: Int)?
    ) -> String {
        var line = "\(pastTense) \(name): \(Self.bytes(bytes)) in \(Self.duration(seconds))"
        if seconds > 0.05 { line += " (\(Self.bytes(Int64(Double(bytes) / seconds)))/s)" }
        if let count { line += " [\(count.done)/\(count.of)]" }
        return line
    }

    /// Stops the display: the bar line is cleared; in plain mode a last summary follows when anything was shown.
    func end() {
        Self.activeLock.lock(); if Self.active === self { Self.active = nil }; Self.activeLock.unlock()
        lock.lock(); defer { lock.unlock() }
        guard !ended else { return }
        ended = true
        timer?.cancel(); timer = nil
        if style == .bar { clearLine() }
        if style == .plain && visible && totalFiles > 1 {
            let seconds = Double(Self.now() - started) / 1e9
            var line =
                "\(verb) done: \(doneFiles) of \(totalFiles) file\(totalFiles == 1 ? "" : "s"), "
                + "\(Self.bytes(doneBytes)) in \(Self.duration(seconds))"
            if seconds > 0.05 { line += " (\(Self.bytes(Int64(Double(doneBytes) / seconds)))/s)" }
            writeLine(line)
        }
    }

    /// Called before any other stderr output: takes the bar line off the terminal (the next tick redraws it).
    static func clearForMessage() {
        activeLock.lock(); let p = active; activeLock.unlock()
        guard let p, p.style == .bar else { return }
        p.lock.lock(); p.clearLine(); p.lock.unlock()
    }

    // MARK: Drawing (on the display queue)

    private func tick() {
        lock.lock(); defer { lock.unlock() }
        guard !ended else { return }
        let now = Self.now()
        let moved = doneBytes + movedInFlight
        samples.append((now, moved))
        while let first = samples.first, now - first.time > 5_000_000_000 { samples.removeFirst() }
        if !visible {
            guard now - started >= delay else { return }
            visible = true
            lastSummary = now
            for line in pending { writeLine(line) }
            pending = []
        }
        switch style {
        case .bar: drawBar(moved: moved)
        case .plain:
            if now - lastSummary >= summaryInterval { lastSummary = now; writeLine(summary(moved: moved)) }
        case .none: break
        }
    }

    /// Bytes per second over the last five seconds.
    private var rate: Double {
        guard let first = samples.first, let last = samples.last, last.time > first.time else { return 0 }
        return Double(last.bytes - first.bytes) / (Double(last.time - first.time) / 1e9)
    }

    private func eta(moved: Int64, total: Int64?) -> String? {
        guard let total, total >= moved, rate > 0 else { return nil }
        return Self.clock(Double(total - moved) / rate)
    }

    private func drawBar(moved: Int64) {
        // One file at a time: [n/N] counts the file shown; several: files done, and how many are in flight.
        let index = min(totalFiles, doneFiles + failedFiles + (inFlight.count == 1 ? 1 : 0))
        let running = inFlight.count > 1 ? ", \(inFlight.count) in flight" : ""
        let n = totalFiles > 1 ? "[\(index)/\(totalFiles)\(running)]" : nil
        var file: String? = nil, name = ""
        if let c = current {
            name = c.name
            let done = max(0, c.counter.value)
            file = c.size.map { Self.fraction(done, of: $0, separator: " / ") } ?? Self.bytes(done)
        }
        var total: String? = nil, totalShort: String? = nil
        if totalFiles > 1 {
            total =
                totalBytes.map { "total " + Self.fraction(moved, of: $0, separator: " / ") }
                ?? "total \(Self.bytes(moved))"
            totalShort = totalBytes.map { "total \($0 > 0 ? min(100, max(0, moved) * 100 / $0) : 100)%" }
        }
        let size = totalFiles > 1 ? totalBytes : current?.size
        let eta = eta(moved: totalFiles > 1 ? moved : max(0, current?.counter.value ?? 0), total: size)
        let line = Self.barLine(
            verb: verb, count: n, name: name, file: file, total: total, totalShort: totalShort,
            rate: "\(Self.bytes(Int64(rate)))/s", eta: eta.map { "ETA \($0)" },
            width: Self.terminalWidth() - 1)
        guard line != drawnLine || drawnWidth == 0 else { return }
        drawnLine = line
        var out = "\r" + line
        if drawnWidth > line.count { out += String(repeating: " ", count: drawnWidth - line.count) }
        drawnWidth = line.count
        Self.write(out)
    }

    /// The bar's line within `width` columns. What matters most stays: the verb, `[n/N]`, the file's bytes and
    /// percentage, and as much of its name as fits (cut in the middle, so the start and the extension show). Dropped
    /// first when space is short: the rate, then the total's bytes, then the ETA, then the total.
    static func barLine(
        verb: String, count: String?, name: String, file: String?, total: String?, totalShort: String?,
        rate: String, eta: String?, width: Int
    ) -> String {
        let head = ([verb] + (count.map { [$0] } ?? [])).joined(separator: " ")
        // The candidate sets of statistics, richest first.
        let choices: [[String?]] = [
            [file, total, rate, eta], [file, total, eta], [file, totalShort, eta],
            [file, totalShort], [file],
        ]
        let minName = min(name.count, 16)
        for choice in choices {
            let stats = choice.compactMap { $0 }.joined(separator: "  ")
            let fixed = head.count + (name.isEmpty ? 0 : 1) + (stats.isEmpty ? 0 : 2) + stats.count
            if fixed + minName <= width || choice.count == 1 {
                let room = max(1, width - fixed)
                let shown = name.isEmpty ? "" : " " + middleCut(name, room)
                let line = head + shown + (stats.isEmpty ? "" : "  " + stats)
                return line.count <= width ? line : String(line.prefix(width))
            }
        }
        return String(head.prefix(width))
    }

    /// `text` in at most `width` characters: its start and end with "…" between.
    static func middleCut(_ text: String, _ width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return "…" }
        let keep = width - 1, front = keep / 2
        return String(text.prefix(front)) + "…" + String(text.suffix(keep - front))
    }

    /// "1.5 MiB / 8.0 MiB  18%": bytes done and the total in the total's unit, and the percentage, rounded down.
    /// While `done < total` the two byte counts are shown with as many decimals as it takes to tell them apart
    /// (then in bytes): never "200 MiB / 200 MiB  99%", and 100% only when everything is done.
    static func fraction(_ done: Int64, of total: Int64, separator: String) -> String {
        let percent = total > 0 ? min(100, max(0, done) * 100 / total) : 100
        let (a, b) = fractionBytes(done, total)
        return "\(a)\(separator)\(b)  \(percent)%"
    }

    static func fractionBytes(_ done: Int64, _ total: Int64) -> (String, String) {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard total >= 1024 else { return ("\(done) B", "\(total) B") }
        var scale = 1024.0, i = 0
        while Double(total) / scale >= 1024 && i < units.count - 1 { scale *= 1024; i += 1 }
        let totalText = bytes(total)
        guard done < total else { return (done == total ? totalText : bytes(done), totalText) }
        var decimals = Double(total) / scale >= 100 ? 0 : 1
        while decimals <= 3 {
            let factor = pow(10.0, Double(decimals))
            let shownDone = (Double(done) / scale * factor).rounded(.down) / factor
            let shownTotal =
                decimals == (Double(total) / scale >= 100 ? 0 : 1)
                ? totalText
                : String(format: "%.\(decimals)f %@", Double(total) / scale, units[i])
            let doneText = String(format: "%.\(decimals)f %@", shownDone, units[i])
            if doneText != shownTotal { return (doneText, shownTotal) }
            decimals += 1
        }
        return ("\(done) B", "\(total) B")
    }

    private func summary(moved: Int64) -> String {
        var s = "\(verb) progress: "
        if totalFiles > 1 {
            s += "\(doneFiles + failedFiles)/\(totalFiles) files, "
            if inFlight.count > 1 { s += "\(inFlight.count) in flight, " }
        } else if let c = current {
            s += "\(c.name) "
        }
        let total = totalFiles > 1 ? totalBytes : current?.size
        if let total {
            let (a, b) = Self.fractionBytes(moved, total)
            s += "\(a) of \(b)" + (total > 0 ? " (\(min(100, max(0, moved) * 100 / total))%)" : "")
        } else {
            s += Self.bytes(moved)
        }
        s += ", \(Self.bytes(Int64(rate)))/s"
        if let eta = eta(moved: moved, total: total) { s += ", ETA \(eta)" }
        return s
    }

    /// Writes a whole line (plain mode); lock held.
    private func writeLine(_ line: String) { Self.write(Output.printable(line) + "\n") }

    /// Lock held.
    private func clearLine() {
        guard drawnWidth > 0 else { return }
        Self.write("\r" + String(repeating: " ", count: drawnWidth) + "\r")
        drawnWidth = 0
    }

    private static func write(_ s: String) { StandardStreams.write(.stderr, s) }

    // MARK: Formatting

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func terminalWidth() -> Int {
        var ws = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 10 { return Int(ws.ws_col) }
        return 80
    }

    /// 1023 B, 1.0 KiB, 12.3 MiB, 1.20 GiB.
    static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        var v = Double(n) / 1024, i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return String(format: v >= 100 ? "%.0f %@" : "%.1f %@", v, units[i])
    }

    /// 0:07, 12:34, 1:02:03.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.1f s", seconds) : clock(seconds)
    }
}
