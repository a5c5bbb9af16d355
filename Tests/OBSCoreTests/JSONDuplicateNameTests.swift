import OBSCore
import Testing

/// `JSONText.firstDuplicateName`: a name twice in one object is found, decoded; the same name in different
/// objects, strings that look like JSON, and values equal to names are not duplicates.
@Suite("JSON duplicate names")
struct JSONDuplicateNameTests {
    @Test(
        "found",
        arguments: [
            (#"{"deny":["a"],"deny":[]}"#, "deny"),
            (#"{"d\u0065ny":1, "deny":2}"#, "deny"),
            (#"{"a":{"x":1,"y":{"z":[1,{"q":2}]},"x":3}}"#, "x"),
            (#"{"a":["{\"b\":1,", "}]"], "c":"\\", "a":1}"#, "a"),
            (#"[{"k":1},{"k":2,"k":3}]"#, "k"),
        ])
    func found(json: String, name: String) {
        #expect(JSONText.firstDuplicateName(Array(json.utf8)) == name)
    }

    @Test(
        "none",
        arguments: [
            #"{"a":{"x":1},"b":{"x":2}}"#, #"{"a":[{"x":1},{"x":2}]}"#, #"{"a":"a","b":["a","a"]}"#,
            #"{"a\"":1,"a":2}"#, #"{}"#, #"[]"#, #"{"allow":["kms:*"],"deny":["kms:dek:*"],"mode":"per-step"}"#,
        ])
    func none(json: String) {
        #expect(JSONText.firstDuplicateName(Array(json.utf8)) == nil)
    }
}
