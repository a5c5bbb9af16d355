import OBSCore
import OBSCrypto

/// Reads an OBX1 stream and serves its plaintext as a `ByteSource`.
///
/// Before the first byte: the file length must equal `OBXFormat.encryptedSize` for the size recorded in the
/// (MAC-verified) metadata, and the header must carry the expected uid and part number. After that, each chunk's
/// plaintext is released only once its tag has verified; any failure is an integrity error and nothing of that
/// chunk is served.
final class OBXDecryptor: ByteSource {
    typealias ReadAt = (_ offset: Int64, _ into: UnsafeMutableRawBufferPointer) throws -> Int

    private let cipher: OBXStreamCipher
    private let readAt: ReadAt
    private let plaintextSize: Int64
    private let chunkCount: Int64
    /// The most chunks read and decrypted at once: a whole batch, or all of a smaller object's.
    private let batchChunks: Int
    private var nextChunk: Int64 = 0
    private var cipherBuffer: [UInt8]
    private var plainBuffer: [UInt8]
    private var plainStart = 0, plainEnd = 0
    private var plainUsed = 0  // how much of `plainBuffer` ever held plaintext: what must be wiped
    /// How many chunks went through `plainBuffer` rather than straight into the caller's buffer (tests).
    private(set) var chunksCopied = 0

    init(
        dek: SecretBytes, expectedUID: [UInt8], expectedPart: UInt32, plaintextSize: Int64, fileSize: Int64,
        readAt: @escaping ReadAt
    ) throws {
        guard fileSize == OBXFormat.encryptedSize(plaintextSize: plaintextSize) else {
            throw OBSError.integrity(
                "data file is \(fileSize) bytes, expected \(OBXFormat.encryptedSize(plaintextSize: plaintextSize))")
        }
        var headerBytes = [UInt8](repeating: 0, count: OBXFormat.headerSize)
        let n = try headerBytes.withUnsafeMutableBytes { try readAt(0, $0) }
        guard n == OBXFormat.headerSize else { throw OBSError.integrity("data file header is truncated") }
        let header = try OBXHeader.decode(headerBytes)
        guard constantTimeEquals(header.objectUID, expectedUID) else {
            throw OBSError.integrity("data file belongs to another object")
        }
        guard header.partNumber == expectedPart else {
            throw OBSError.integrity("data file part number \(header.partNumber) is not \(expectedPart)")
        }
        self.cipher = try OBXStreamCipher(dek: dek, header: header)
        self.readAt = readAt
        self.plaintextSize = plaintextSize
        self.chunkCount = OBXFormat.chunkCount(plaintextSize: plaintextSize)
        // Buffers no bigger than the object: zeroing (and wiping) a whole batch for every small object was a tenth
        // of a small GET's CPU in `obsctl serve`.
        batchChunks = Int(min(Int64(OBXEncryptor.batchChunks), max(chunkCount, 1)))
        let batchCapacity = Int(max(1, min(Int64(batchChunks * OBXFormat.chunkSize), plaintextSize)))
        cipherBuffer = ioBuffer(count: batchCapacity + batchChunks * OBXFormat.tagSize)
        // One chunk: only a caller's buffer too small for the next chunk needs it.
        plainBuffer = ioBuffer(count: min(batchCapacity, OBXFormat.chunkSize))
    }

    deinit { plainBuffer.withUnsafeMutableBytes { wipe(UnsafeMutableRawBufferPointer(rebasing: $0[0..<plainUsed])) } }

    /// Moves to the chunk holding plaintext offset `offset` (before any read): the chunks before it are never read
    /// nor decrypted. Returns how many bytes of that chunk lie before `offset`, for the caller to drop.
    func seek(to offset: Int64) -> Int64 {
        let C = Int64(OBXFormat.chunkSize)
        nextChunk = min(offset / C, chunkCount)
        plainStart = 0; plainEnd = 0
        return offset - nextChunk * C
    }

    /// A buffer that holds one or more whole chunks gets their plaintext directly (no copy through `plainBuffer`):
    /// serve lends 256 KiB at a time, a quarter of a batch, and copying every byte of a GET once more was 5% of its
    /// CPU. A smaller buffer gets the next chunk through `plainBuffer`, one chunk only: the end of a range that
    /// stops inside a chunk then costs that chunk, not a batch past it.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if plainStart == plainEnd {
            if nextChunk >= chunkCount { return 0 }
            let fitting = chunksFitting(buffer.count)
            if fitting > 0 { return try decryptBatch(into: buffer, chunks: fitting) }
            let n = try plainBuffer.withUnsafeMutableBytes { try decryptBatch(into: $0, chunks: 1) }
            chunksCopied += 1
            plainStart = 0; plainEnd = n
            plainUsed = max(plainUsed, n)
            if plainStart == plainEnd { return 0 }  // the single empty final chunk
        }
        let n = min(buffer.count, plainEnd - plainStart)
        plainBuffer.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + plainStart, byteCount: n) }
        plainStart += n
        return n
    }

    /// How many of the next chunks (at most a batch) a buffer of `capacity` bytes holds whole; 0 when not even the
    /// next one fits.
    private func chunksFitting(_ capacity: Int) -> Int {
        let C = Int64(OBXFormat.chunkSize)
        let most = min(Int64(batchChunks), chunkCount - nextChunk)
        // Only the object's final chunk may be shorter than a full one.
        if min(most * C, plaintextSize - nextChunk * C) <= Int64(capacity) { return Int(most) }
        return Int(min(Int64(capacity) / C, most))
    }

    /// Decrypts the next `chunks` chunks (at most a batch) into `out`, which holds their plaintext; returns its
    /// length. Nothing of a chunk whose tag fails is kept: `out` is wiped up to that chunk's end.
    private func decryptBatch(into out: UnsafeMutableRawBufferPointer, chunks: Int) throws -> Int {
        let C = Int64(OBXFormat.chunkSize), T = OBXFormat.tagSize
        let first = nextChunk
        let count = min(Int64(chunks), chunkCount - first)
        let plainOffset = first * C
        let plainLen = Int(min(count * C, plaintextSize - plainOffset))
        let cipherLen = plainLen + Int(count) * T
        let fileOffset = Int64(OBXFormat.headerSize) + plainOffset + first * Int64(T)
        var got = 0
        try cipherBuffer.withUnsafeMutableBytes { buf in
            while got < cipherLen {
                let n = try readAt(
                    fileOffset + Int64(got), UnsafeMutableRawBufferPointer(rebasing: buf[got..<cipherLen]))
                if n == 0 { throw OBSError.integrity("data file ended early") }
                got += n
            }
        }
        var inOff = 0, outOff = 0
        for i in first..<(first + count) {
            let isFinal = i == chunkCount - 1
            let len = isFinal ? Int(plaintextSize - i * C) : Int(C)
            do {
                try cipherBuffer.withUnsafeBytes { inp in
                    try cipher.withChunkParameters(UInt64(i), final: isFinal) { nonce, aad in
                        try cipher.gcm.open(
                            nonce: nonce, aad: aad,
                            ciphertext: UnsafeRawBufferPointer(rebasing: inp[inOff..<inOff + len]),
                            tag: UnsafeRawBufferPointer(rebasing: inp[inOff + len..<inOff + len + T]),
                            output: UnsafeMutableRawBufferPointer(rebasing: out[outOff..<outOff + len]))
                    }
                }
            } catch {
                wipe(UnsafeMutableRawBufferPointer(rebasing: out[0..<outOff + len]))
                throw OBSError.integrity("chunk \(i) failed authentication")
            }
            inOff += len + T
            outOff += len
        }
        nextChunk = first + count
        return outOff
    }
}
