/// Linear maps over GF(2) on CRC registers of up to 64 bits, as matrices given by their columns: a CRC register
/// advanced over zero bytes is such a map, which joins checksums of pieces into the checksum of the whole.
enum GF2 {
    /// `columns` applied to `vector`: the XOR of the columns of the vector's set bits.
    static func times(_ columns: [UInt64], _ vector: UInt64) -> UInt64 {
        var sum: UInt64 = 0, rest = vector, bit = 0
        while rest != 0 {
            if rest & 1 != 0 { sum ^= columns[bit] }
            rest >>= 1
            bit += 1
        }
        return sum
    }

    /// The map applied twice.
    static func square(_ columns: [UInt64]) -> [UInt64] { columns.map { times(columns, $0) } }
}
