import CCurl
import Foundation
import OBSCore
import OBSSigner

/// Transport options: TLS trust, timeouts.
public struct TransportOptions: Sendable {
    public var caBundle: String?
    public var insecure: Bool
    public var connectTimeoutSeconds: Int
    /// A transfer slower than 1 byte/s for this long is aborted (a stalled peer).
    public var lowSpeedTimeSeconds: Int
    public var userAgent: String

    public init(
        caBundle: String? = nil, insecure: Bool = false, connectTimeoutSeconds: Int = 10, lowSpeedTimeSeconds: Int = 30,
        userAgent: String = "obsctl"
    ) {
        self.caBundle = caBundle
        self.insecure = insecure
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.lowSpeedTimeSeconds = lowSpeedTimeSeconds
        self.userAgent = userAgent
    }
}

/// libcurl's entry points, loaded once (dlopen) before any thread uses them; curl_global_init runs here too.
/// `nonisolated(unsafe)`: the table is written once, by the lazy initialiser, and only read after.
nonisolated(unsafe) private let curlAPI: UnsafeMutablePointer<cc_api>? = {
    let api = UnsafeMutablePointer<cc_api>.allocate(capacity: 1)
    api.initialize(to: cc_api())
    guard cc_load(api) != 0 else {
        api.deallocate()
        return nil
    }
    _ = api.pointee.global_init(Int(CURL_GLOBAL_DEFAULT))
    return api
}()

/// HTTP over one reused libcurl easy handle (keep-alive across requests). Not thread-safe: one owner at a time.
/// Bodies stream through read and write callbacks in pieces, never whole objects in memory.
public final class CurlTransport: HTTPTransport {
    /// The largest body handed to libcurl as post fields, which it copies whole.
    static let postFieldsLimit = 64 << 10
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let options: TransportOptions

    private let api: UnsafeMutablePointer<cc_api>

    public init(options: TransportOptions) throws {
        guard let api = curlAPI else {
            throw OBSError.configuration(
                "libcurl (libcurl.so.4) cannot be loaded; install it with 'apt-get install libcurl4-openssl-dev'")
        }
        self.api = api
        guard let h = api.pointee.easy_init() else { throw OBSError.localIO("libcurl could not create a handle") }
        handle = h
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.options = options
    }

    deinit {
        api.pointee.easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    public func send(_ request: HTTPRequest, responseSink: ByteSink?) throws -> HTTPResponse {
        api.pointee.easy_reset(handle)  // keeps the connection cache: keep-alive survives
        let ctx = TransferContext(sink: responseSink)
        // A resumed download or one range of a parallel one (Range with If-Match) must get 206: a 200 would
        // write the whole object where the range belongs. A plain first Range may get 200 (the whole object).
        ctx.requirePartial = request.header("Range") != nil && request.header("If-Match") != nil
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { api.pointee.slist_free_all(headerList) }

        try setup(request, ctx: ctx, headerList: &headerList)
        errorBuffer[0] = 0
        let rc = withExtendedLifetime(ctx) { api.pointee.easy_perform(handle) }
        if let address = ctx.refusedAddress {
            throw TransportError(
                code: Int(rc.rawValue), message: "connected to \(address), not a loopback address", retryable: false,
                isTLSVerification: false, refusedAddress: address)
        }
        if let e = ctx.callbackError { throw e }
        guard rc == CURLE_OK else {
            var e =
                ctx.stalled
                ? TransportError(
                    code: Int(rc.rawValue), message: "no data moved for \(options.lowSpeedTimeSeconds) s (--timeout)",
                    retryable: true, isTLSVerification: false)
                : transportError(rc, plainHTTP: request.scheme == "http")
            e.partialResponseHeaders = ctx.headers
            throw e
        }
        var status = 0
        _ = cc_getinfo_long(api, handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: ctx.headers, body: ctx.body)
    }

    private func setup(
        _ request: HTTPRequest, ctx: TransferContext, headerList: inout UnsafeMutablePointer<curl_slist>?
    ) throws {
        let h = handle
        let opaque = Unmanaged.passUnretained(ctx).toOpaque()
        _ = cc_setopt_str(api, h, CURLOPT_URL, URLBuilder.url(request))
        // A key's "." and ".." segments are part of its name, signed as such: libcurl would squash them (RFC 3986
        // dot-segment removal) and send the request for another key.
        _ = cc_setopt_long(api, h, CURLOPT_PATH_AS_IS, 1)
        _ = cc_setopt_long(api, h, CURLOPT_NOSIGNAL, 1)
        _ = cc_setopt_ptr(api, h, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = cc_setopt_long(api, h, CURLOPT_CONNECTTIMEOUT, options.connectTimeoutSeconds)
        // A stall is judged by our own clock (libcurl's low-speed check averages over several seconds): the
        // progress callback aborts once no byte has moved for lowSpeedTimeSeconds.
        ctx.stallLimit = Double(options.lowSpeedTimeSeconds)
        _ = cc_setopt_long(api, h, CURLOPT_NOPROGRESS, 0)
        _ = cc_setopt_xferinfo(api, h, CURLOPT_XFERINFOFUNCTION, curlProgressCallback)
        _ = cc_setopt_ptr(api, h, CURLOPT_XFERINFODATA, opaque)
        _ = cc_setopt_str(api, h, CURLOPT_USERAGENT, options.userAgent)
        // Larger buffers than libcurl's 16 KiB / 64 KiB defaults: fewer system calls per GiB. Not larger than
        // 256 KiB, so the file read, the CRC and the send find the bytes still in the CPU cache (measured on a
        // 1 GiB upload: about 8 % less client CPU than with a 2 MiB upload buffer). libcurl allocates the receive
        // buffer anew for every transfer: the large one only where a large body may come back.
        if let size = Self.receiveBufferSize(request) { _ = cc_setopt_long(api, h, CURLOPT_BUFFERSIZE, size) }
        _ = cc_setopt_long(api, h, CURLOPT_UPLOAD_BUFFERSIZE, 256 * 1024)
        _ = cc_setopt_long(api, h, CURLOPT_FOLLOWLOCATION, 0)
        if request.loopbackOnly {
            // No proxy (it would forward the headers elsewhere), and the connected address checked before sending.
            _ = cc_setopt_str(api, h, CURLOPT_NOPROXY, "*")
            guard cc_setopt_prereq(api, h, curlPrereqCallback, opaque) == CURLE_OK else {
                let version = api.pointee.version().map { String(cString: $0) } ?? "libcurl"
                throw TransportError(
                    code: 0, message: "\(version) cannot report the connected address (7.80 or later can)",
                    retryable: false, isTLSVerification: false, refusedAddress: "")
            }
        }
        if let ca = options.caBundle { _ = cc_setopt_str(api, h, CURLOPT_CAINFO, ca) }
        if options.insecure {
            _ = cc_setopt_long(api, h, CURLOPT_SSL_VERIFYPEER, 0)
            _ = cc_setopt_long(api, h, CURLOPT_SSL_VERIFYHOST, 0)
        }
        _ = cc_setopt_iofunc(api, h, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        _ = cc_setopt_ptr(api, h, CURLOPT_HEADERDATA, opaque)
        _ = cc_setopt_iofunc(api, h, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        _ = cc_setopt_ptr(api, h, CURLOPT_WRITEDATA, opaque)

        switch request.method {
        case "GET": _ = cc_setopt_long(api, h, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = cc_setopt_long(api, h, CURLOPT_NOBODY, 1)
        default: break
        }
        var postFields = false
        switch request.body {
        case .empty where request.method == "PUT" || request.method == "POST", .bytes([]):
            // No body, and a Content-Length of 0 that says so.
            ctx.source = BufferSource([])
            _ = cc_setopt_long(api, h, CURLOPT_UPLOAD, 1)
            _ = cc_setopt_off(api, h, CURLOPT_INFILESIZE_LARGE, 0)
        case .empty:
            break
        case .bytes(let b) where b.count > Self.postFieldsLimit:
            // A large body (a part read from stdin, a batch delete's XML) is read out of the array by libcurl,
            // not copied whole into its own buffer: memory stays at the one array.
            ctx.source = RewindableBufferSource(b)
            _ = cc_setopt_long(api, h, CURLOPT_UPLOAD, 1)
            _ = cc_setopt_off(api, h, CURLOPT_INFILESIZE_LARGE, curl_off_t(b.count))
        case .bytes(let b):
            // Handed to libcurl as post fields (copied): a body under 64 KiB then leaves in the same write as the
            // headers (one system call and one TCP segment fewer per small upload), and libcurl resends it by
            // itself on a kept-alive connection the server closed. The method stays ours (CUSTOMREQUEST below).
            _ = cc_setopt_off(api, h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(b.count))
            _ = b.withUnsafeBytes {
                cc_setopt_ptr(api, h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
            }
            postFields = true
        case .stream(let source, let length):
            ctx.source = source
            _ = cc_setopt_long(api, h, CURLOPT_UPLOAD, 1)
            if let length { _ = cc_setopt_off(api, h, CURLOPT_INFILESIZE_LARGE, curl_off_t(length)) }
        }
        if ctx.source != nil {
            _ = cc_setopt_iofunc(api, h, CURLOPT_READFUNCTION, curlReadCallback)
            _ = cc_setopt_ptr(api, h, CURLOPT_READDATA, opaque)
            // libcurl resends by itself on a kept-alive connection the server closed meanwhile; without a way back
            // to the first byte that ends in "necessary data rewind wasn't possible".
            _ = cc_setopt_seek(api, h, curlSeekCallback, opaque)
        }
        if request.method != "GET" && request.method != "HEAD" && !(request.method == "PUT" && ctx.source != nil) {
            _ = cc_setopt_str(api, h, CURLOPT_CUSTOMREQUEST, request.method)
        }
        // The last line of defence against header injection (values are validated where requests are made): a CR,
        // LF or NUL would end the header line and start another, or cut it.
        let breaksLine = { (c: UInt8) in c == 0x0D || c == 0x0A || c == 0 }
        for (name, value) in request.headers where (name + value).utf8.contains(where: breaksLine) {
            throw OBSError.invalidArgument(
                "header \(HeaderValues.printable(name)) holds a line break or NUL; nothing was sent: remove it "
                    + "from the value")
        }
        // No 100-continue round trip, no curl defaults we did not sign (post fields bring a form Content-Type).
        var lines = request.headers.map { "\($0.name): \($0.value)" } + ["Expect:", "Accept:"]
        if postFields && request.header("Content-Type") == nil { lines.append("Content-Type:") }
        for line in lines {
            headerList = api.pointee.slist_append(headerList, line)
        }
        _ = cc_setopt_slist(api, h, CURLOPT_HTTPHEADER, headerList)
    }

    /// The receive buffer `request` asks libcurl for; nil: libcurl's own (16 KiB).
    static func receiveBufferSize(_ request: HTTPRequest) -> Int? {
        request.method == "GET" && !request.smallResponse ? 256 << 10 : nil
    }

    private func transportError(_ rc: CURLcode, plainHTTP: Bool) -> TransportError {
        let detail = String(cString: errorBuffer)
        let text =
            detail.isEmpty
            ? api.pointee.easy_strerror(rc).map { String(cString: $0) } ?? "curl error \(rc.rawValue)" : detail
        // A failed handshake (SSL_CONNECT_ERROR) is no verification failure, so --ca-bundle would not help. Most
        // often a connection reset on the way: sent again; but "wrong version number" is a plain-HTTP port
        // answering, which no resend changes.
        let plainPort = rc == CURLE_SSL_CONNECT_ERROR && text.contains("wrong version number")
        let retryable: Set<UInt32> = [
            CURLE_COULDNT_CONNECT.rawValue, CURLE_OPERATION_TIMEDOUT.rawValue, CURLE_RECV_ERROR.rawValue,
            CURLE_SEND_ERROR.rawValue, CURLE_GOT_NOTHING.rawValue, CURLE_PARTIAL_FILE.rawValue,
            CURLE_COULDNT_RESOLVE_HOST.rawValue, CURLE_HTTP2.rawValue, CURLE_HTTP2_STREAM.rawValue,
            CURLE_SSL_CONNECT_ERROR.rawValue,
        ]
        let tls = rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE
        // A TLS port sent plain HTTP closes the connection without a word (OpenSSL's "wrong version number" there).
        let message =
            rc == CURLE_SSL_CONNECT_ERROR
            ? "TLS handshake failed: \(text) (does the endpoint speak https?)"
            : rc == CURLE_GOT_NOTHING && plainHTTP
                ? "\(text) (if the endpoint speaks https, give an https:// URL)" : text
        return TransportError(
            code: Int(rc.rawValue), message: message, retryable: retryable.contains(rc.rawValue) && !plainPort,
            isTLSVerification: tls)
    }
}

/// Per-transfer state reached from the C callbacks through their `void *` argument.
final class TransferContext {
    static let maxErrorBody = 64 * 1024
    static let maxDocumentBody = 32 << 20

    let sink: ByteSink?
    var source: ByteSource?
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var callbackError: Error?
    /// The non-loopback address a `loopbackOnly` request was stopped at.
    var refusedAddress: String?
    var requirePartial = false
    var stallLimit: Double = 30
    var stalled = false
    private var lastBytes: Int64 = -1
    private var lastChange = DispatchTime.now()

    /// True when the transfer should be aborted because nothing moved for `stallLimit` seconds.
    func noteProgress(_ bytes: Int64) -> Bool {
        let now = DispatchTime.now()
        if bytes != lastBytes {
            lastBytes = bytes
            lastChange = now
            return false
        }
        if Double(now.uptimeNanoseconds - lastChange.uptimeNanoseconds) / 1e9 >= stallLimit {
            stalled = true
            return true
        }
        return false
    }
    var bodyBytesDelivered: Int64 = 0

    init(sink: ByteSink?) { self.sink = sink }
}

private func context(_ p: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(p!).takeUnretainedValue()
}

private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let n = size * count
    context(user).headerLine(UnsafeRawBufferPointer(start: data, count: n))
    return n
}

extension TransferContext {
    /// One header line as libcurl hands it over (with its CRLF). A status line (after 100 Continue or a redirect)
    /// starts a fresh header set; `name: value` is kept with the name lower-cased and the value trimmed. Parsed as
    /// bytes: Foundation's `trimmingCharacters` here cost about a tenth of a small upload's CPU.
    func headerLine(_ raw: UnsafeRawBufferPointer) {
        let blank = { (c: UInt8) in c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        var start = raw.startIndex, end = raw.endIndex
        while start < end && blank(raw[start]) { start += 1 }
        while end > start && blank(raw[end - 1]) { end -= 1 }
        let line = raw[start..<end]
        if line.starts(with: "HTTP/".utf8) {
            headers = []
            let fields = line.split(separator: 0x20, maxSplits: 2)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            var value = colon + 1
            while value < end && blank(line[value]) { value += 1 }
            let name = line[start..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            headers.append(
                (String(decoding: name, as: UTF8.self), String(decoding: line[value..<end], as: UTF8.self)))
        }
    }
}

private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let n = size * count
    let ctx = context(user)
    let bytes = UnsafeRawBufferPointer(start: data, count: n)
    let success = (200..<300).contains(ctx.status)
    if success && ctx.requirePartial && ctx.status != 206 {
        ctx.callbackError = OBSError(
            code: "RangeIgnored", message: "the server ignored the Range of a resumed download", httpStatus: ctx.status,
            category: .transient)
        return 0
    }
    if success, let sink = ctx.sink {
        if ctx.bodyBytesDelivered == 0, let observer = sink as? ResponseHeadObserver {
            observer.responseBegins(status: ctx.status, headers: ctx.headers)
        }
        do {
            try sink.write(bytes)
            ctx.bodyBytesDelivered += Int64(n)
        } catch {
            ctx.callbackError = error
            return 0
        }
    } else {
        // Small documents (listings, XML results, error bodies) are kept whole, up to a bound.
        let limit = success ? TransferContext.maxDocumentBody : TransferContext.maxErrorBody
        guard ctx.body.count + n <= limit else {
            ctx.callbackError = OBSError(
                code: "ResponseTooLarge", message: "the server's response is larger than \(limit) bytes",
                httpStatus: ctx.status, category: .general)
            return 0
        }
        ctx.body.append(contentsOf: bytes)
    }
    return n
}

private func curlProgressCallback(
    _ user: UnsafeMutableRawPointer?, _ dltotal: curl_off_t, _ dlnow: curl_off_t,
    _ ultotal: curl_off_t, _ ulnow: curl_off_t
) -> Int32 {
    context(user).noteProgress(Int64(dlnow) + Int64(ulnow)) ? 1 : 0
}

/// Lets a `loopbackOnly` request go only when the connection's address is a loopback one.
private func curlPrereqCallback(
    _ user: UnsafeMutableRawPointer?, _ primaryIP: UnsafeMutablePointer<CChar>?,
    _ localIP: UnsafeMutablePointer<CChar>?,
    _ primaryPort: Int32, _ localPort: Int32
) -> Int32 {
    let address = primaryIP.map { String(cString: $0) } ?? ""
    guard LoopbackAddress.isLoopback(address) else {
        context(user).refusedAddress = address
        return Int32(CURL_PREREQFUNC_ABORT)
    }
    return Int32(CURL_PREREQFUNC_OK)
}

private func curlReadCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let ctx = context(user)
    guard let source = ctx.source else { return 0 }
    do { return try source.read(into: UnsafeMutableRawBufferPointer(start: data, count: size * count)) } catch {
        ctx.callbackError = error
        return Int(CURL_READFUNC_ABORT)
    }
}

/// Back to the body's first byte, the only seek libcurl asks for when it resends; a source that cannot start over
/// makes libcurl fail the transfer instead.
private func curlSeekCallback(_ user: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    let ctx = context(user)
    guard offset == 0, origin == SEEK_SET, let source = ctx.source as? RewindableByteSource else {
        return Int32(CURL_SEEKFUNC_CANTSEEK)
    }
    do { try source.rewind() } catch {
        ctx.callbackError = error
        return Int32(CURL_SEEKFUNC_FAIL)
    }
    return Int32(CURL_SEEKFUNC_OK)
}

/// Builds the request URL from its parts: path as given (already encoded), query percent-encoded here, by the
/// same rule the signers use.
enum URLBuilder {
    static func url(_ r: HTTPRequest) -> String {
        var s = "\(r.scheme)://\(r.isIPv6 ? "[\(r.host)]" : r.host)"
        if let p = r.port { s += ":\(p)" }
        s += r.path
        if !r.query.isEmpty { s += "?" + URIEncoding.queryString(r.query) }
        return s
    }
}
