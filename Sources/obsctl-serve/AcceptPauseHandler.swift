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
/// after `pause`; the waiting connections stay in the kernel's backlog meanwhile (once descriptors are free, NIO's
/// back-off may hold further accepts up to a second). One line on stderr says what ran short, at most once a minute
/// (`noteInterval`): a server kept at its limit by steady traffic meets the error again at every pause. Installed
/// first in the listener's pipeline: NIO's AcceptBackoffHandler, ahead of everything else, does not pass these
/// errors on.
final class AcceptPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    static let pause = TimeAmount.milliseconds(250)
    static let noteInterval = TimeAmount.seconds(60)
    private let option: String
    private var paused = false
    private var lastNote: NIODeadline?

    /// `option`: the command-line option of this listener (`--listen`, `--kms-listen`), for the message.
    init(option: String) { self.option = option }

    /// The errors of accept(2) that say the process or the system is out of something that frees up by itself.
    static func isShortage(_ error: Error) -> Bool {
        guard let e = error as? IOError else { return false }
        return [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(e.errnoCode)
    }

    /// The line for a shortage of `errno`: what ran short and what to raise, if anything.
    static func note(_ errno: Int32, option: String) -> String {
        let what =
            switch errno {
            case EMFILE: "this process's open-file limit is reached; raise it (ulimit -n)"
            case ENFILE: "the system's open-file limit is reached (sysctl fs.file-max)"
            default: "the system is short of memory for sockets"
            }
        return "obsctl serve: cannot accept connections on \(option) (\(String(cString: strerror(errno)))): \(what); "
            + "new connections wait until it eases"
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if Self.isShortage(error), !paused {
            paused = true
            let now = NIODeadline.now()
            if lastNote.map({ now - $0 >= Self.noteInterval }) ?? true {
                lastNote = now
                let e = (error as? IOError)?.errnoCode ?? EMFILE
                FileHandle.standardError.write(Data((Self.note(e, option: option) + "\n").utf8))
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
