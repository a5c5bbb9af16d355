import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import OBSCore
import OBSLocalBackend
import OBSServer
import ServiceLifecycle

/// Binds the listeners, prints the ready line once every one is up, and runs until SIGINT or SIGTERM; Hummingbird
/// then stops accepting and lets the requests in flight finish.
enum Listener {
    static func run(_ settings: ServeSettings) async throws {
        // Nothing to drain until the listeners are set up: a signal before then stops serve at once.
        SignalThread.hand(to: .immediate)
        // Given certificate and key files are read before anything is made (the store, a generated pair): a wrong
        // one leaves no trace.
        var givenTLS: TLSSetup?
        if case .files(let certificate, let privateKey) = settings.tls {
            givenTLS = TLSSetup(configuration: try TLSFiles.configuration(certificate, privateKey), caBundle: nil)
        }
        let runtime = try ServerRuntime(settings: settings, environment: ProcessInfo.processInfo.environment)
        let tls = try givenTLS ?? tlsConfiguration(settings, runtime)
        let scheme = tls == nil ? "http" : "https"
        var logger = Logger(label: "obsctl-serve")
        logger.logLevel = .critical
        let ready = ReadyLine(expected: settings.kmsListen == nil ? 1 : 2)

        var services: [any Service] = []
        let s3 = try application(
            Bridge(handler: runtime.s3, isTLS: tls != nil, bodyTimeout: settings.bodyTimeout), at: settings.listen,
            tls: tls?.configuration, headerTimeout: settings.headerTimeout, logger: logger
        ) { port in
            ready.bound(s3: "\(scheme)://\(host(settings.listen)):\(port)")
            ready.printIfComplete(runtime, caBundle: tls?.caBundle)
        }
        services.append(s3)
        if let kmsListen = settings.kmsListen, let kms = runtime.kms {
            services.append(
                try application(
                    Bridge(handler: kms, isTLS: tls != nil, bodyTimeout: settings.bodyTimeout), at: kmsListen,
                    option: "--kms-listen",
                    tls: tls?.configuration, headerTimeout: settings.headerTimeout, logger: logger
                ) { port in
                    ready.bound(kms: "\(scheme)://\(host(kmsListen)):\(port)")
                    ready.printIfComplete(runtime, caBundle: tls?.caBundle)
                })
        }
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = ShutdownSignals.grace
        let group = ServiceGroup(configuration: configuration)
        let signals = ShutdownSignals.install { await group.triggerGracefulShutdown() }
        defer { signals.cancel() }
        try await group.run()
        signals.reportIfCut()
    }

    static func host(_ a: ListenAddress) -> String {
        let h = a.host == "0.0.0.0" ? "127.0.0.1" : a.host == "::" ? "::1" : a.host
        return h.contains(":") ? "[\(h)]" : h
    }

    static func application(
        _ responder: Bridge, at address: ListenAddress, option: String = "--listen", tls: TLSConfiguration?,
        headerTimeout: TimeInterval, logger: Logger, onBound: @escaping @Sendable (Int) -> Void
    ) throws -> any Service {
        let headerDeadline = TimeAmount.milliseconds(Int64(min(headerTimeout, 1e9) * 1000))
        let stallDeadline = TimeAmount.milliseconds(Int64(min(responder.bodyTimeout, 1e9) * 1000))
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [
                    UnreadableRequestHandler(handler: responder.handler),
                    ContinueHandler(), HeaderDeadlineHandler(timeout: headerDeadline),
                    StalledReaderHandler(timeout: stallDeadline),
                ],
                idleTimeout: .seconds(300)))
        let server = try tls.map { try HTTPServerBuilder.tls(http1, tlsConfiguration: $0) } ?? http1
        let application = Application(
            responder: responder, server: server,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                // Before anything else on the listener: NIO's accept back-off handler keeps these errors to itself.
                try? await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(AcceptPauseHandler(option: option), position: .first)
                }.get()
                onBound(channel.localAddress?.port ?? address.port)
            },
            logger: logger)
        return BindFailures(service: application, address: address, option: option)
    }

    struct TLSSetup {
        var configuration: TLSConfiguration
        var caBundle: String?
    }

    static func tlsConfiguration(_ settings: ServeSettings, _ runtime: ServerRuntime) throws -> TLSSetup? {
        switch settings.tls {
        case .none: return nil
        case .files(let certificate, let privateKey):
            return TLSSetup(configuration: try TLSFiles.configuration(certificate, privateKey), caBundle: nil)
        case .selfSigned:
            let prepared = try SelfSignedCertificateFiles.prepare(
                in: runtime.backend.paths.selfSignedTLSDir, extraHosts: selfSignedHosts(settings), now: Date())
            let configuration = try TLSFiles.configuration(
                certificatePEM: Array(prepared.certificates.serverCertificate.utf8),
                key: prepared.certificates.serverPrivateKey, certificateName: prepared.certificatePath,
                keyName: prepared.keyPath)
            return TLSSetup(configuration: configuration, caBundle: prepared.caPath)
        }
    }

    /// The listen hosts the self-signed certificate must name beyond localhost, 127.0.0.1 and ::1, so that clients
    /// reaching the server by that name or address can verify it. The unspecified address (0.0.0.0, ::) names no
    /// host: clients then use a loopback name, or the server needs a certificate of its own (--tls-cert).
    static func selfSignedHosts(_ settings: ServeSettings) -> [String] {
        let addresses = [settings.listen] + (settings.kmsListen.map { [$0] } ?? [])
        return addresses.map(\.host).filter { !["0.0.0.0", "::", "localhost", "127.0.0.1", "::1"].contains($0) }
    }
}

/// Prints the ready line once, when every listener has its port.
/// `@unchecked Sendable`: `s3`, `kms` and `printed` are touched only under `lock`.
final class ReadyLine: @unchecked Sendable {
    private let lock = NSLock()
    private let expected: Int
    private var s3: String?
    private var kms: String?
    private var printed = false

    init(expected: Int) { self.expected = expected }

    func bound(s3 endpoint: String) { lock.withLock { s3 = endpoint } }
    func bound(kms endpoint: String) { lock.withLock { kms = endpoint } }

    func printIfComplete(_ runtime: ServerRuntime, caBundle: String?) {
        let line: String? = lock.withLock {
            let count = (s3 == nil ? 0 : 1) + (kms == nil ? 0 : 1)
            guard !printed, count == expected, let s3 else { return nil }
            printed = true
            return runtime.readyLine(endpoint: s3, caBundle: caBundle, kmsEndpoint: kms)
        }
        if var line {
            // A plain write: a stdout nobody reads (`serve | true`) costs the ready line, not the server, where
            // FileHandle's write traps on EPIPE (SIGPIPE is ignored here).
            line += "\n"
            line.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                    if n > 0 {
                        offset += n
                    } else if n < 0 && errno == EINTR {
                        continue
                    } else {
                        break
                    }
                }
            }
        }
    }
}
