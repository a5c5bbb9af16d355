import OBSCore

/// What a run of transfers reports as it goes: one value per step of one item. Each encodes as one flat JSON object
/// with a `type` key ("started", "progress", "finished", "skipped", "failed", "deleted") and snake_case fields, the
/// shape of an NDJSON line. `index` is the item's position in the input, so a reader can restore the input order
/// from events that arrive in completion order.
public enum TransferEvent: Sendable, Encodable {
    case started(Started)
    case progress(ProgressUpdate)
    case finished(Finished)
    case skipped(Skipped)
    case failed(Failed)
    case deleted(Deleted)

    public var type: String {
        switch self {
        case .started: "started"
        case .progress: "progress"
        case .finished: "finished"
        case .skipped: "skipped"
        case .failed: "failed"
        case .deleted: "deleted"
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .started(let e): try e.encode(to: encoder)
        case .progress(let e): try e.encode(to: encoder)
        case .finished(let e): try e.encode(to: encoder)
        case .skipped(let e): try e.encode(to: encoder)
        case .failed(let e): try e.encode(to: encoder)
        case .deleted(let e): try e.encode(to: encoder)
        }
    }

    private enum TypeKey: String, CodingKey { case type }

    /// An item began; `size` is what it is expected to move, when known.
    public struct Started: Sendable, Encodable, Equatable {
        public var index: Int, item: String, size: Int64?
        public init(index: Int, item: String, size: Int64?) { self.index = index; self.item = item; self.size = size }
    }

    /// Bytes an item in flight has moved so far.
    public struct ProgressUpdate: Sendable, Encodable, Equatable {
        public var index: Int, item: String, bytes: Int64
        public init(index: Int, item: String, bytes: Int64) { self.index = index; self.item = item; self.bytes = bytes }
    }

    /// An item succeeded, having moved `bytes`.
    public struct Finished: Sendable, Encodable, Equatable {
        public var index: Int, item: String, bytes: Int64
        public init(index: Int, item: String, bytes: Int64) { self.index = index; self.item = item; self.bytes = bytes }
    }

    /// An item left out on purpose (an unsafe key, a name that is not UTF-8, nothing to do), with why.
    public struct Skipped: Sendable, Encodable, Equatable {
        public var item: String, reason: String
        public init(item: String, reason: String) { self.item = item; self.reason = reason }
    }

    /// An item failed; the others go on. `error` is the original, for callers that map it (not encoded).
    public struct Failed: Sendable, Encodable {
        public var index: Int, item: String, code: String, message: String
        public var error: any Error

        public init(index: Int, item: String, error: any Error) {
            self.index = index; self.item = item; self.error = error
            let e = Self.obsError(error)
            code = e.code; message = e.message
        }

        /// Any error as an `OBSError`: those of the storage pass unchanged, others become a local I/O error.
        public static func obsError(_ error: any Error) -> OBSError {
            error as? OBSError ?? OBSError.localIO("\(error)")
        }

        private enum CodingKeys: String, CodingKey { case index, item, code, message }
    }

    /// An object (or file) was removed.
    public struct Deleted: Sendable, Encodable, Equatable {
        public var item: String, bucket: String?, key: String?
        public init(item: String, bucket: String? = nil, key: String? = nil) {
            self.item = item; self.bucket = bucket; self.key = key
        }
    }
}
