import Foundation
import Testing
import OBSCore
import OBSCrypto

struct BucketNameTests {
    @Test(arguments: [
        "abc", "my-bucket", "a.b.c", "1bucket", String(repeating: "a", count: 63), "999.1.1", "1.2.3.4.5",
    ])
    func valid(_ name: String) throws { #expect(try BucketName(name).value == name) }

    @Test(arguments: [
        "ab", String(repeating: "a", count: 64), "Abc", "a_b", "-abc", "abc-", ".abc", "abc.", "a..b", "a.-b", "a-.b",
        "192.168.1.1", "a b", "abç",
    ])
    func invalid(_ name: String) {
        #expect { try BucketName(name) } throws: {
            ($0 as? OBSError)?.code == "InvalidBucketName" && ($0 as? OBSError)?.category == .usage
        }
    }
}

/// Keys are bytes: the composed and decomposed spellings of a name are two keys, equal, hashed and ordered as bytes.
struct ObjectKeyBytesTests {
    @Test func composedAndDecomposedAreTwoKeys() throws {
        let composed = try ObjectKey("caf\u{E9}"), decomposed = try ObjectKey("cafe\u{301}")
        #expect(composed.value == decomposed.value, "Swift's String == equates them: the reason for this test")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(decomposed < composed)  // "e" (0x65) before 0xC3
        #expect(KeyBytes.rolledUp("cafe\u{301}/x", prefix: "", delimiter: "/") == "cafe\u{301}/")
        #expect(KeyBytes.dropPrefix("caf\u{E9}/y", "cafe\u{301}/") == nil)
        #expect(KeyBytes.split("a/\u{301}b") == ["a", "\u{301}b"])
        #expect(LocalPath.parent("dst/a/\u{301}") == "dst/a")
    }
}

struct OBSURLTests {
    @Test func parses() throws {
        let u = try OBSURL("obs://bucket/dir/file.txt")
        #expect(u.bucket.value == "bucket" && u.path == "dir/file.txt")
        #expect(try u.objectKey().value == "dir/file.txt")
        #expect(try OBSURL("obs://bucket").path == "")
        #expect(try OBSURL("obs://bucket/").path == "")
        #expect(try OBSURL("obs://bucket/a//b").path == "a//b")
        #expect("\(try OBSURL("obs://bucket/x"))" == "obs://bucket/x")
        #expect("\(try OBSURL("s3://bucket/x"))" == "obs://bucket/x")  // s3:// means obs:// (issue 9, item 23)
    }

    @Test(arguments: ["s4://bucket/x", "s3://", "obs://", "obs:///x", "bucket/x", "obs://BAD/x"])
    func rejects(_ text: String) { #expect(throws: OBSError.self) { try OBSURL(text) } }

    @Test func bucketOnlyHasNoKey() throws {
        #expect(throws: OBSError.self) { try OBSURL("obs://bucket").objectKey() }
    }

    @Test func objectKeyLimits() throws {
        #expect(throws: OBSError.self) { try ObjectKey("") }
        #expect(throws: OBSError.self) { try ObjectKey(String(repeating: "k", count: 1025)) }
        #expect(try ObjectKey(String(repeating: "k", count: 1024)).value.count == 1024)
        #expect(throws: OBSError.self) { try ObjectKey("a\u{0}b") }
    }
}

/// Region ids build hosts (one DNS label); region names only go into signatures, so other servers' spellings pass.
struct RegionNameTests {
    @Test(arguments: ["cn-north-4", "us-east-1", "eu-west-101", String(repeating: "a", count: 63)])
    func idsAreValid(_ region: String) {
        #expect(RegionName.isValid(region) && RegionName.isSafe(region))
    }

    @Test(arguments: [
        "", "CN-NORTH-4", "cn_north_4", "-cn", "cn-", "cn.north", "a/b", "a@b", "a b",
        String(repeating: "a", count: 64),
    ])
    func notIDs(_ region: String) {
        #expect(!RegionName.isValid(region))
    }

    @Test(arguments: ["US", "RegionOne", "us_east", "local.zone"])
    func otherServersNamesAreSafeButNotIDs(_ region: String) {
        #expect(RegionName.isSafe(region) && !RegionName.isValid(region))
    }

    @Test(arguments: ["", "a/b", "a@b", "a#b", "a?b", "a%2F", "a b", "a\nb", String(repeating: "a", count: 65)])
    func unsafe(_ region: String) {
        #expect(!RegionName.isSafe(region))
    }
}

struct SSERulesTests {
    func key() throws -> CustomerKey { try CustomerKey(key: SecretBytes(copying: [UInt8](repeating: 9, count: 32))) }

    @Test func nothingAskedMeansBucketDefault() throws {
        #expect(try SSERules.request(mode: nil, kmsKeyID: nil, customerKey: nil) == nil)
        let (r, origin) = SSERules.effective(request: nil, bucketDefault: .kms(keyID: nil))
        #expect(r.mode == .kms && origin == .bucketDefault)
        let (n, o2) = SSERules.effective(request: nil, bucketDefault: nil)
        #expect(n.mode == .unencrypted && o2 == .request)
    }

    @Test func explicitMethodWins() throws {
        let (r, origin) = SSERules.effective(request: .obs, bucketDefault: .kms(keyID: "k"))
        #expect(r.mode == .obs && origin == .request)
        let (c, o2) = SSERules.effective(request: .customer(try key()), bucketDefault: .obs)
        #expect(c.mode == .c && o2 == .request)
    }

    @Test func oneMethodPerUpload() throws {
        #expect { try SSERules.request(mode: .kms, kmsKeyID: nil, customerKey: try key()) } throws: {
            ($0 as? OBSError)?.message.contains("only one encryption method") == true
        }
        #expect(throws: OBSError.self) { try SSERules.request(mode: .obs, kmsKeyID: nil, customerKey: try key()) }
        #expect(throws: OBSError.self) { try SSERules.request(mode: .obs, kmsKeyID: "abc", customerKey: nil) }
        #expect(throws: OBSError.self) { try SSERules.request(mode: .c, kmsKeyID: nil, customerKey: nil) }
        #expect(try SSERules.request(mode: nil, kmsKeyID: nil, customerKey: try key())?.mode == .c)
        #expect(try SSERules.request(mode: .kms, kmsKeyID: "alias", customerKey: nil)?.mode == .kms)
    }

    @Test func bucketDefaults() throws {
        #expect(try SSERules.bucketDefault(mode: .kms, kmsKeyID: nil) == .kms(keyID: nil))
        #expect(try SSERules.bucketDefault(mode: .obs, kmsKeyID: nil) == .obs)
        #expect(throws: OBSError.self) { try SSERules.bucketDefault(mode: .c, kmsKeyID: nil) }
        #expect(throws: OBSError.self) { try SSERules.bucketDefault(mode: .obs, kmsKeyID: "k") }
        #expect(BucketEncryption.obs.algorithm == "AES256" && BucketEncryption.kms(keyID: nil).algorithm == "kms")
    }

    @Test func customerKeyValidation() throws {
        let raw = [UInt8](repeating: 9, count: 32)
        let k = try CustomerKey(key: SecretBytes(copying: raw))
        #expect(k.keyMD5 == Base64.encode(Digest.md5(raw)))
        #expect(!"\(k)".contains(Base64.encode(raw)))
        #expect { try CustomerKey(key: SecretBytes(copying: [UInt8](repeating: 1, count: 31))) } throws: {
            ($0 as? OBSError)?.category == .customerKey
        }
        // Header form: algorithm, key and MD5 must agree.
        #expect(
            try CustomerKey(algorithm: "AES256", keyBase64: Base64.encode(raw), keyMD5: k.keyMD5).keyMD5 == k.keyMD5)
        #expect(throws: OBSError.self) {
            try CustomerKey(algorithm: "AES128", keyBase64: Base64.encode(raw), keyMD5: k.keyMD5)
        }
        #expect(throws: OBSError.self) {
            try CustomerKey(algorithm: "AES256", keyBase64: Base64.encode(raw), keyMD5: "AAAA")
        }
    }
}

/// ETags compare equal whatever quoting, blanks and case a client or server gave them.
struct ETagSpellingTests {
    @Test(
        "quotes and blanks at the ends go, the case folds, the inside stays",
        arguments: [
            ("\"D41D8CD98F00B204E9800998ECF8427E\"", "d41d8cd98f00b204e9800998ecf8427e"),
            (" \"abc-2\" ", "abc-2"), ("abc", "abc"), ("\"\"", ""), ("", ""), ("  ", ""),
            ("W/\"Ab\"", "w/\"ab"), ("\"a b\"", "a b"), ("\"é\"", "é"),
        ])
    func bare(given: String, expected: String) {
        #expect(ETags.bare(given) == expected)
    }
}

/// Too many open files is no fault of the file named: the words say which settings help.
struct OpenFileReasonTests {
    @Test(arguments: [EMFILE, ENFILE])
    func namesTheFix(errno: Int32) {
        let reason = OBSError.reason(errno)
        #expect(reason.contains("--jobs") && reason.contains("ulimit -n"), "\(reason)")
    }

    @Test(arguments: [EMFILE, ENFILE])
    func dropsThePathsAdvice(errno: Int32) {
        let reason = OBSError.reason(errno)
        let error = OBSError.localIO("cannot read x (\(reason)); fix its permissions", errno: errno)
        #expect(error.message == "cannot read x (\(reason))")
        let plain = OBSError.localIO("cannot open y: \(reason)", errno: errno)
        #expect(plain.message == "cannot open y: \(reason)")
    }

    @Test func otherErrorsKeepTheSystemsWords() {
        #expect(OBSError.reason(ENOENT) == String(cString: strerror(ENOENT)))
    }
}
