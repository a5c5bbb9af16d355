#ifndef OBSCTL_CRC32C_H
#define OBSCTL_CRC32C_H
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as S3's x-amz-checksum-crc32c. `crc` is the value so far
// (0 to start); the result is the value after `data`, so a stream is hashed by chaining calls.

#include <stddef.h>
#include <stdint.h>

/// The ways this build can compute it, slowest first; each gives the same result.
enum {
    CRC32C_PORTABLE = 0,   // a bit-at-a-time loop, on any CPU
    CRC32C_SSE42 = 1,      // the CPU's CRC32 instruction (SSE4.2) on three streams at once
    CRC32C_PCLMUL = 2,     // 128-bit carry-less multiplication folding (PCLMULQDQ), finished with SSE4.2
    CRC32C_VPCLMUL = 3,    // 512-bit carry-less multiplication folding (AVX-512 VPCLMULQDQ), finished with SSE4.2
};

/// The fastest path this CPU has (checked once).
int crc32c_fastest_path(void);

/// `crc` advanced over `n` bytes at `data`, with the fastest path.
uint32_t crc32c_update(uint32_t crc, const void *data, size_t n);

/// The same with a chosen path (tests compare them); a path the CPU lacks must not be asked for.
uint32_t crc32c_update_path(uint32_t crc, const void *data, size_t n, int path);

/// The CRC-32C of A followed by B, from `crc1` (of A), `crc2` (of B) and B's length: parts checksummed apart
/// give the whole without a second pass over the bytes.
uint32_t crc32c_combine(uint32_t crc1, uint32_t crc2, uint64_t len2);

#endif
