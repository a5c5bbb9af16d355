import Testing

@testable import OBSCore

/// `SSEHeaders.intent` decides which requests must come over HTTPS: every SSE-C and SSE-KMS header, either prefix,
/// any case; nothing else.
struct SSEHeadersTests {
    @Test func intentUnderEitherPrefixAndAnyCase() {
        let cases: [([(name: String, value: String)], SSEMode?)] = [
            ([("X-Amz-Server-Side-Encryption-Customer-Key", "k")], .c),
            ([("x-obs-server-side-encryption-customer-algorithm", "AES256")], .c),
            ([("x-amz-copy-source-server-side-encryption-customer-key-MD5", "m")], .c),
            ([("x-amz-server-side-encryption", "aws:kms")], .kms),
            ([("X-OBS-SERVER-SIDE-ENCRYPTION", "kms")], .kms),
            ([(SSEHeaders.awsKMSKeyID, "id")], .kms),
            ([(SSEHeaders.obsKMSKeyID, "id")], .kms),
            ([("x-amz-server-side-encryption", "AES256")], nil),
            ([("x-amz-meta-server-side-encryption-customer-key", "x"), ("host", "h")], .c),
            ([("server-side-encryption-customer-key", "k"), ("kms-key-id", "x")], nil),  // no x-amz-/x-obs- prefix
            ([("content-type", "text/plain")], nil),
        ]
        for (headers, expected) in cases {
            #expect(SSEHeaders.intent(headers) == expected, "\(headers)")
        }
    }

    @Test func holdsComparesBytes() {
        #expect(SSEHeaders.holds("x-amz-server-side-encryption-customer-key", "server-side-encryption-customer-"))
        #expect(SSEHeaders.holds("kms-key-id", "kms-key-id") && SSEHeaders.holds("abc", ""))
        #expect(!SSEHeaders.holds("kms-key-i", "kms-key-id") && !SSEHeaders.holds("kkms-key-d", "kms-key-id"))
        #expect(SSEHeaders.holds("aaab", "aab") && !SSEHeaders.holds("", "a"))
    }
}
