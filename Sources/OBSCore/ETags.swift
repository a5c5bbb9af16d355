import Foundation

/// ETags as they are compared: a client may send one quoted (a header, XML), with blanks, or in capitals.
public enum ETags {
    /// Without the quotes and blanks around it, lower-cased: equal for any two spellings of one ETag.
    public static func bare(_ etag: String) -> String {
        etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
    }
}
