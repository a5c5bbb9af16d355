import OBSCore

extension LocalBackend {
    /// Streams bytes `range` (nil: all) of the object into `sink`, but only if its ETag is still `etag` (when given)
    /// once the object is opened, so that what a server announced from a HEAD (length, ETag) matches the bytes
    /// sent: a changed object fails with 412 PreconditionFailed before any byte.
    public func getObject(
        _ request: GetObjectRequest, pinnedTo etag: String?, range: Range<Int64>?, into sink: ByteSink
    ) async throws -> ObjectInfo {
        try await BlockingPool.shared.run {
            let (source, info) = try self.openRange(request, pinnedTo: etag, range: range)
            var buf = [UInt8](repeating: 0, count: OBXEncryptor.batchChunks * OBXFormat.chunkSize)
            while true {
                let n = try buf.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { return info }
                try buf.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    /// The verified plaintext of bytes `range` of an object (pinned to `etag` when given), as a source: blocking,
    /// call it on the blocking pool. See `RangeSource` for what is read.
    public func openRange(_ request: GetObjectRequest, pinnedTo etag: String?, range: Range<Int64>?) throws
        -> (ByteSource, ObjectInfo)
    {
        try openRange(request, pinnedTo: etag) { _ in range }
    }

    /// As above, the range chosen from the object once it is open (its data key unwrapped, so a KMS or SSE-C
    /// refusal comes before anything is answered): a server answers headers that describe the very bytes it sends.
    public func openRange(
        _ request: GetObjectRequest, pinnedTo etag: String?, range chooseRange: (ObjectInfo) throws -> Range<Int64>?
    ) throws -> (ByteSource, ObjectInfo) {
        var range: Range<Int64>? = nil
        let object = try openObject(request) { info in
            if let etag, info.etag != etag { throw OBSError.sourceChanged(request.bucket.value, request.key.value) }
            range = try chooseRange(info)
            return range?.lowerBound ?? 0
        }
        let size = object.meta.size
        let start = min(range?.lowerBound ?? 0, size), end = min(range?.upperBound ?? size, size)
        let source = RangeSource(
            object.source, skip: object.skip, length: end - start, readsToEnd: object.meta.sse.mode == .unencrypted,
            what: "obs://\(request.bucket)/\(request.key)")
        return (source, object.info)
    }
}

/// `length` bytes of an object's plaintext after dropping `skip` bytes of `source` (positioned at the chunk that
/// holds the range's start); reading stops after the range. An unencrypted object is read to its end
/// (`readsToEnd`), so that its data MAC is still verified before the last byte is handed out.
final class RangeSource: ByteSource {
    private let source: ByteSource
    private var skip: Int64
    private var remaining: Int64
    private let readsToEnd: Bool
    private let what: String
    private var scratch: [UInt8] = []

    /// `source` positioned `skip` bytes before the range's start.
    init(_ source: ByteSource, skip: Int64, length: Int64, readsToEnd: Bool, what: String) {
        self.source = source
        self.skip = skip
        self.remaining = length
        self.readsToEnd = readsToEnd
        self.what = what
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while skip > 0 {
            if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 1 << 20) }
            let want = Int(min(Int64(scratch.count), skip))
            let n = try scratch.withUnsafeMutableBytes { try source.read(into: .init(rebasing: $0[0..<want])) }
            if n == 0 { throw OBSError.integrity("\(what) ended early") }
            skip -= Int64(n)
        }
        if remaining == 0 {
            if readsToEnd {  // drain (and so verify) the rest
                if scratch.isEmpty { scratch = [UInt8](repeating: 0, count: 1 << 20) }
                while try scratch.withUnsafeMutableBytes({ try source.read(into: $0) }) > 0 {}
            }
            return 0
        }
        let want = Int(min(Int64(buffer.count), remaining))
        let n = try source.read(into: .init(rebasing: buffer[0..<want]))
        if n == 0 { throw OBSError.integrity("\(what) ended early") }
        remaining -= Int64(n)
        return n
    }
}
