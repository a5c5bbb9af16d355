import ArgumentParser
import Foundation
import OBSCore
import OBSLocalBackend
import OBSServer

#if canImport(Glibc)
import Glibc
#endif

extension Obsctl {
    /// `obsctl serve`: the options live here, in the one command tree (help, completion, man pages); the server
    /// itself is the obsctl-serve program beside obsctl, which parses the same arguments and sets `runServer`.
    public struct Serve: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Serve the embedded backend as an OBS- and S3-compatible endpoint, with real encryption.",
            discussion: Manual.discussion(
                [
                    "Any OBS or S3 SDK, awscli, or obsctl itself (--endpoint) can then use the local store: the same "
                        + "buckets, objects, KMS keys and root key as the CLI ($OBSCTL_LOCAL_ROOT). Requests in "
                        + "OBS's dialect (OBS signature, x-obs-* headers) get OBS's answers; S3-signed requests (AWS "
                        + "V2, SigV4) get S3's. Every request must be signed with a pair the server accepts: "
                        + "$OBSCTL_SERVE_ACCESS_KEY_ID and $OBSCTL_SERVE_SECRET_ACCESS_KEY, or --credentials-file; "
                        + "with neither, a pair is generated into a 0600 file under the store and its path printed.",
                    "Once listening, the first line on stdout says where (with --output json, one JSON object with "
                        + "endpoint, ca_bundle, credentials_file, region). SIGINT or SIGTERM stops it after the "
                        + "requests in flight. Binding to a non-loopback address requires TLS, or "
                        + "--allow-plain-http (a private network, or a TLS-terminating proxy in front): SSE-C and "
                        + "SSE-KMS requests over plain HTTP from another machine are then refused (400 "
                        + "InvalidRequest), as OBS requires HTTPS for them.",
                ],
                examples: [
                    "obsctl serve",
                    "obsctl serve --listen 127.0.0.1:0 --tls-self-signed --output json",
                    "aws --endpoint-url http://127.0.0.1:9000 s3 ls   # with the pair the server printed",
                ]))

        /// Set by obsctl-serve: runs the server. nil in obsctl, which then execs obsctl-serve.
        nonisolated(unsafe) public static var runServer: ((ServeSettings) async throws -> Void)?

        @Option(
            help: ArgumentHelp("Address to listen on: HOST:PORT; port 0 picks a free one.", valueName: "host:port"))
        var listen = "127.0.0.1:9000"
        @Option(
            help: ArgumentHelp(
                "Also serve Huawei KMS's API (and IAM's project lookup) on this address.",
                valueName: "host:port"))
        var kmsListen: String?
        @Option(help: ArgumentHelp("PEM certificate (chain) for HTTPS.", valueName: "file"), completion: .file())
        var tlsCert: String?
        @Option(help: ArgumentHelp("PEM private key for --tls-cert.", valueName: "file"), completion: .file())
        var tlsKey: String?
        @Flag(
            help: ArgumentHelp(
                "HTTPS with a throw-away CA made under the store; its file is printed for --ca-bundle."))
        var tlsSelfSigned = false
        @Flag(
            name: .customLong("allow-plain-http"),
            help: ArgumentHelp(
                "Listen on a non-loopback --listen address without TLS (private network, TLS proxy in front); "
                    + "SSE-C and SSE-KMS requests from other machines are still refused over plain HTTP."))
        var allowPlainHTTP = false
        @Option(
            help: ArgumentHelp(
                "File of access key pairs the server accepts (0600; AWS credentials file format).",
                valueName: "file"),
            completion: .file())
        var credentialsFile: String?
        @Option(
            help: ArgumentHelp("Access log file (default stderr); one line per request.", valueName: "file"),
            completion: .file())
        var accessLog: String?
        @Option(
            help: ArgumentHelp(
                "Seconds an upload's body may send nothing before it is answered 400 RequestTimeout, as S3 does, "
                    + "and a download's client may take nothing before its connection is cut.",
                valueName: "seconds"))
        var bodyTimeout: Double = 20
        @Option(
            help: ArgumentHelp(
                "Seconds a connection has to send its next request's headers, from its start or the previous answer; "
                    + "then it is closed (headers sent a byte at a time, idle keep-alive connections).",
                valueName: "seconds"))
        var headerTimeout: Double = 60
        @OptionGroup var global: GlobalOptions

        public init() {}

        public func validate() throws {
            guard ListenAddress(parsing: listen) != nil else {
                throw ValidationError("--listen '\(listen)' is not HOST:PORT: give e.g. 127.0.0.1:9000")
            }
            if let kmsListen, ListenAddress(parsing: kmsListen) == nil {
                throw ValidationError("--kms-listen '\(kmsListen)' is not HOST:PORT: give e.g. 127.0.0.1:9001")
            }
            if (tlsCert == nil) != (tlsKey == nil) {
                throw ValidationError("--tls-cert and --tls-key go together: give both, or --tls-self-signed")
            }
            guard bodyTimeout > 0, bodyTimeout.isFinite else {
                throw ValidationError("--body-timeout \(bodyTimeout) is not a positive number of seconds: give e.g. 20")
            }
            guard headerTimeout > 0, headerTimeout.isFinite else {
                throw ValidationError(
                    "--header-timeout \(headerTimeout) is not a positive number of seconds: give e.g. 60")
            }
            if tlsSelfSigned && tlsCert != nil {
                throw ValidationError("--tls-self-signed and --tls-cert exclude each other: choose one")
            }
        }

        public func settings() throws -> ServeSettings {
            let address = ListenAddress(parsing: listen)!
            let kmsAddress = kmsListen.flatMap(ListenAddress.init(parsing:))
            let tls: ServeSettings.TLS
            if let tlsCert, let tlsKey {
                tls = .files(certificate: tlsCert, privateKey: tlsKey)
            } else {
                tls = tlsSelfSigned ? .selfSigned : .none
            }
            if tls == .none, let kmsAddress, !kmsAddress.isLoopback {
                throw OBSError.invalidArgument(
                    "--kms-listen \(kmsAddress) (not loopback) without TLS would send data keys in clear: add "
                        + "--tls-self-signed or --tls-cert/--tls-key, or listen on 127.0.0.1")
            }
            // With --allow-plain-http the server still refuses SSE requests over plain HTTP from other machines.
            if tls == .none, !address.isLoopback, !allowPlainHTTP {
                throw OBSError.invalidArgument(
                    "listening on \(address) (not loopback) without TLS would send keys and data in clear: add "
                        + "--tls-self-signed or --tls-cert/--tls-key, listen on 127.0.0.1, or (private network, TLS "
                        + "proxy in front) --allow-plain-http")
            }
            var settings = ServeSettings(
                listen: address, kmsListen: kmsAddress, tls: tls, credentialsFile: credentialsFile,
                accessLogFile: accessLog, json: global.output != .text,
                region: global.region.flatMap { $0.isEmpty ? nil : $0 }
                    ?? LocalBackend.defaultLocation(environment: ProcessInfo.processInfo.environment))
            settings.bodyTimeout = bodyTimeout
            settings.headerTimeout = headerTimeout
            return settings
        }

        public mutating func run() async throws {
            let settings = try settings()
            if let runServer = Self.runServer {
                // Here, in the server program, not before the exec: once.
                if settings.tls == .none, !settings.listen.isLoopback {
                    Output(format: global.output, quiet: global.quiet).warn(
                        "serving plain HTTP on \(settings.listen), not loopback: anyone on the network can read the "
                            + "data and the signed requests; SSE-C and SSE-KMS requests from other machines are "
                            + "refused")
                }
                try await runServer(settings)
                return
            }
            try Self.execServer()
        }

        /// Replaces this process with obsctl-serve from obsctl's own directory, same arguments: signals, exit code
        /// and stdout are the server's own.
        static func execServer() throws {
            let selfPath =
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            let server = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
                .appendingPathComponent("obsctl-serve").path
            guard FileManager.default.isExecutableFile(atPath: server) else {
                throw OBSError(
                    code: "ServerMissing",
                    message: "\(server) is missing: obsctl serve runs the obsctl-serve program installed beside "
                        + "obsctl; install both (make install)",
                    httpStatus: 0, category: .configuration)
            }
            let argv = [server] + Array(CommandLine.arguments.dropFirst())
            var cArgs = argv.map { strdup($0) }
            cArgs.append(nil)
            // Blocked across the exec, SIGINT and SIGTERM stay pending (the server's signal thread takes them), even
            // when inherited as ignored: the kernel discards an ignored signal only when it is not blocked.
            var shutdown = sigset_t(), before = sigset_t()
            sigemptyset(&shutdown)
            sigaddset(&shutdown, SIGINT)
            sigaddset(&shutdown, SIGTERM)
            pthread_sigmask(SIG_BLOCK, &shutdown, &before)
            execv(server, cArgs)
            pthread_sigmask(SIG_SETMASK, &before, nil)
            throw OBSError(
                code: "ServerMissing", message: "could not start \(server): \(OBSError.reason(errno))",
                httpStatus: 0, category: .general)
        }
    }
}
