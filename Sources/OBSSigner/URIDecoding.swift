extension URIEncoding {
    /// A path or query piece as received, `%XX` decoded as UTF-8 (a stray `%` and `+` kept as they are): the one
    /// decoder for what a server receives, the same the verifiers canonicalise with.
    public static func decode(_ s: some StringProtocol) -> String {
        String(decoding: percentDecode(bytes: s.utf8), as: UTF8.self)
    }

    /// Whether `decode` keeps every byte of `s`: its decoded bytes are UTF-8. `%FF` (or half a character, `%C3`)
    /// is not, and `decode` turns it into U+FFFD, so that names which differ there would read as one.
    public static func decodesAsUTF8(_ s: some StringProtocol) -> Bool {
        String(validating: percentDecode(bytes: s.utf8), as: UTF8.self) != nil
    }
}
