import OBSCrypto

/// The CRC-32Cs of a stream's consecutive blocks of `blockSize` bytes (4 bytes a MiB kept), so that a composite
/// CRC-32C (the CRC-32C of the parts' CRC-32Cs, "…-N") can be checked once the stream is over, when the part sizes
/// are learnt (a HEAD ?partNumber=1 then): every part that begins and ends on a block boundary has its CRC-32C
/// joined from its blocks' (crc32c_combine), without the bytes, which a stream cannot read again.
struct BlockCRCs {
    static let blockSize: Int64 = 1 << 20
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

    /// The composite CRC-32C (base64) of the bytes seen, cut into parts of `partSizes`; nil when a part boundary
    /// falls inside a block (a part size that is not a multiple of `blockSize`), which these CRCs cannot split.
    /// Sizes that do not add up to the bytes seen give a value no server states ("" never matches one).
    func composite(partSizes: [Int64]) -> String? {
        guard partSizes.reduce(0, +) == total, !partSizes.contains(where: { $0 < 0 }) else { return "" }
        var joined: [UInt8] = []
        var block = 0
        for (index, size) in partSizes.enumerated() {
            let isLast = index == partSizes.count - 1
            guard isLast || size % Self.blockSize == 0 else { return nil }
            var part = CRC32C()
            var left = size
            while left >= Self.blockSize {
                part.append(blocks[block], length: Self.blockSize)
                block += 1
                left -= Self.blockSize
            }
            if left > 0 { part.append(current, length: left) }  // only the last part ends inside a block
            joined += withUnsafeBytes(of: part.value.bigEndian) { Array($0) }
        }
        return CRC32C.checksum(joined).base64
    }
}
