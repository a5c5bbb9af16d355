import OBSCore

/// How an upload of a known size is cut into parts: obsutil's size tiers (9 MiB below 100 MiB, 20 MiB below
/// 500 MiB, 30 MiB below 1 GiB, 40 MiB below 5 GiB, else 50 MiB), raised when needed to stay within OBS's
/// 10,000 parts, and never below OBS's 100 KiB minimum part.
public struct MultipartPlan: Equatable, Sendable {
    public static let maxParts: Int64 = 10_000
    public static let minPartSize = PartSizeMinimum.obs
    public static let maxPartSize: Int64 = 5 << 30
    static let streamPartSize: Int64 = 16 << 20

    public let objectSize: Int64
    public let partSize: Int64
    public var partCount: Int { Int(max(1, (objectSize + partSize - 1) / partSize)) }

    public init(objectSize: Int64, partSize requested: Int64?) throws {
        self.objectSize = objectSize
        var size = requested ?? Self.tier(objectSize)
        guard (Self.minPartSize...Self.maxPartSize).contains(size) else {
            throw OBSError.invalidArgument("--part-size must be between 100 KiB and 5 GiB, got \(size) bytes")
        }
        if requested == nil {
            while (objectSize + size - 1) / size > Self.maxParts { size *= 2 }
        } else if (objectSize + size - 1) / size > Self.maxParts {
            throw OBSError.invalidArgument(
                "--part-size \(size) makes more than 10,000 parts for \(objectSize) bytes; choose a larger part size")
        }
        partSize = size
    }

    static func tier(_ size: Int64) -> Int64 {
        let mb: Int64 = 1_000_000, mib: Int64 = 1 << 20
        switch size {
        case ..<(100 * mb): return 9 * mib
        case ..<(500 * mb): return 20 * mib
        case ..<(1000 * mb): return 30 * mib
        case ..<(5000 * mb): return 40 * mib
        default: return 50 * mib
        }
    }

    /// The byte range of part `n` (1-based).
    public func range(ofPart n: Int) -> (offset: Int64, length: Int64) {
        let offset = Int64(n - 1) * partSize
        return (offset, min(partSize, objectSize - offset))
    }
}
