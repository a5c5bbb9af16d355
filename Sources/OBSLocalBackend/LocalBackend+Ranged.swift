import OBSCore

extension LocalBackend {
    /// The verified plaintext of the bytes of an object that `chooseRange` picks from its info (nil: all), as a
    /// source: blocking, call it on the blocking pool. The range is chosen once the object is open (its data key
    /// unwrapped, so a KMS or SSE-C refusal comes before anything is answered): a server answers headers that
    /// describe the very bytes it sends. See `RangeSource` for what is read.
    public func openRange(_ request: GetObjectRequest, range chooseRange: (ObjectInfo) throws -> Range<Int64>?)
        throws -> (ByteSource, ObjectInfo)
    {
        var range: Range<Int64>? = nil
        let object = try openObject(request) { info in
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

    /// `source` positioned `skip` bytes before the range's start.
    init(_ source: ByteSource, skip: Int64, length: Int64, readsToEnd: Bool, what: String) {
        self.source = source
        self.skip = skip
        self.remaining = length
        self.readsToEnd = readsToEnd
        self.what = what
    }

    /// What is skipped, or drained, is read in blocks of at least `passSize`: through the caller's buffer when
    /// it is that large, else through one of its own for the time it takes. A server sizes its buffer to the
    /// range, so a 1-byte range of a large unencrypted object would otherwise cost a read per byte it passes.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if buffer.isEmpty { return 0 }
        if skip > 0 || remaining == 0 && readsToEnd {
            try pass(through: buffer)
        }
        if remaining == 0 { return 0 }
        let want = Int(min(Int64(buffer.count), remaining))
        let n = try source.read(into: .init(rebasing: buffer[0..<want]))
        if n == 0 { throw OBSError.integrity("\(what) ended early") }
        remaining -= Int64(n)
        return n
    }

    static let passSize = 256 << 10

    /// Drops the `skip` bytes before the range, or, after it, drains (and so verifies) the rest.
    private func pass(through buffer: UnsafeMutableRawBufferPointer) throws {
        func passing(_ scratch: UnsafeMutableRawBufferPointer) throws {
            while skip > 0 {
                let n = try source.read(into: .init(rebasing: scratch[0..<Int(min(Int64(scratch.count), skip))]))
                if n == 0 { throw OBSError.integrity("\(what) ended early") }
                skip -= Int64(n)
            }
            if remaining == 0 && readsToEnd {
                while try source.read(into: scratch) > 0 {}
            }
        }
        if buffer.count >= Self.passSize { return try passing(buffer) }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.passSize, alignment: 16)
        defer { scratch.deallocate() }
        try passing(scratch)
    }
}
