import OBSCrypto
import Testing

/// S3's flexible checksums: the catalogue check values of "123456789" (CRC-32 0xCBF43926, CRC-64/NVME
/// 0xAE8B14860A799888, as in the CRC RevEng catalogue; SHA-1 and SHA-256 as FIPS 180 gives them), in base64 of the
/// big-endian value, and the same value however a stream is cut.
@Suite("flexible checksums")
struct FlexibleChecksumTests {
    static let check = Array("123456789".utf8)

    static func value(_ algorithm: FlexibleChecksum.Algorithm, _ pieces: [ArraySlice<UInt8>]) -> String {
        var c = FlexibleChecksum(algorithm)
        for p in pieces { p.withUnsafeBytes { c.update($0) } }
        return c.base64()
    }

    @Test(
        "check values",
        arguments: [
            (FlexibleChecksum.Algorithm.crc32, [0xCB, 0xF4, 0x39, 0x26] as [UInt8]),
            (.crc32c, [0xE3, 0x06, 0x92, 0x83]),
            (.crc64nvme, [0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88]),
            (.sha1, Hex.decode("f7c3bc1d808e04732adf679965ccc34ca7ae3441")!),
            (.sha256, Hex.decode("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")!),
        ])
    func checkValues(algorithm: FlexibleChecksum.Algorithm, expected: [UInt8]) {
        #expect(Self.value(algorithm, [Self.check[...]]) == Base64.encode(expected))
        #expect(Base64.decode(Self.value(algorithm, [Self.check[...]]))?.count == algorithm.size)
    }

    @Test("a stream cut anywhere, into pieces shorter and longer than eight bytes, gives the one-shot value")
    func pieces() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        for algorithm in FlexibleChecksum.Algorithm.allCases {
            let whole = Self.value(algorithm, [data[...]])
            for cuts in [[1, 2, 3], [7, 8, 9, 4_000], [9_999], [0, 5_003, 5_004]] {
                var pieces: [ArraySlice<UInt8>] = [], start = 0
                for c in cuts + [data.count] {
                    pieces.append(data[start..<c])
                    start = c
                }
                #expect(Self.value(algorithm, pieces) == whole, "\(algorithm) cut at \(cuts)")
            }
        }
    }

    @Test("a whole object's CRC from its parts' CRCs and lengths equals the CRC of its bytes; digests give none")
    func fullObjectFromParts() throws {
        let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_246_822_519 >> 11) }
        for algorithm in FlexibleChecksum.Algorithm.allCases {
            let whole = Base64.decode(Self.value(algorithm, [data[...]]))
            for cuts in [[], [1], [0, 0, 5], [8, 9, 65_536, 65_537, 200_001], [299_999]] {
                var parts: [(value: [UInt8], length: Int64)] = [], start = 0
                for c in cuts + [data.count] {
                    let value = try #require(Base64.decode(Self.value(algorithm, [data[start..<c]])))
                    parts.append((value, Int64(c - start)))
                    start = c
                }
                let combined = FlexibleChecksum.fullObject(algorithm, parts: parts)
                switch algorithm {
                case .sha1, .sha256: #expect(combined == nil)
                default: #expect(combined == whole, "\(algorithm) cut at \(cuts)")
                }
            }
            // A part's value of the wrong size gives none.
            #expect(FlexibleChecksum.fullObject(algorithm, parts: [([1, 2, 3], 3)]) == nil)
        }
    }
}
