import Testing
@testable import OBSSigner

struct URIEncodingTests {
    @Test func objectKey() {
        #expect(URIEncoding.encodeObjectKey("dir/hello world.txt") == "dir/hello%20world.txt")
        #expect(
            URIEncoding.encodeObjectKey("reports/季度 报告.txt") == "reports/%E5%AD%A3%E5%BA%A6%20%E6%8A%A5%E5%91%8A.txt")
        #expect(URIEncoding.encodeObjectKey("a~b-c_d.e/F9") == "a~b-c_d.e/F9")
        #expect(
            URIEncoding.encodeObjectKey("a+b=c&d?e#f%g:h;i,j@k$l!m'n(o)p*q")
                == "a%2Bb%3Dc%26d%3Fe%23f%25g%3Ah%3Bi%2Cj%40k%24l%21m%27n%28o%29p%2Aq")
        #expect(URIEncoding.encodeObjectKey("//lead/trail/") == "//lead/trail/")
        #expect(URIEncoding.encodeObjectKey("é") == "%C3%A9")  // upper-case hex
        #expect(URIEncoding.encodeObjectKey("\u{7F}\n") == "%7F%0A")
        #expect(URIEncoding.encodeObjectKey("") == "")
    }

    @Test func queryComponent() {
        #expect(URIEncoding.encodeQueryComponent("logs/a b") == "logs%2Fa%20b")
        #expect(URIEncoding.encodeQueryComponent("AZaz09-_.~") == "AZaz09-_.~")
        #expect(URIEncoding.encodeQueryComponent("a+b=c&d") == "a%2Bb%3Dc%26d")
        #expect(URIEncoding.encodeQueryComponent("3QMlMOdw6AjT4ZENUe0a21FmzNk=") == "3QMlMOdw6AjT4ZENUe0a21FmzNk%3D")
        #expect(URIEncoding.encodeQueryComponent("张") == "%E5%BC%A0")
    }

    @Test func headerValue() {
        #expect(URIEncoding.encodeHeaderValue("Zhang San 张三") == "Zhang San %E5%BC%A0%E4%B8%89")
        // The Python SDK's safe set is kept as is.
        #expect(URIEncoding.encodeHeaderValue(" ;/?:@&=+$,'*") == " ;/?:@&=+$,'*")
        #expect(URIEncoding.encodeHeaderValue("AZaz09_.-~") == "AZaz09_.-~")
        // Everything else is encoded, including '%' itself, quotes and control characters.
        #expect(
            URIEncoding.encodeHeaderValue("100% \"x\" #1 <a> [b] {c} |\\^`!()\n")
                == "100%25 %22x%22 %231 %3Ca%3E %5Bb%5D %7Bc%7D %7C%5C%5E%60%21%28%29%0A")
        #expect(URIEncoding.encodeHeaderValue("Tue, 15 Oct 2024 08:30:00 GMT") == "Tue, 15 Oct 2024 08:30:00 GMT")
    }

    @Test func queryString() {
        #expect(URIEncoding.queryString([("uploads", nil)]) == "uploads")
        #expect(
            URIEncoding.queryString([("prefix", "a/b c"), ("empty", ""), ("acl", nil)]) == "prefix=a%2Fb%20c&empty=&acl"
        )
        #expect(URIEncoding.queryString([]) == "")
    }
}
