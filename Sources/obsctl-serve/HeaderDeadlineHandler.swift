import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose next request head has not arrived `timeout` after the connection opened or after its
/// previous answer was written to the socket. A client that sends its headers a byte at a time (slowloris) would
/// otherwise hold a connection for as long as it keeps sending, since the idle timeout counts only silence; an idle
/// keep-alive connection is closed after the same time, as S3 and nginx close theirs (clients open a new one). The
/// bodies that follow heads have their own bound (`--body-timeout`). The clock starts once the answer's last byte
/// is in the kernel's hands, not when it is queued: a close before that would cut a slow reader's download short.
/// An answer that closes the connection (`Connection: close`: the lingering close) starts no clock.
final class HeaderDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Heads received whose answers have not ended: pipelined requests may be read before earlier ones are answered.
    private var unanswered = 0
    /// The answer being written says the connection closes.
    private var closing = false

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            unanswered += 1
            stop()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational:
            closing = head.headerFields[.connection]?.lowercased() == "close"
        case .end:
            unanswered = max(0, unanswered - 1)
            guard unanswered == 0, !closing else { break }
            let written = promise ?? context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenSuccess { [weak self] in
                guard let self, self.unanswered == 0 else { return }
                self.start(context)
            }
            context.write(data, promise: written)
            return
        default: break
        }
        context.write(data, promise: promise)
    }

    private func start(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    private func stop() {
        deadline?.cancel()
        deadline = nil
    }
}
