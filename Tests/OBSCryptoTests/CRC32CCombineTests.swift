import OBSCrypto
import Testing

/// Part checksums joined into the whole one (the upload's checksum pass hashes each byte once).
struct CRC32CCombineTests {
    @Test("appending B's CRC-32C to A's gives the CRC-32C of A then B, at every cut")
    func appendEqualsOnePass() {
        let bytes = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
        let whole = CRC32C.checksum(bytes).value
        for cut in [0, 1, 3, 8, 255, 4096, 65_537, bytes.count - 1, bytes.count] {
            var crc = CRC32C.checksum(Array(bytes[..<cut]))
            crc.append(CRC32C.checksum(Array(bytes[cut...])), length: Int64(bytes.count - cut))
            #expect(crc.value == whole, "cut at \(cut)")
        }
        // Three pieces, as parts are joined in order.
        var joined = CRC32C()
        for range in [0..<10, 10..<50_000, 50_000..<bytes.count] {
            joined.append(CRC32C.checksum(Array(bytes[range])), length: Int64(range.count))
        }
        #expect(joined.value == whole)
    }

    @Test("a shift computed once for a length joins as crc32c_combine does, for every piece of that length")
    func shiftEqualsCombine() {
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 9) }
        for length in [1, 7, 4096, 65_536] {
            let shift = CRC32CShift(length: Int64(length))
            var viaShift = CRC32C.checksum(Array(bytes[..<1000])), viaCombine = viaShift
            var offset = 1000
            while offset + length <= bytes.count && offset < 1000 + 20 * length {
                let piece = CRC32C.checksum(Array(bytes[offset..<offset + length]))
                viaShift.append(piece, shift: shift)
                viaCombine.append(piece, length: Int64(length))
                offset += length
            }
            #expect(viaShift.value == viaCombine.value, "length \(length)")
            #expect(viaShift.value == CRC32C.checksum(Array(bytes[..<offset])).value, "length \(length)")
        }
    }
}
