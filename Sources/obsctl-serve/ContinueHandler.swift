import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` with `100 Continue` once the request is worth its body: when the server first
/// reads the body (`sendContinue`, asked by `Bridge`), not when the head arrives. A request refused before that (no
/// such bucket, a refused key, a header serve does not keep) is answered with its error alone, and a client that
/// waits for the 100 (botocore, curl) sends no body at all, rather than a body nobody reads. Clients that do not
/// wait long (curl gives up after a second) send their body anyway, as they would to any server.
final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var context: ChannelHandlerContext?
    /// For each request received and not yet answered, in order, whether it still waits for a 100. Requests are
    /// answered in order, so the first is the one being served: a pipelined request's head may arrive while an
    /// earlier one is still served, and must not take (or lose) that one's place.
    private var unanswered: [Bool] = []

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            unanswered.append(head.headerFields[.expect]?.lowercased() == "100-continue")
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data), head.status != .continue, !unanswered.isEmpty {
            unanswered.removeFirst()
        }
        context.write(data, promise: promise)
    }

    /// The server reads the body: the 100 goes out, if the request being served asked for one and has no answer
    /// yet. On the channel's event loop (see `Bridge`).
    func sendContinue() {
        guard unanswered.first == true, let context else { return }
        unanswered[0] = false
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
    }
}
