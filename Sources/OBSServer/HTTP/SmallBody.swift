import OBSCore

/// Request bodies that are read whole (XML and JSON documents), bounded: one place for the loop and the limit.
enum SmallBody {
    /// Reads `body` to its end; `tooLarge` is thrown once more than `limit` bytes arrived. Blocking: call it on a
    /// BlockingPool thread.
    static func read(_ body: any ByteSource, limit: Int, tooLarge: () -> Error) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try body.read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
            if out.count > limit { throw tooLarge() }
        }
    }
}
