import Foundation
import NIOCore
import OBSCore
import OBSLocalBackend
import OBSServer
import ObsctlCLI
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

/// SIGINT and SIGTERM in obsctl-serve, taken by the main thread with sigwait(2) and handed to whoever holds them at
/// that moment. `blockInEveryThread`, main's first act, blocks them before any other thread exists, so every thread
/// inherits the block (libdispatch's workers block them as well); `run` then waits for them on the main thread.
///
/// No handler is installed, so none can be replaced. A handler could: libdispatch installs its own process-wide
/// handler for a dispatch signal source when its manager thread gets to it, and cancelling the source never
/// restores the previous one; when that landed after the server's sigaction, the server never saw a signal again.
/// A signal blocked in every thread stays pending until sigwait takes it, whatever handler is set. (And obsctl-serve
/// makes no dispatch signal source: none for serve, and none for another command, whose signals come from here.)
enum SignalThread {
    /// Who takes the next signal.
    enum Receiver {
        /// A one-shot command run by obsctl-serve (not `serve`): its cleanup, then 130 or 143, as in obsctl.
        case command
        /// Serve, before it listens or once it is done: nothing to finish, 128 + the signal at once.
        case immediate
        /// Serve, listening: a graceful stop, a second signal at once.
        case server(ShutdownSignals)
    }

    private static let lock = NSLock()
    // `nonisolated(unsafe)`: touched only under `lock`.
    nonisolated(unsafe) private static var receiver = Receiver.command

    static func blockInEveryThread() {
        var signals = shutdownSignals()
        // Set, not added to: the mask exec kept is the exec'ing thread's (obsctl's dispatch worker blocks nearly
        // every signal), and SIGHUP, SIGQUIT and the others must keep acting on serve.
        pthread_sigmask(SIG_SETMASK, &signals, nil)
        // A signal ignored when it arrives may be discarded rather than left pending for sigwait: an inherited
        // SIG_IGN (a script's `serve &` ignores SIGINT) must not keep serve from stopping.
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }

    static func hand(to next: Receiver) { lock.withLock { receiver = next } }

    /// The main thread's work, for the life of the process (which the command's task ends with exit).
    static func run() -> Never {
        var signals = shutdownSignals()
        while true {
            var number: Int32 = 0
            guard sigwait(&signals, &number) == 0 else { continue }
            switch lock.withLock({ receiver }) {
            case .command: ObsctlMain.interrupt(signal: number)
            case .immediate: ShutdownSignals.exitNow(128 + number)
            case .server(let server): server.received(number)
            }
        }
    }

    private static func shutdownSignals() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }
}

/// SIGINT and SIGTERM while serving: the first starts a graceful shutdown (no new connections, requests in flight
/// finish, for at most `grace`; then they are cancelled and the process exits 0). A second signal stops at once,
/// with 128 + the signal number, for an operator who will not wait.
///
/// `@unchecked Sendable`: `stoppingSince`, its one mutable field, is touched only under `lock`.
final class ShutdownSignals: @unchecked Sendable {
    static let grace: Duration = .seconds(10)
    /// Beyond `grace`: if cancelled requests still hold the process, it exits anyway.
    static let backstop: Double = 15

    private let lock = NSLock()
    private var stoppingSince: Date?
    private let stop: @Sendable () async -> Void

    private init(stop: @escaping @Sendable () async -> Void) { self.stop = stop }

    /// From here the signals stop `stop`'s server. A signal that came before is taken too: the group remembers a
    /// stop asked before it runs.
    static func install(stop: @escaping @Sendable () async -> Void) -> ShutdownSignals {
        let signals = ShutdownSignals(stop: stop)
        SignalThread.hand(to: .server(signals))
        return signals
    }

    /// On the signal thread: the first signal starts the stop, the second exits.
    func received(_ number: Int32) {
        let first: Bool = lock.withLock {
            guard stoppingSince == nil else { return false }
            stoppingSince = Date()
            return true
        }
        guard first else { Self.exitNow(128 + number) }
        Task { [stop] in await stop() }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.backstop) {
            Self.note("requests still running \(Int(Self.backstop)) s after the signal were cut off")
            Self.exitNow(0)
        }
    }

    /// Ends the process without waiting for the writes in flight; their temporary files in the store go first,
    /// rather than staying until the next write there sweeps them.
    static func exitNow(_ code: Int32) -> Never {
        LocalBackend.removeTemporariesOfInterruptedWrites()
        _exit(code)
    }

    /// The server ended: a signal now stops the process at once.
    func cancel() {
        SignalThread.hand(to: .immediate)
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
