import Foundation
import Hummingbird
import NIOCore
import OBSServer

/// A refusal answered before its request's body was all read (no such bucket, a refused key): the answer goes out
/// at once, then the rest of the body is read and dropped until it ends, the client closes, nothing arrives for
/// `quiet` seconds, or `total` seconds have passed; then the connection closes. A client that sends its whole body
/// before it reads (urllib3 without `Expect`) hears the answer, rather than a reset or nothing until the idle
/// timeout; one that waited for `100 Continue` closes on the answer's `Connection: close`. Nginx's and Apache's
/// lingering close do the same (nginx: 5 s quiet, 30 s in all).
struct LingeringClose: Sendable {
    /// The request's body, which counts the pieces dropped (`StreamedRequestBody.dropped`).
    let body: StreamedRequestBody
    let quiet: TimeInterval
    let total: TimeInterval

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
            } catch {
                failure = error
                producer.cancel()
            }
            let deadline = Task { await cancelWhenDue(producer, answered: Date()) }
            await producer.value
            deadline.cancel()
            if let failure { throw failure }
        }
        return response
    }

    /// Cancels `producer` once nothing was dropped for `quiet` seconds (counted from the answer at the earliest),
    /// or `total` seconds after the answer.
    private func cancelWhenDue(_ producer: Task<Void, Never>, answered: Date) async {
        while !Task.isCancelled {
            let last = max(body.lastDrop ?? answered, answered)
            if Date().timeIntervalSince(last) >= quiet || Date().timeIntervalSince(answered) >= total {
                producer.cancel()
                return
            }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
