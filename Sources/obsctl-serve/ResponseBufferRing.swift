import NIOCore

/// The NIO buffers one streamed answer is sent in, used in turn. A buffer comes round again once the channel wrote
/// it out and let it go; then it is filled again in place instead of a fresh one being allocated: large allocations
/// are fresh mappings here (`ServeEntrypoint.keepLargeBuffersOutOfTheHeap`), whose pages fault in at each fill,
/// and for a 1 GiB GET that was half the server's CPU. A buffer the channel still holds is not overwritten: NIO's
/// copy-on-write gives that turn a new one, as before.
/// `@unchecked Sendable`: one answer's writer fills it, one call at a time (`StreamedResponseBody.fill`).
final class ResponseBufferRing: @unchecked Sendable {
    private var buffers: [ByteBuffer]
    private var turn = 0

    /// `count`: more than the answer's chunks in flight at once (its queue and the channel's), so the buffer that
    /// comes round has usually been written out.
    init(count: Int = 4) {
        buffers = Array(repeating: ByteBuffer(), count: count)
    }

    func fill(
        minimum: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> (chunk: ByteBuffer, count: Int) {
        let i = turn
        turn = (turn + 1) % buffers.count
        // In place in the array: a local copy would share the storage and defeat the reuse.
        buffers[i].clear()
        let n = try buffers[i].writeWithUnsafeMutableBytes(minimumWritableBytes: minimum) { try body($0) }
        return (buffers[i], n)
    }
}
