import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether a temporary file (or directory) named after its writer's pid was left by a writer that is gone.
///
/// A pid alone is not enough: after the writer died its pid may be reused (the leftover would then stay forever),
/// and a writer in another pid namespace (a container sharing the directory) has a pid that means nothing here.
/// So: a writer that holds a flock on its temporary is alive whatever the pid says; otherwise the pid must not
/// run, or run a process that started after the file was last changed (so it cannot be the writer).
public enum AbandonedTemp {
    public static func check(_ path: String, pid: Int32) -> Bool {
        if pid == getpid() { return false }
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd >= 0 {
            defer { close(fd) }
            if flock(fd, LOCK_SH | LOCK_NB) != 0 { return false }  // its writer holds it
        }
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        // Start times have a resolution of a second (boot time) plus a tick: leave a margin.
        guard let started = startTime(pid) else { return false }
        return started > Double(st.st_mtim.tv_sec) + 2
    }

    /// A process's start time in seconds since the epoch, from /proc (nil where it cannot be read).
    static func startTime(_ pid: Int32) -> Double? {
        guard let stat = ProcFile.text("/proc/\(pid)/stat"),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name (which may hold spaces): state is field 3, starttime field 22.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]), let boot = bootTime() else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func bootTime() -> Double? {
        guard let text = ProcFile.text("/proc/stat"),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") })
        else { return nil }
        return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }

    /// Creates `path` (exclusive, mode 0600) and takes the flock that marks it as in use until the descriptor is
    /// closed. A sweeper that opened the file between its creation and the lock may have removed it: then it is
    /// created again. Returns the descriptor, or -1 with errno set. Through `TemporaryFileGate`.
    public static func create(_ path: String, flags: Int32 = O_RDWR) -> Int32 {
        TemporaryFileGate.whileOpen { createUngated(path, flags: flags) }
    }

    private static func createUngated(_ path: String, flags: Int32) -> Int32 {
        for _ in 0..<3 {
            let fd = open(path, O_CREAT | O_EXCL | O_CLOEXEC | flags, 0o600)
            if fd < 0 { return -1 }
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
            var held = stat(), current = stat()
            if fstat(fd, &held) == 0, stat(path, &current) == 0,
                held.st_ino == current.st_ino, held.st_dev == current.st_dev
            {
                return fd
            }
            close(fd)
        }
        errno = EAGAIN
        return -1
    }
}
