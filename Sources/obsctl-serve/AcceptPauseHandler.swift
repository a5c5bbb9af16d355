import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Stops a listener's accept loop while the process is out of file descriptors (or the kernel of memory for
/// sockets). SwiftNIO's listening channel keeps its read interest after accept(2) fails with EMFILE: its read stays
/// pending until an accept succeeds, so epoll reports the waiting connections again at once and the event loop spun
/// at a full core for as long as the shortage lasted (measured: 93% of a core, 80 connections waiting under a limit
/// of 48 descriptors). NIO's own AcceptBackoffHandler only delays reads it is asked for, and none is asked for then.
///
/// On such an error this handler turns the listener's auto-read off, which withdraws the read interest, and back on
/// after `pause`; the waiting connections stay in the kernel's backlog meanwhile. One line on stderr says what to
/// raise, once per shortage (again only after an accept has succeeded since). Installed first in the listener's
/// pipeline: NIO's AcceptBackoffHandler, ahead of everything else, does not pass these errors on.
final class AcceptPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    static let pause = TimeAmount.milliseconds(250)
    private let option: String
    private var paused = false
    private var told = false

    /// `option`: the command-line option of this listener (`--listen`, `--kms-listen`), for the message.
    init(option: String) { self.option = option }

    /// The errors of accept(2) that say the process or the system is out of something that frees up by itself.
    static func isShortage(_ error: Error) -> Bool {
        guard let e = error as? IOError else { return false }
        return [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(e.errnoCode)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        told = false  // an accept succeeded: the shortage is over
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if Self.isShortage(error), !paused {
            paused = true
            if !told {
                told = true
                let e = (error as? IOError)?.errnoCode ?? EMFILE
                FileHandle.standardError.write(
                    Data(
                        ("obsctl serve: cannot accept connections on \(option): \(String(cString: strerror(e))); new "
                            + "connections wait until descriptors free up (raise the open-file limit, ulimit -n)\n")
                            .utf8))
            }
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let channel = context.channel
            context.eventLoop.scheduleTask(in: Self.pause) {
                handler.value.paused = false
                channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            }
        }
        context.fireErrorCaught(error)
    }
}
