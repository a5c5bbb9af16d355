import Foundation
import OBSCore

/// What `obsctl serve` was asked for, already checked: the CLI builds it from its options, the listener runs it.
public struct ServeSettings: Sendable {
    public enum TLS: Sendable, Equatable {
        case none
        case files(certificate: String, privateKey: String)
        /// A throw-away CA and a certificate for localhost, 127.0.0.1 and ::1, made under the store.
        case selfSigned
    }

    public var listen: ListenAddress
    public var kmsListen: ListenAddress?
    public var tls: TLS
    /// A file of access key pairs (0600); nil: the environment's pair, else a generated one.
    public var credentialsFile: String?
    /// Where the access log goes; nil: stderr.
    public var accessLogFile: String?
    /// JSON lines for the access log and one JSON object as the ready line.
    public var json: Bool
    /// The region the server reports (ready line, bucket location default).
    public var region: String
    /// How long an upload's body may send nothing before the request is answered 400 RequestTimeout.
    public var bodyTimeout: TimeInterval = 20
    /// Seconds a connection has for its next request's head, from its start or its previous answer's end.
    public var headerTimeout: TimeInterval = 60

    public init(
        listen: ListenAddress, kmsListen: ListenAddress?, tls: TLS, credentialsFile: String?,
        accessLogFile: String?, json: Bool, region: String
    ) {
        self.listen = listen
        self.kmsListen = kmsListen
        self.tls = tls
        self.credentialsFile = credentialsFile
        self.accessLogFile = accessLogFile
        self.json = json
        self.region = region
    }
}

/// `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback); port 0 picks a free one.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// nil when the text is not an address; the caller names the option in its error.
    public init?(parsing text: String) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return nil
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        if host.isEmpty { host = "127.0.0.1" }
        guard let port = Int(portText), (0...65535).contains(port), !host.contains(where: { $0 == " " || $0 == "/" })
        else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// `localhost` or a loopback address: the only hosts that may listen without TLS. Decided on the address, never
    /// on a name's spelling (`127.attacker.example` is not loopback).
    public var isLoopback: Bool { host == "localhost" || LoopbackAddress.isLoopback(host) }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
