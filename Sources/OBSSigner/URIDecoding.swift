extension URIEncoding {
    /// A path or query piece as received, `%XX` decoded as UTF-8 (a stray `%` and `+` kept as they are): the one
    /// decoder for what a server receives, the same the verifiers canonicalise with.
    public static func decode(_ s: some StringProtocol) -> String {
        String(decoding: percentDecode(bytes: s.utf8), as: UTF8.self)
    }
}
