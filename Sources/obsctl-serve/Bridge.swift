import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import OBSCore
import OBSServer

/// The request context: Hummingbird's core storage plus the peer address, which the server's rules need (SSE over
/// plain HTTP is allowed from loopback only).
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: PeerAddress
    /// For the `100 Continue` sent when the body is first read (`ContinueHandler`).
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        let address = source.channel.remoteAddress
        peer = PeerAddress(ip: address?.ipAddress ?? "", port: address?.port ?? 0)
    }
}

/// Turns Hummingbird's requests into `ServerRequest`s for a `RequestHandler` and its `ServerResponse`s back:
/// bodies stream both ways through bounded bridges, never whole in memory.
struct Bridge: HTTPResponder {
    typealias Context = ServeContext
    let handler: any RequestHandler
    let isTLS: Bool
    /// How long a request body may send nothing while the handler waits for it (`ServeSettings.bodyTimeout`).
    let bodyTimeout: TimeInterval

    func respond(to request: Request, context: ServeContext) async throws -> Response {
        let target = request.head.path ?? "/"
        let (path, query): (Substring, Substring)
        if let q = target.firstIndex(of: "?") {
            (path, query) = (target[..<q], target[target.index(after: q)...])
        } else {
            (path, query) = (target[...], "")
        }
        // HTTP/1.1's Host header arrives as the :authority pseudo-header; signatures cover it as Host.
        var headers: [(name: String, value: String)] = []
        if let authority = request.head.authority { headers.append(("Host", authority)) }
        for field in request.head.headerFields { headers.append((field.name.rawName, field.value)) }

        let body = StreamedRequestBody(stallTimeout: bodyTimeout)
        if request.head.headerFields[.expect] != nil {
            let channel = context.channel
            body.onFirstRead = {
                channel.eventLoop.execute {
                    try? channel.pipeline.syncOperations.handler(type: ContinueHandler.self).sendContinue()
                }
            }
        }
        let requestBody = request.body
        let producer = Task {
            do {
                for try await buffer in requestBody {
                    // Once the handler is done, the rest is read and dropped (the lingering close below).
                    if body.isAbandoned { body.dropped() } else { _ = await body.push(Array(buffer: buffer)) }
                }
                body.finish()
            } catch {
                body.finish(error: RequestBodyFailure.connectionLost("\(error)"))
            }
        }
        let serverRequest = ServerRequest(
            method: request.head.method.rawValue, rawPath: String(path), rawQuery: String(query), headers: headers,
            peer: context.peer, isTLS: isTLS, body: body)
        var answer = await handler.handle(serverRequest)
        // Once the response is written, Hummingbird reads what is left of the request from the same iterator: the
        // producer must be out of it by then (a second reader at once is a NIO precondition failure, a crash).
        body.abandon()
        let isHead = request.head.method == .head
        if body.didStall || Self.declaresBody(request.head) && !body.isComplete {
            // The body is not all here: the answer says the connection closes, as S3 closes it.
            answer.setHeader("Connection", "close")
            if !body.didStall && !isHead {
                let linger = LingeringClose(body: body, quiet: min(2, bodyTimeout), total: bodyTimeout)
                return linger.respond(response(answer, isHead: false), producer: producer, channel: context.channel)
            }
            // A stalled client sends nothing more: cancelling the producer ends the connection's input.
            producer.cancel()
        }
        await withTaskCancellationHandler {
            await producer.value
        } onCancel: {
            producer.cancel()
        }
        return response(answer, isHead: isHead)
    }

    /// Whether the request says a body follows (a length above 0, or chunks).
    static func declaresBody(_ head: HTTPRequest) -> Bool {
        if let length = head.headerFields[.contentLength], let n = Int(length) { return n > 0 }
        return head.headerFields[.transferEncoding] != nil
    }

    func response(_ answer: ServerResponse, isHead: Bool) -> Response {
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .empty:
            return Response(status: status, headers: fields, body: ResponseBody())
        case .bytes(let bytes):
            if isHead { return Response(status: status, headers: fields, body: ResponseBody()) }
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let length, let write):
            let body = ResponseBody(contentLength: Int(length)) { writer in
                // The backend's writer blocks a pool thread while the queue is full: for the stall timeout at most, so
                // clients that stop reading cannot hold the pool's threads until their connections' idle timeout.
                let buffers = ResponseBufferRing()
                let sink = StreamedResponseBody(
                    capacity: S3Service.responseQueueBytes, stallTimeout: bodyTimeout, fillChunk: buffers.fill)
                let backend = Task {
                    defer { sink.finish() }
                    try await write(sink)
                }
                do {
                    while let chunk = await sink.next() {
                        try await writer.write(chunk)
                    }
                } catch {
                    sink.cancel()
                    _ = try? await backend.value
                    throw error
                }
                // A backend failure after the headers went out: the only honest signal left is a cut connection.
                try await backend.value
                try await writer.finish(nil)
            }
            return Response(status: status, headers: fields, body: body)
        }
    }
}
