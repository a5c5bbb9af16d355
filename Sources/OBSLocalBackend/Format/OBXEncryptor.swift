import OBSCore
import OBSCrypto

/// Encrypts a byte stream into OBX1, batching 16 chunks per read and write to keep system calls off the hot path.
/// Memory use is one chunk's buffer for an object of one chunk, two batch buffers (about 2 MiB) for a larger one.
struct OBXEncryptor {
    struct Result { var plaintextSize: Int64; var tagDigest: [UInt8] }

    static let batchChunks = 16

    /// Reads `source` to its end and writes header and chunks through `write`. The last chunk is found with one
    /// chunk of lookahead, so a multiple of the chunk size ends in a full final chunk, never an empty trailer.
    static func encrypt(
        source: ByteSource, dek: SecretBytes, header: OBXHeader,
        write: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Result {
        let cipher = try OBXStreamCipher(dek: dek, header: header)
        let C = OBXFormat.chunkSize, T = OBXFormat.tagSize
        let headerBytes = header.encoded()
        try headerBytes.withUnsafeBytes { try write($0) }

        let tags = Digest(.sha256)
        // Most objects a store holds fit in one chunk. Their bytes (and one more, which tells whether more follow)
        // are read into a buffer of that size first; the batch buffers, about 2 MiB and in serve a fresh mapping
        // each, are taken only for a larger object.
        var head = ioBuffer(count: C + 1)
        var (headFilled, eof) = (0, false)
        defer { head.withUnsafeMutableBytes { wipe(UnsafeMutableRawBufferPointer(rebasing: $0[0..<headFilled])) } }
        (headFilled, eof) = try readFull(source, into: &head, from: 0)
        if eof {
            var sealed = ioBuffer(count: headFilled + T)
            try head.withUnsafeBytes { inp in
                try sealed.withUnsafeMutableBytes { out in
                    try seal(inp[0..<headFilled], as: 0, final: true, into: out, at: 0, cipher, tags)
                }
            }
            try sealed.withUnsafeBytes { try write($0) }
            return Result(plaintextSize: Int64(headFilled), tagDigest: tags.finalize())
        }

        let capacity = batchChunks * C
        var input = ioBuffer(count: capacity)
        var output = ioBuffer(count: batchChunks * (C + T))
        head.withUnsafeBytes { from in
            input.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: from.baseAddress!, byteCount: headFilled) }
        }
        var filled = headFilled, chunkIndex: UInt64 = 0, total = Int64(headFilled)
        var used = headFilled  // how much of `input` ever held plaintext: what must be wiped

        defer { input.withUnsafeMutableBytes { wipe(UnsafeMutableRawBufferPointer(rebasing: $0[0..<used])) } }
        while true {
            if !eof {
                let before = filled
                (filled, eof) = try readFull(source, into: &input, from: filled)
                total += Int64(filled - before)
                used = max(used, filled)
            }
            // With more data possibly to come, hold back the last full chunk: it may turn out to be the final one.
            let processable = eof ? filled : filled - C
            var offset = 0, outLen = 0
            repeat {
                let len = min(C, processable - offset)
                let isFinal = eof && offset + len == filled
                try input.withUnsafeBytes { inp in
                    try output.withUnsafeMutableBytes { out in
                        try seal(
                            inp[offset..<offset + len], as: chunkIndex, final: isFinal, into: out, at: outLen, cipher,
                            tags)
                    }
                }
                chunkIndex += 1
                offset += len
                outLen += len + T
            } while offset < processable
            try output.withUnsafeBytes { try write(UnsafeRawBufferPointer(rebasing: $0[0..<outLen])) }
            if eof { break }
            input.withUnsafeMutableBytes { buf in
                buf.baseAddress!.copyMemory(from: buf.baseAddress! + processable, byteCount: C)
            }
            filled = C
        }
        return Result(plaintextSize: total, tagDigest: tags.finalize())
    }

    /// Reads `source` into `buffer` from `filled` on until the buffer is full or the source ends; the new fill, and
    /// whether the source ended.
    private static func readFull(_ source: ByteSource, into buffer: inout [UInt8], from filled: Int) throws -> (
        Int, Bool
    ) {
        var filled = filled
        while filled < buffer.count {
            let n = try buffer.withUnsafeMutableBytes {
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
            }
            if n == 0 { return (filled, true) }
            filled += n
        }
        return (filled, false)
    }

    /// Seals one chunk (`plaintext`, number `index`) into `out` at `at`: its ciphertext, then its tag, which also
    /// goes into `tags` (the ETag's digest).
    private static func seal(
        _ plaintext: Slice<UnsafeRawBufferPointer>, as index: UInt64, final: Bool,
        into out: UnsafeMutableRawBufferPointer,
        at: Int, _ cipher: OBXStreamCipher, _ tags: Digest
    ) throws {
        let len = plaintext.count, T = OBXFormat.tagSize
        try cipher.withChunkParameters(index, final: final) { nonce, aad in
            try cipher.gcm.seal(
                nonce: nonce, aad: aad, plaintext: UnsafeRawBufferPointer(rebasing: plaintext),
                output: UnsafeMutableRawBufferPointer(rebasing: out[at..<at + len]),
                tag: UnsafeMutableRawBufferPointer(rebasing: out[at + len..<at + len + T]))
        }
        tags.update(UnsafeRawBufferPointer(rebasing: out[at + len..<at + len + T]))
    }
}
