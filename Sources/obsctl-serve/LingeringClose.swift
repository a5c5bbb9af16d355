import Foundation
import Hummingbird
import NIOCore

/// A refusal answered before its request's body was all read (no such bucket, a refused key): the answer goes out
/// at once, then the rest of the body is read and dropped until it ends, the client closes, nothing arrives for
/// `quiet` seconds, or `total` seconds have passed; then the connection closes. A client that sends its whole body
/// before it reads (urllib3 without `Expect`) hears the answer, rather than a reset or nothing until the idle
/// timeout; one that waited for `100 Continue` closes on the answer's `Connection: close`. Nginx's and Apache's
/// lingering close do the same (nginx: 5 s quiet, 30 s in all).
final class LingeringClose: @unchecked Sendable {  // @unchecked: `lastArrival` is only touched under `lock`
    private let lock = NSLock()
    private var lastArrival = Date()
    private let quiet: TimeInterval
    private let total: TimeInterval

    init(quiet: TimeInterval, total: TimeInterval) {
        self.quiet = quiet
        self.total = total
    }

    /// A dropped piece of the body arrived.
    func arrived() { lock.withLock { lastArrival = Date() } }

    /// `response`, whose body, once written, waits for `producer` (the reader of the request's body) to end as
    /// above and then closes `channel`. The producer must be out of the request before the body returns: Hummingbird
    /// then reads the request's iterator itself, and two readers at once are a NIO precondition failure.
    func respond(_ response: Response, producer: Task<Void, Never>, channel: any Channel) -> Response {
        var response = response
        let answer = response.body
        response.body = ResponseBody(contentLength: answer.contentLength) { writer in
            defer { channel.close(promise: nil) }
            var failure: Error?
            do {
                try await answer.write(writer)
                self.arrived()  // the quiet time counts from the answer
            } catch {
                failure = error
                producer.cancel()
            }
            let deadline = Task { await self.cancelWhenDue(producer) }
            await producer.value
            deadline.cancel()
            if let failure { throw failure }
        }
        return response
    }

    private func cancelWhenDue(_ producer: Task<Void, Never>) async {
        let started = Date()
        while !Task.isCancelled {
            let last = lock.withLock { lastArrival }
            if Date().timeIntervalSince(last) >= quiet || Date().timeIntervalSince(started) >= total {
                producer.cancel()
                return
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
