import Foundation
import OBSCore
import OBSCrypto
import Testing

@testable import OBSClient

/// Downloads that break mid-body resume after the bytes already delivered, pinned to the same object (Range with
/// If-Match), and never write a byte twice; without an ETag to pin to, they fail instead.
struct RequestExecutorResumeTests {
    private let content = Array("0123456789abcdefghij".utf8)
    private var etag: String { "\"" + Hex.encode(Digest.md5(content)) + "\"" }

    @Test("reset after 7 bytes, then truncated after 5 more: the GET resumes twice, Range bytes=7- and 12-, If-Match")
    func resumesAfterWhatWasDelivered() async throws {
        let headers = [("etag", etag), ("content-length", "20")]
        let script = FaultScript([
            .breaks(200, headers, Array(content[0..<7]), .reset),
            .breaks(206, headers + [("content-range", "bytes 7-19/20")], Array(content[7..<12]), .truncated),
            .answer(206, headers + [("content-range", "bytes 12-19/20")], Array(content[12...])),
        ])
        let client = try faultClient(script, retries: 3)
        let (b, k) = try object()
        let sink = BufferSink()
        let info = try await client.getObject(GetObjectRequest(bucket: b, key: k), into: sink)
        #expect(sink.bytes == content, "byte-exact, nothing written twice")
        #expect(info.size == 20)
        #expect(script.requests.count == 3)
        #expect(script.header("Range", ofRequest: 0) == nil && script.header("If-Match", ofRequest: 0) == nil)
        #expect(script.header("Range", ofRequest: 1) == "bytes=7-" && script.header("If-Match", ofRequest: 1) == etag)
        #expect(script.header("Range", ofRequest: 2) == "bytes=12-" && script.header("If-Match", ofRequest: 2) == etag)
    }

    @Test("a stall mid-body (--timeout) resumes the same way")
    func stallResumes() async throws {
        let script = FaultScript([
            .breaks(200, [("etag", etag)], Array(content[0..<3]), .stalled),
            .answer(206, [("etag", etag), ("content-range", "bytes 3-19/20")], Array(content[3...])),
        ])
        let client = try faultClient(script, retries: 1)
        let (b, k) = try object()
        let sink = BufferSink()
        _ = try await client.getObject(GetObjectRequest(bucket: b, key: k), into: sink)
        #expect(sink.bytes == content && script.header("Range", ofRequest: 1) == "bytes=3-")
    }

    @Test("broken mid-body with no ETag to pin the resume to: no resend (it could splice two versions), exit 11")
    func noETagNoResume() async throws {
        let script = FaultScript([.breaks(200, [], Array(content[0..<7]), .reset), .answer(200, [], content)])
        let client = try faultClient(script, retries: 3)
        let (b, k) = try object()
        let sink = BufferSink()
        let error = await #expect(throws: OBSError.self) {
            _ = try await client.getObject(GetObjectRequest(bucket: b, key: k), into: sink)
        }
        #expect(script.requests.count == 1 && sink.bytes == Array(content[0..<7]))
        #expect(error?.code == "NetworkError" && error?.category == .transient)
    }

    @Test("the retry budget counts resumes: --retries 1 and two breaks fail with exit 11")
    func resumesSpendTheBudget() async throws {
        let script = FaultScript([
            .breaks(200, [("etag", etag)], Array(content[0..<2]), .reset),
            .breaks(206, [("etag", etag)], Array(content[2..<4]), .reset),
            .answer(206, [("etag", etag)], Array(content[4...])),
        ])
        let client = try faultClient(script, retries: 1)
        let (b, k) = try object()
        await #expect(throws: OBSError.self) {
            _ = try await client.getObject(GetObjectRequest(bucket: b, key: k), into: BufferSink())
        }
        #expect(script.requests.count == 2)
    }

    @Test("the object changed between the break and the resume (412 to If-Match): a conflict, not retried")
    func changedObjectFailsTheResume() async throws {
        let script = FaultScript([
            .breaks(200, [("etag", etag)], Array(content[0..<5]), .reset),
            .answer(412, [], errorBody("PreconditionFailed")),
            .answer(206, [("etag", etag)], Array(content[5...])),
        ])
        let client = try faultClient(script, retries: 3)
        let (b, k) = try object()
        let error = await #expect(throws: OBSError.self) {
            _ = try await client.getObject(GetObjectRequest(bucket: b, key: k), into: BufferSink())
        }
        #expect(script.requests.count == 2 && error?.category == .conflict)
    }

    @Test("one range of a parallel download (Range + If-Match from the start): resumes inside its own range")
    func rangeResumesInsideItsRange() throws {
        let (b, k) = try object()
        let op = RemoteBackend.Operation(method: "GET", bucket: b, key: k, range: 100...119, ifMatch: etag)
        let script = FaultScript([
            .breaks(206, [("etag", etag)], Array(content[0..<6]), .truncated),
            .answer(206, [("etag", etag)], Array(content[6...])),
        ])
        let client = try faultClient(script, retries: 2)
        let sink = BufferSink()
        let response = try client.serialised { try client.performBlocking(op, sink: sink, transport: $0) }
        #expect(response.status == 206 && sink.bytes == content)
        #expect(
            script.header("Range", ofRequest: 0) == "bytes=100-119" && script.header("If-Match", ofRequest: 0) == etag)
        #expect(
            script.header("Range", ofRequest: 1) == "bytes=106-119" && script.header("If-Match", ofRequest: 1) == etag)
    }

    @Test("the state machine alone: the next request after a break carries the resume headers")
    func stateMachineAlone() throws {
        let (b, k) = try object()
        let configuration = try faultClient(FaultScript([]), retries: 2).configuration
        var executor = RequestExecutor(
            RemoteBackend.Operation(method: "GET", bucket: b, key: k),
            configuration: configuration)
        #expect(executor.nextOperation(delivered: 0).headers.isEmpty)
        var broken = TransportError.reset
        broken.partialResponseHeaders = [(name: "etag", value: "\"v1\"")]
        guard case .resend(let retry, nil) = executor.decide(.failure(broken), delivered: 9, kmsAccepted: false) else {
            Issue.record("a break with an ETag is resumed")
            return
        }
        #expect(retry == 1)
        let next = executor.nextOperation(delivered: 9)
        #expect(
            next.headers.contains { $0 == ("Range", "bytes=9-") }
                && next.headers.contains { $0 == ("If-Match", "\"v1\"") })
        guard
            case .done = executor.decide(
                .response(HTTPResponse(status: 206, headers: [], body: [])), delivered: 20,
                kmsAccepted: false)
        else {
            Issue.record("a 206 ends the request")
            return
        }
    }
}
