import Foundation
import NIOCore
import OBSCore
import OBSServer
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// A listener whose bind failures are configuration errors naming the address and the fix (exit 12), not NIO's
/// `IOError` text.
struct BindFailures: Service {
    let service: any Service
    let address: ListenAddress
    /// The option that set the address, for the fix.
    let option: String

    func run() async throws {
        do {
            try await service.run()
        } catch let error as IOError {
            throw Self.describe(errno: error.errnoCode, address, option) ?? error
        } catch let error as SocketAddressError.UnknownHost {
            throw OBSError.configuration(
                "cannot listen on \(address): host name '\(error.host)' does not resolve (\(error.errorDescription)): "
                    + "give an address of this machine with \(option), e.g. 127.0.0.1:9000")
        } catch is SocketAddressError {
            throw OBSError.configuration(
                "cannot listen on \(address): not a usable address: give an address of this machine with \(option), "
                    + "e.g. 127.0.0.1:9000")
        }
    }

    static func describe(errno code: CInt, _ address: ListenAddress, _ option: String) -> OBSError? {
        let why: String
        switch code {
        case EADDRINUSE:
            why =
                "the address is already in use (another server on that port?): stop that server, or choose another "
                + "port with \(option) (port 0 picks a free one)"
        case EADDRNOTAVAIL:
            why =
                "it is not an address of this machine: give one of its addresses with \(option), or 127.0.0.1"
        case EACCES, EPERM:
            why = "permission denied (ports below 1024 need privileges): choose a port above 1023 with \(option)"
        case EAFNOSUPPORT:
            why = "this machine does not support that address family: give another address with \(option)"
        default:
            return nil
        }
        return OBSError.configuration("cannot listen on \(address): \(why)")
    }
}

/// SIGINT and SIGTERM: the first starts a graceful shutdown (no new connections, requests in flight finish, for
/// at most `grace`; then they are cancelled and the process exits 0). A second signal stops at once, with 128 +
/// the signal number, for an operator who will not wait.
///
/// A plain handler writing to a pipe: it runs on whichever thread the signal lands on, and the pipe hands the work
/// to an ordinary task, which can await the shutdown. (The one-shot commands' `Interrupts` use dispatch signal
/// sources and exit from the handler; serve must drain requests first and count a second signal.)
///
/// `@unchecked Sendable`: `stoppingSince`, its one mutable field, is touched only under `lock`.
final class ShutdownSignals: @unchecked Sendable {
    static let grace: Duration = .seconds(10)
    /// Beyond `grace`: if cancelled requests still hold the process, it exits anyway.
    static let backstop: Double = 15

    private let lock = NSLock()
    private var stoppingSince: Date?

    static func install(stop: @escaping @Sendable () async -> Void) -> ShutdownSignals {
        let signals = ShutdownSignals()
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return signals }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        shutdownSignalPipe = fds[1]
        for number in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = shutdownSignalHandler
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                signals.received(Int32(byte), stop: stop)
            }
        }
        reader.name = "obsctl-serve signals"
        reader.start()
        return signals
    }

    private func received(_ number: Int32, stop: @escaping @Sendable () async -> Void) {
        let first: Bool = lock.withLock {
            guard stoppingSince == nil else { return false }
            stoppingSince = Date()
            return true
        }
        guard first else { _exit(128 + number) }
        Task { await stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.backstop) {
            Self.note("requests still running \(Int(Self.backstop)) s after the signal were cut off")
            _exit(0)
        }
    }

    /// The server ended: signals go back to their defaults.
    func cancel() {
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }

    /// After the group ended: says so when the graceful wait ran out and requests were cancelled.
    func reportIfCut() {
        guard let since = lock.withLock({ stoppingSince }) else { return }
        if Date().timeIntervalSince(since) >= Double(Self.grace.components.seconds) - 0.05 {
            Self.note("requests still running \(Self.grace.components.seconds) s after the signal were cut off")
        }
    }

    private static func note(_ text: String) {
        FileHandle.standardError.write(Data("obsctl serve: \(text)\n".utf8))
    }
}

/// Where the handler writes the signal number (async-signal-safe: one write(2)).
nonisolated(unsafe) private var shutdownSignalPipe: Int32 = -1

private func shutdownSignalHandler(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    let saved = errno
    _ = write(shutdownSignalPipe, &byte, 1)
    errno = saved
}
