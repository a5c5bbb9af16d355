import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process's file-mode creation mask, read without changing it. umask(2) can only read the mask by setting it,
/// and a file another thread creates in that window gets the temporary mask: Linux shows the mask in
/// /proc/self/status (since 4.7), which is read first.
public enum ProcessUmask {
    public static func current() -> mode_t {
        if let status = ProcFile.text("/proc/self/status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
            let mask = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8)
        {
            return mask
        }
        let mask = umask(0o077)  // a file created meanwhile gets a stricter mode, never a looser one
        umask(mask)
        return mask
    }
}
