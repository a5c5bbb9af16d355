import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client stops reading its answer: the channel stays unwritable (the socket's buffer
/// full and NIO's queue past its high-water mark) for `timeout`, the body timeout. The answer's writer waits for
/// writability, and nothing else bounds that wait, so the backend's cut (`StreamedResponseBody`'s stall timeout)
/// left the connection open with its queued bytes held for as long as the client kept it: memory grew with every
/// stalled reader the downloads lane let through. Closing fails the pending writes and frees them.
final class StalledReaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stop()
        } else if deadline == nil {
            let channel = context.channel
            deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop() }

    private func stop() {
        deadline?.cancel()
        deadline = nil
    }
}
