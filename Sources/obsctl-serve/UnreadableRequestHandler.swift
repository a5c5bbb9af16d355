import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import OBSServer

/// Gives the HTTP layer's answer to bytes that are no HTTP/1.1 request what every other answer has. Hummingbird
/// answers a parser error (two Content-Lengths, a header section past its limit, a garbled request line) with a
/// bare 400 before any handler sees a request: no request id, no error document, no access-log line. This handler
/// notes the parser's error on its way in and, on the way out, puts the handler's answer
/// (`RequestHandler.unreadableRequestAnswer`) in place of that 400, which is known by carrying no request id.
final class UnreadableRequestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let handler: any RequestHandler
    private var parserError: HTTPParserError?

    init(handler: any RequestHandler) { self.handler = handler }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let e = error as? HTTPParserError { parserError = e }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let error = parserError, case .head(let head) = unwrapOutboundIn(data), head.status == .badRequest,
            !head.headerFields.contains(where: { $0.name.canonicalName.hasSuffix("-request-id") })
        else { return context.write(data, promise: promise) }
        parserError = nil
        let address = context.channel.remoteAddress
        let peer = PeerAddress(ip: address?.ipAddress ?? "", port: address?.port ?? 0)
        guard
            let answer = handler.unreadableRequestAnswer(
                peer: peer, headerSectionTooLarge: error == .headerOverflow),
            case .bytes(let body) = answer.body
        else { return context.write(data, promise: promise) }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        fields[.connection] = "close"
        fields[.contentLength] = String(body.count)
        let status = HTTPResponse.Status(code: answer.status)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: promise)
    }
}
