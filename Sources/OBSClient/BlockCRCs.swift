import Foundation
import OBSCore
import OBSCrypto

/// The CRC-32Cs of a stream's consecutive blocks of `blockSize` bytes (4 bytes a MiB kept), so that a composite
/// CRC-32C (the CRC-32C of the parts' CRC-32Cs, "…-N") can be checked once the stream is over, when the part sizes
/// are learnt (a HEAD ?partNumber=1 then): every part that begins and ends on a block boundary has its CRC-32C
/// joined from its blocks' (`CRC32CShift`), without the bytes, which a stream cannot read again. A download into a
/// file keeps them per range (`RangeCRCs`), which spares it reading the file again for a CRC-32C check.
struct BlockCRCs {
    static let blockSize: Int64 = 1 << 20
    private static let blockShift = CRC32CShift(length: blockSize)
    private var blocks: [CRC32C] = []
    private var current = CRC32C()
    private var inCurrent: Int64 = 0
    /// Bytes seen.
    private(set) var total: Int64 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let n = Int(min(Int64(rest.count), Self.blockSize - inCurrent))
            current.update(UnsafeRawBufferPointer(rebasing: rest[0..<n]))
            inCurrent += Int64(n)
            total += Int64(n)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if inCurrent == Self.blockSize {
                blocks.append(current)
                current = CRC32C()
                inCurrent = 0
            }
        }
    }

    /// The CRC-32C of each part of `partSizes`, in order; nil when a part boundary falls inside a block (a part
    /// size that is not a multiple of `blockSize`, but the last) or the sizes do not add up to the bytes seen.
    func partCRCs(_ partSizes: [Int64]) -> [CRC32C]? {
        guard partSizes.reduce(0, +) == total, !partSizes.contains(where: { $0 < 0 }) else { return nil }
        var crcs: [CRC32C] = []
        var block = 0
        for (index, size) in partSizes.enumerated() {
            guard index == partSizes.count - 1 || size % Self.blockSize == 0 else { return nil }
            var part = CRC32C()
            var left = size
            while left >= Self.blockSize {
                part.append(blocks[block], shift: Self.blockShift)
                block += 1
                left -= Self.blockSize
            }
            if left > 0 { part.append(current, length: left) }  // only the last part ends inside a block
            crcs.append(part)
        }
        return crcs
    }

    /// The CRC-32C (base64) of all the bytes seen.
    var whole: String { partCRCs([total])![0].base64 }

    /// The composite CRC-32C (base64) of the bytes seen, cut into parts of `partSizes`; nil when a part boundary
    /// falls inside a block, which these CRCs cannot split. Sizes that do not add up to the bytes seen give a value
    /// no server states ("" never matches one).
    func composite(partSizes: [Int64]) -> String? {
        guard partSizes.reduce(0, +) == total else { return "" }
        guard let crcs = partCRCs(partSizes) else { return nil }
        return CRC32C.checksum(crcs.flatMap { withUnsafeBytes(of: $0.value.bigEndian) { Array($0) } }).base64
    }

    /// The CRCs of consecutive ranges of one stream, as if the stream had been seen whole; nil when a range but the
    /// last is not a whole number of blocks.
    static func joined(_ ranges: [BlockCRCs]) -> BlockCRCs? {
        var all = BlockCRCs()
        for (index, range) in ranges.enumerated() {
            guard index == ranges.count - 1 || range.inCurrent == 0 else { return nil }
            all.blocks += range.blocks
            (all.current, all.inCurrent) = (range.current, range.inCurrent)
            all.total += range.total
        }
        return all
    }
}

/// The block CRC-32Cs of a download's ranges, each taken as its bytes pass on to the file (hot in the CPU cache),
/// so that a CRC-32C check needs no second read of the file. Only for ranges that begin on a block boundary
/// (a `--part-size` of whole MiBs); otherwise `tap` hands the sink back and `joined` is nil.
/// `@unchecked Sendable`: `taps` is touched only under `lock`; each tap has one writer, its range's worker.
final class RangeCRCs: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var taps: [(start: Int64, tap: Tap)] = []

    init(rangeSize: Int64) { enabled = rangeSize > 0 && rangeSize % BlockCRCs.blockSize == 0 }

    /// `sink`, with the CRCs of what it is given from `start` on kept.
    func tap(_ sink: ByteSink, start: Int64) -> ByteSink {
        guard enabled else { return sink }
        let tap = Tap(sink)
        lock.lock()
        taps.append((start, tap))
        lock.unlock()
        return tap
    }

    /// The ranges' CRCs in order as one stream's; nil when there are none or they leave a gap.
    func joined() -> BlockCRCs? {
        lock.lock()
        let ranges = taps.sorted { $0.start < $1.start }
        lock.unlock()
        var next: Int64 = 0
        for range in ranges {
            guard range.start == next else { return nil }
            next += range.tap.crcs.total
        }
        return ranges.isEmpty ? nil : BlockCRCs.joined(ranges.map(\.tap.crcs))
    }

    final class Tap: ByteSink {
        private let inner: ByteSink
        fileprivate var crcs = BlockCRCs()
        init(_ inner: ByteSink) { self.inner = inner }
        func write(_ bytes: UnsafeRawBufferPointer) throws {
            crcs.update(bytes)
            try inner.write(bytes)
        }
    }
}
