import Foundation
import Testing
@testable import OBSCrypto

/// Published vectors: if OpenSSL glue or an encoding helper breaks, these fail.
struct CryptoVectorTests {
    @Test func sha256AndMD5() {
        #expect(
            Hex.encode(Digest.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Hex.encode(Digest.md5(Array("abc".utf8))) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Base64.encode(Digest.md5(Array("abc".utf8))) == "kAFQmDzST7DWlj99KOF/cg==")
        // Streaming in pieces equals one shot.
        let d = Digest(.sha256)
        d.update(Array("a".utf8)); d.update(Array("bc".utf8))
        #expect(Hex.encode(d.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func crc32cCheckValueAndStreaming() {
        // The CRC-32C check value (RFC 3720 B.4 family): "123456789" -> E3069283; S3 sends it as base64 of the
        // big-endian bytes.
        #expect(CRC32C.checksum(Array("123456789".utf8)).value == 0xE306_9283)
        #expect(CRC32C.checksum(Array("123456789".utf8)).base64 == "4waSgw==")
        #expect(CRC32C.checksum([UInt8]()).value == 0)
        // RFC 3720 B.4: 32 bytes of zeros.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)).value == 0x8A91_36AA)
        // Streaming in uneven pieces equals one shot, and the CPU instruction equals the portable loop.
        let data = Random.bytes(100_003)
        var pieces = CRC32C()
        data.withUnsafeBytes { b in
            var i = 0
            for step in [1, 7, 8, 9, 4096, 65_537] where i < b.count {
                pieces.update(UnsafeRawBufferPointer(rebasing: b[i..<min(b.count, i + step)])); i += step
            }
            pieces.update(UnsafeRawBufferPointer(rebasing: b[min(i, b.count)...]))
        }
        var portable = CRC32C()
        data.withUnsafeBytes { portable.update($0, hardware: 0) }
        #expect(pieces.value == CRC32C.checksum(data).value)
        #expect(portable.value == CRC32C.checksum(data).value)
        #if arch(x86_64)
        #expect(CRC32C.hardware != 0, "SSE4.2 not detected: the instruction path below would go untested")
        #endif
        // Every hardware path this CPU has, against the portable loop: lengths around the three-stream blocks
        // (3 x 8192 bytes) and their joins, around the 128- and 256-byte folding strides, at odd offsets, from a
        // running value.
        let long = Random.bytes(5 * 24_576 + 100)
        for path in Int32(1)...max(1, CRC32C.hardware) {
            for n in [
                0, 1, 127, 128, 129, 255, 256, 257, 383, 511, 512, 1000, 4099, 24_575, 24_576, 24_577, 49_152, 49_160,
                73_728 + 7,
                long.count - 3,
            ] {
                var hw = CRC32C(), sw = CRC32C()
                long.withUnsafeBytes { b in
                    for c in [0, 3] {  // a running value first, then an unaligned start
                        hw.update(UnsafeRawBufferPointer(rebasing: b[c..<c + n]), hardware: path)
                        sw.update(UnsafeRawBufferPointer(rebasing: b[c..<c + n]), hardware: 0)
                    }
                }
                #expect(hw.value == sw.value, "path \(path), length \(n)")
            }
        }
    }

    /// This project's machines are Xeons with AVX-512 (512-bit folding) or AMD EPYCs with PCLMULQDQ only (128-bit
    /// folding, where the CRC32 instruction does not pipeline): the test above must cover the fastest path, not only
    /// the instruction loop.
    @Test func fastestCRCPathIsDetected() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if flags.contains(" vpclmulqdq") && flags.contains(" avx512vl") {
            #expect(CRC32C.hardware == 3)
        } else if flags.contains(" pclmulqdq") && flags.contains(" sse4_2") {
            #expect(CRC32C.hardware == 2)
        } else if flags.contains(" sse4_2") {
            #expect(CRC32C.hardware == 1)
        }
    }

    @Test func hmacRFC4231Case2AndRFC2202() {
        let key = Array("Jefe".utf8), data = Array("what do ya want for nothing?".utf8)
        #expect(
            Hex.encode(HMAC.sha256(key: key, data: data))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(Hex.encode(HMAC.sha1(key: key, data: data)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(HMAC.sha256(key: [UInt8](), data: [UInt8]()).count == 32)
    }

    /// RFC 4231 case 6: a key longer than SHA-256's block, which HMAC hashes first.
    @Test func hmacLongKeyRFC4231Case6() {
        let key = [UInt8](repeating: 0xaa, count: 131)
        let data = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(
            Hex.encode(HMAC.sha256(key: key, data: data))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The HMAC contexts are copies of shared templates: MACs computed on many threads at once stay right.
    @Test func hmacAndHKDFFromManyThreadsAtOnce() async {
        let key = Array("Jefe".utf8), data = Array("what do ya want for nothing?".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        let expectedKey = Hex.encode(HKDF.sha256(key: key, salt: data, info: key, length: 80).copyBytes())
        let wrong = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for _ in 0..<500 {
                        if Hex.encode(HMAC.sha256(key: key, data: data)) != expected { wrong += 1 }
                        let derived = HKDF.sha256(key: key, salt: data, info: key, length: 80)
                        if Hex.encode(derived.copyBytes()) != expectedKey { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test func hkdfRFC5869Case1And3() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let okm = HKDF.sha256(
            key: ikm, salt: Hex.decode("000102030405060708090a0b0c")!, info: Hex.decode("f0f1f2f3f4f5f6f7f8f9")!,
            length: 42)
        #expect(
            Hex.encode(okm.copyBytes())
                == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        // Case 2: long inputs, three blocks of output.
        let okm2 = HKDF.sha256(
            key: (0x00...0x4f).map { UInt8($0) }, salt: (0x60...0xaf).map { UInt8($0) },
            info: (0xb0...0xff).map { UInt8($0) }, length: 82)
        #expect(
            Hex.encode(okm2.copyBytes())
                == "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8"
                + "367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87")
        // Case 3: empty salt and info.
        let okm3 = HKDF.sha256(key: ikm, salt: [], info: [], length: 42)
        #expect(
            Hex.encode(okm3.copyBytes())
                == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
    }

    /// NIST GCM test case 16 (AES-256, 12-byte IV, AAD).
    @Test func aesGCMNISTCase16() throws {
        let key = SecretBytes(copying: Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")!)
        let iv = Hex.decode("cafebabefacedbaddecaf888")!
        let pt = Hex.decode(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa"
                + "0de657ba637b39"
        )!
        let aad = Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2")!
        let gcm = try AESGCM(key: key)
        let sealed = try gcm.seal(nonce: iv, aad: aad, plaintext: SecretBytes(copying: pt))
        #expect(
            Hex.encode(sealed.dropLast(16))
                == "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f"
                + "61e6393ba7a0abcc9f662"
        )
        #expect(Hex.encode(sealed.suffix(16)) == "76fc6ece0f4e1768cddf8853bb2d551b")
        #expect(try gcm.open(nonce: iv, aad: aad, sealed: sealed).copyBytes() == pt)
        var bad = sealed; bad[3] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try gcm.open(nonce: iv, aad: aad, sealed: bad) }
        #expect(throws: CryptoError.authenticationFailed) { try gcm.open(nonce: iv, aad: aad + [0], sealed: sealed) }
    }

    @Test func failedOpenWipesOutput() throws {
        let gcm = try AESGCM(key: SecretBytes(copying: [UInt8](repeating: 7, count: 32)))
        let nonce = [UInt8](repeating: 1, count: 12)
        var sealed = try gcm.seal(
            nonce: nonce, aad: [], plaintext: SecretBytes(copying: [UInt8](repeating: 0xAA, count: 64)))
        sealed[70] ^= 0x80  // corrupt the tag
        var out = [UInt8](repeating: 0x55, count: 64)
        #expect(throws: CryptoError.authenticationFailed) {
            try nonce.withUnsafeBytes { n in
                try [UInt8]().withUnsafeBytes { a in
                    try sealed.withUnsafeBytes { s in
                        try out.withUnsafeMutableBytes { o in
                            try gcm.open(
                                nonce: n, aad: a, ciphertext: UnsafeRawBufferPointer(rebasing: s[0..<64]),
                                tag: UnsafeRawBufferPointer(rebasing: s[64...]), output: o)
                        }
                    }
                }
            }
        }
        #expect(out.allSatisfy { $0 == 0 }, "plaintext of a message whose tag failed must not survive")
    }

    @Test func secretsNeverPrint() {
        let s = SecretBytes(copying: Array("super-secret-key-material-000000".utf8))
        #expect("\(s)" == "<redacted 32 bytes>")
        #expect(String(reflecting: s) == "<redacted 32 bytes>")
        #expect(!"\(s)".contains("super"))
    }

    @Test(arguments: [[UInt8](), [0], [0, 1], [0, 1, 2], Array(0...255)])
    func hexAndBase64RoundTrip(_ bytes: [UInt8]) {
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }

    /// RFC 4648 section 10, from a contiguous array and from a collection that is not contiguous.
    @Test func base64AndHexRFC4648() {
        let vectors = [
            ("", "", ""), ("f", "Zg==", "66"), ("fo", "Zm8=", "666f"), ("foo", "Zm9v", "666f6f"),
            ("foob", "Zm9vYg==", "666f6f62"), ("fooba", "Zm9vYmE=", "666f6f6261"),
            ("foobar", "Zm9vYmFy", "666f6f626172"),
        ]
        for (text, base64, hex) in vectors {
            let bytes = Array(text.utf8)
            #expect(Base64.encode(bytes) == base64 && Base64.encode(bytes.lazy.map { $0 }) == base64)
            #expect(Hex.encode(bytes) == hex && Hex.encode(bytes.lazy.map { $0 }) == hex)
        }
        #expect(Hex.encode([0x00, 0x0f, 0xf0, 0xff]) == "000ff0ff" && Base64.encode([0xfb, 0xff]) == "+/8=")
    }

    @Test func encodingRejectsGarbage() {
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("ABcd") == [0xAB, 0xCD])
        #expect(Base64.decode("a*b=") == nil)
        #expect(Base64.decode("a") == nil)
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(Base64.decode("aGVsbG8") == Array("hello".utf8))
    }

    @Test func randomIsNotConstant() {
        #expect(Random.bytes(32) != Random.bytes(32))
        #expect(Random.secret(32).count == 32)
    }
}
