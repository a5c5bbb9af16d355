import Foundation
import Testing
import OBSCrypto
@testable import OBSSigner

/// The OBS/V2 canonicalisation steps one by one.
struct CanonicalHeadersV2Tests {
    @Test func onlyPrefixedHeadersLowerCasedAndSorted() {
        let headers: [(name: String, value: String)] = [
            ("X-OBS-Meta-Zeta", "z"), ("x-obs-acl", "private"), ("Host", "b.example"), ("Content-Length", "3"),
            ("x-amz-acl", "public-read"), ("X-Obs-Date", "d"), ("Range", "bytes=0-1"),
        ]
        #expect(
            RequestSigner.canonicalizedHeadersV2(headers, prefix: "x-obs-")
                == "x-obs-acl:private\nx-obs-date:d\nx-obs-meta-zeta:z\n")
        #expect(RequestSigner.canonicalizedHeadersV2(headers, prefix: "x-amz-") == "x-amz-acl:public-read\n")
        #expect(RequestSigner.canonicalizedHeadersV2([("Content-Type", "a")], prefix: "x-obs-") == "")
    }

    @Test func repeatedHeadersJoinedWithCommaInSendOrder() {
        let headers: [(name: String, value: String)] = [
            ("x-obs-meta-tag", "b"), ("x-obs-acl", "private"), ("X-Obs-Meta-Tag", "a"),
        ]
        #expect(
            RequestSigner.canonicalizedHeadersV2(headers, prefix: "x-obs-") == "x-obs-acl:private\nx-obs-meta-tag:b,a\n"
        )
    }

    @Test func valuesTrimmedButInnerSpaceAndCaseKept() {
        let headers: [(name: String, value: String)] = [("x-obs-meta-a", "  Two  Words\t"), ("x-obs-meta-b", " \t ")]
        #expect(
            RequestSigner.canonicalizedHeadersV2(headers, prefix: "x-obs-")
                == "x-obs-meta-a:Two  Words\nx-obs-meta-b:\n")
    }

    @Test func byteWiseNameOrder() {
        // '-' (0x2D) sorts before letters, so x-obs-meta-a-b < x-obs-meta-ab.
        let headers: [(name: String, value: String)] = [
            ("x-obs-meta-ab", "2"), ("x-obs-meta-a-b", "1"), ("x-obs-meta-a", "0"),
        ]
        #expect(
            RequestSigner.canonicalizedHeadersV2(headers, prefix: "x-obs-")
                == "x-obs-meta-a:0\nx-obs-meta-a-b:1\nx-obs-meta-ab:2\n")
    }
}

struct StringToSignV2Tests {
    static let date = "Tue, 15 Oct 2024 07:20:09 GMT"

    @Test func missingContentHeadersGiveEmptyLines() {
        #expect(
            RequestSigner.stringToSignV2(
                method: "GET", headers: [("date", Self.date)], resource: "/b/k", prefix: "x-obs-")
                == "GET\n\n\n\(Self.date)\n/b/k")
        #expect(
            RequestSigner.stringToSignV2(method: "GET", headers: [], resource: "/", prefix: "x-obs-") == "GET\n\n\n\n/")
    }

    @Test func contentHeadersMatchedCaseInsensitively() {
        let headers: [(name: String, value: String)] = [
            ("content-type", "text/plain"), ("CONTENT-MD5", "abc=="), ("DATE", Self.date),
        ]
        #expect(
            RequestSigner.stringToSignV2(method: "PUT", headers: headers, resource: "/b/k", prefix: "x-obs-")
                == "PUT\nabc==\ntext/plain\n\(Self.date)\n/b/k")
    }

    @Test func prefixedDateEmptiesTheDateLine() {
        let headers: [(name: String, value: String)] = [("Date", "ignored"), ("x-obs-date", Self.date)]
        #expect(
            RequestSigner.stringToSignV2(method: "GET", headers: headers, resource: "/b/", prefix: "x-obs-")
                == "GET\n\n\n\nx-obs-date:\(Self.date)\n/b/")
        // Under the AWS scheme it is x-amz-date that counts; x-obs-date is then just an unsigned header.
        #expect(
            RequestSigner.stringToSignV2(method: "GET", headers: headers, resource: "/b/", prefix: "x-amz-")
                == "GET\n\n\nignored\n/b/")
        let amz: [(name: String, value: String)] = [("Date", "ignored"), ("X-Amz-Date", Self.date)]
        #expect(
            RequestSigner.stringToSignV2(method: "GET", headers: amz, resource: "/b/", prefix: "x-amz-")
                == "GET\n\n\n\nx-amz-date:\(Self.date)\n/b/")
    }

    @Test func expiresReplacesTheDateLine() {
        let headers: [(name: String, value: String)] = [
            ("Date", Self.date), ("x-obs-date", Self.date), ("Content-Type", "a/b"),
        ]
        #expect(
            RequestSigner.stringToSignV2(
                method: "GET", headers: headers, resource: "/b/k", prefix: "x-obs-", expires: "1700000000")
                == "GET\n\na/b\n1700000000\nx-obs-date:\(Self.date)\n/b/k")
    }
}

struct CanonicalResourceTests {
    static func resource(
        _ path: String, bucket: String?, virtualHosted: Bool = true,
        query: [(name: String, value: String?)] = [], prefix: String = "x-obs-"
    ) -> String {
        RequestSigner.canonicalResource(
            path: path, query: query, scope: SigningScope(bucket: bucket, virtualHosted: virtualHosted, region: "r"),
            prefix: prefix)
    }

    @Test func bucketVersusServiceResource() {
        #expect(Self.resource("/", bucket: nil) == "/")
        #expect(Self.resource("/", bucket: nil, virtualHosted: false) == "/")
        #expect(Self.resource("", bucket: nil) == "/")
        #expect(Self.resource("/", bucket: "b") == "/b/")  // virtual-hosted bucket: trailing slash
        #expect(Self.resource("/b", bucket: "b", virtualHosted: false) == "/b")  // path style bucket: none
        #expect(Self.resource("/dir/a%20b.txt", bucket: "b") == "/b/dir/a%20b.txt")
        #expect(Self.resource("/b/dir/a%20b.txt", bucket: "b", virtualHosted: false) == "/b/dir/a%20b.txt")
        #expect(Self.resource("/", bucket: "b", query: [("acl", nil)]) == "/b/?acl")
        #expect(Self.resource("/b", bucket: "b", virtualHosted: false, query: [("acl", nil)]) == "/b?acl")
    }

    @Test func nonSubResourcesAreNotSigned() {
        let q: [(name: String, value: String?)] = [
            ("prefix", "logs/"), ("marker", "m"), ("max-keys", "100"), ("delimiter", "/"), ("max-parts", "5"),
            ("part-number-marker", "2"), ("encoding-type", "url"), ("max-uploads", "9"), ("key-marker", "k"),
            ("upload-id-marker", "u"), ("apiversion", nil),
        ]
        #expect(RequestSigner.subResourceString(q, prefix: "x-obs-") == "")
        #expect(Self.resource("/", bucket: "b", query: q) == "/b/")
    }

    @Test func sortedByteWiseWithNamesAsWritten() {
        let q: [(name: String, value: String?)] = [
            ("versionId", "v1"), ("uploadId", "u"), ("partNumber", "3"), ("acl", nil),
        ]
        #expect(RequestSigner.subResourceString(q, prefix: "x-obs-") == "?acl&partNumber=3&uploadId=u&versionId=v1")
        // Upper case sorts before lower case byte-wise; names are matched case-insensitively but kept as written.
        let mixed: [(name: String, value: String?)] = [("acl", nil), ("CDNNotifyConfiguration", nil), ("Tagging", nil)]
        #expect(RequestSigner.subResourceString(mixed, prefix: "x-obs-") == "?CDNNotifyConfiguration&Tagging&acl")
        let lower: [(name: String, value: String?)] = [("uploadid", "u"), ("PARTNUMBER", "1")]
        #expect(RequestSigner.subResourceString(lower, prefix: "x-obs-") == "?PARTNUMBER=1&uploadid=u")
    }

    @Test func valuesRawAndValuelessBare() {
        let q: [(name: String, value: String?)] = [
            ("response-content-disposition", "attachment; filename=\"a b.txt\""),
            ("response-content-type", "text/plain"),
            ("uploads", nil), ("versionId", ""),
        ]
        #expect(
            RequestSigner.subResourceString(q, prefix: "x-obs-")
                == "?response-content-disposition=attachment; filename=\"a b.txt\"&"
                + "response-content-type=text/plain&uploads&versionId="
        )
    }

    @Test func firstDuplicateWins() {
        let q: [(name: String, value: String?)] = [("versionId", "first"), ("prefix", "p"), ("versionId", "second")]
        #expect(RequestSigner.subResourceString(q, prefix: "x-obs-") == "?versionId=first")
    }

    @Test func prefixedQueryParametersFollowTheScheme() {
        let q: [(name: String, value: String?)] = [
            ("x-obs-security-token", "T"), ("x-amz-security-token", "A"), ("x-obs-foo", "f"),
        ]
        #expect(RequestSigner.subResourceString(q, prefix: "x-obs-") == "?x-obs-foo=f&x-obs-security-token=T")
        // x-obs-security-token is on the documented list, so the V2 scheme signs it too, plus its own x-amz-*.
        #expect(
            RequestSigner.subResourceString(q, prefix: "x-amz-") == "?x-amz-security-token=A&x-obs-security-token=T")
    }

    @Test func documentedExamples() {
        #expect(
            Self.resource("/big.bin", bucket: "b", query: [("uploadId", "<id>"), ("partNumber", "3")])
                == "/b/big.bin?partNumber=3&uploadId=<id>")
        #expect(Self.resource("/", bucket: "b", query: [("encryption", nil)]) == "/b/?encryption")
        #expect(
            Self.resource("/obj", bucket: "b", query: [("versionId", "xxx"), ("response-content-type", "text/plain")])
                == "/b/obj?response-content-type=text/plain&versionId=xxx")
    }
}

/// SigV4 canonicalisation steps.
struct CanonicalV4Tests {
    @Test func canonicalQueryIncludesEverythingEncodedAndSorted() {
        let q: [(name: String, value: String?)] = [
            ("prefix", "logs/a b"), ("max-keys", "100"), ("uploads", nil), ("marker", "x=y&z"), ("delimiter", "/"),
        ]
        #expect(
            RequestSigner.canonicalQueryV4(q)
                == "delimiter=%2F&marker=x%3Dy%26z&max-keys=100&prefix=logs%2Fa%20b&uploads=")
        #expect(RequestSigner.canonicalQueryV4([]) == "")
        // Same name: sorted by value; upper-case names before lower-case ones.
        let dup: [(name: String, value: String?)] = [("b", "2"), ("b", "1"), ("B", "0"), ("a", nil)]
        #expect(RequestSigner.canonicalQueryV4(dup) == "B=0&a=&b=1&b=2")
    }

    @Test func canonicalHeadersLowerCasedTrimmedCollapsedAndRepeatsJoined() {
        let headers: [(name: String, value: String)] = [
            ("Host", "b.example:9000"), ("X-Amz-Meta-Note", "  a   b \t c  "), ("x-amz-meta-tag", "one"),
            ("Content-Type", "text/plain"), ("X-AMZ-META-TAG", "two"),
        ]
        let (canonical, signed) = RequestSigner.canonicalHeadersV4(headers)
        #expect(
            canonical == "content-type:text/plain\nhost:b.example:9000\nx-amz-meta-note:a b c\nx-amz-meta-tag:one,two\n"
        )
        #expect(signed == "content-type;host;x-amz-meta-note;x-amz-meta-tag")
    }

    /// Values with nothing to collapse are returned as they are; every other value as trim, split and join give it.
    @Test func collapseSpacesAgreesWithTrimSplitJoin() {
        let values = [
            "", " ", "\t", "a", " a", "a ", "a b", "a  b", "a\tb", "a \t b", "  a   b \t c  ", "é ü", "a \u{301}b",
            "a  \u{301}", "\u{301} a", "a\r\nb", "a \r\n b", "x-amz-date", "AWS4-HMAC-SHA256 Credential=a/b",
        ]
        for v in values {
            let reference = v.trimmingSpaces().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            #expect(RequestSigner.collapseSpaces(v) == reference, "\(Array(v.unicodeScalars))")
        }
    }

    /// A verifier passes the signed names: headers outside them do not change the canonical headers.
    @Test func canonicalHeadersOverSignedNamesIgnoreTheRest() {
        let headers: [(name: String, value: String)] = [
            ("Host", "h"), ("User-Agent", "  x   y "), ("X-Amz-Date", "20261205T000000Z"), ("Accept", "*/*"),
        ]
        let (canonical, signed) = RequestSigner.canonicalHeadersV4(headers, names: ["host", "x-amz-date"])
        #expect(canonical == "host:h\nx-amz-date:20261205T000000Z\n" && signed == "host;x-amz-date")
    }

    @Test func canonicalURIIsThePathAsSent() {
        let r = RequestSigner.canonicalRequestV4(
            method: "GET", path: "/b/a%20b%2Bc~d", query: [], headers: [("Host", "h")], payloadHash: "UNSIGNED-PAYLOAD")
        #expect(r == "GET\n/b/a%20b%2Bc~d\n\nhost:h\n\nhost\nUNSIGNED-PAYLOAD")
        let root = RequestSigner.canonicalRequestV4(
            method: "GET", path: "", query: [], headers: [("Host", "h")], payloadHash: "UNSIGNED-PAYLOAD")
        #expect(root.hasPrefix("GET\n/\n"))
    }

    /// AWS documentation example for the key derivation ("Examples of how to derive a signing key", IAM).
    @Test func signingKeyChain() {
        let key = RequestSigner.signingKeyV4(
            secret: SecretBytes(copying: Array("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".utf8)),
            shortDate: "20120215", region: "us-east-1", service: "iam")
        #expect(Hex.encode(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }
}
