import OBSCore
import OBSCrypto

/// Encrypts a byte stream into OBX1, batching 16 chunks per read and write to keep system calls off the hot path.
/// Memory use is two batch buffers (about 2 MiB) whatever the object size.
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

        let capacity = batchChunks * C
        var input = ioBuffer(count: capacity)
        var output = ioBuffer(count: batchChunks * (C + T))
        let tags = Digest(.sha256)
        var filled = 0, chunkIndex: UInt64 = 0, total: Int64 = 0, eof = false
        var used = 0  // how much of `input` ever held plaintext: what must be wiped

        defer { input.withUnsafeMutableBytes { wipe(UnsafeMutableRawBufferPointer(rebasing: $0[0..<used])) } }
        while true {
            while filled < capacity && !eof {
                let n = try input.withUnsafeMutableBytes {
                    try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
                }
                if n == 0 { eof = true } else { filled += n; total += Int64(n) }
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
                        try cipher.withChunkParameters(chunkIndex, final: isFinal) { nonce, aad in
                            try cipher.gcm.seal(
                                nonce: nonce, aad: aad,
                                plaintext: UnsafeRawBufferPointer(rebasing: inp[offset..<offset + len]),
                                output: UnsafeMutableRawBufferPointer(rebasing: out[outLen..<outLen + len]),
                                tag: UnsafeMutableRawBufferPointer(rebasing: out[outLen + len..<outLen + len + T]))
                        }
                        tags.update(UnsafeRawBufferPointer(rebasing: out[outLen + len..<outLen + len + T]))
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
}
