#ifndef OBSCTL_CSYSTEM_SHIM_H
#define OBSCTL_CSYSTEM_SHIM_H
// What Swift's Glibc module leaves out: sync_file_range and fallocate (behind _GNU_SOURCE in <fcntl.h>) and the CPU's CRC32C
// instruction (SSE4.2), each behind a small typed function.

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

#if defined(__linux__)
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);

/// Starts write-back of [offset, offset+length) without waiting for it (SYNC_FILE_RANGE_WRITE). Returns 0 or -1 and errno.
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */);
}

extern int fallocate(int fd, int mode, long long offset, long long length);

/// Allocates the blocks of [0, length) and sets the file's size to at least `length` (fallocate, mode 0).
/// Returns 0, or -1 and errno (EOPNOTSUPP where the file system cannot).
static inline int cs_allocate(int fd, long long length) { return fallocate(fd, 0, 0, length); }
#else
static inline int cs_start_writeback(int fd, long long offset, long long length) { (void)fd; (void)offset; (void)length; return 0; }
static inline int cs_allocate(int fd, long long length) { (void)fd; (void)length; errno = EOPNOTSUPP; return -1; }
#endif

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as S3's x-amz-checksum-crc32c. `crc` is the value so far
// (0 to start); the result is the value after `data`, so a stream is hashed by chaining calls.
static inline uint32_t cs_crc32c_portable(uint32_t crc, const uint8_t *p, size_t n) {
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    }
    return crc;
}

#if defined(__x86_64__)
#include <cpuid.h>
__attribute__((target("sse4.2")))
static inline uint32_t cs_crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) { uint64_t v; memcpy(&v, p, 8); c = __builtin_ia32_crc32di(c, v); p += 8; n -= 8; }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
static inline int cs_has_sse42(void) {
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_2) != 0;
}
#endif

// The CRC instruction takes 3 cycles and can start one every cycle: three independent streams keep it busy. A long
// input is hashed as blocks A, B, C of CS_CRC_BLOCK bytes at once and joined with `shift`, the linear map that
// advances a CRC register over CS_CRC_BLOCK zero bytes: crc(A B C) = shift(shift(crc(A)) ^ crc(B)) ^ crc(C), with
// B and C started from 0. (The raw register is used throughout; the inversion is applied once, outside.)
#define CS_CRC_BLOCK 8192
typedef struct { uint32_t column[32]; } cs_crc_shift;

static inline uint32_t cs_crc_shift_apply(const cs_crc_shift *s, uint32_t r) {
    uint32_t out = 0;
    for (int i = 0; i < 32; i++) out ^= s->column[i] & (0u - ((r >> i) & 1u));
    return out;
}

/// Fills `s` for CS_CRC_BLOCK zero bytes (column i: where bit i of the register goes).
static inline void cs_crc_shift_make(cs_crc_shift *s) {
    static const uint8_t zeros[CS_CRC_BLOCK] = {0};
    for (int i = 0; i < 32; i++) s->column[i] = cs_crc32c_portable(1u << i, zeros, CS_CRC_BLOCK);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static inline uint32_t cs_crc32c_sse42_3way(uint32_t crc, const uint8_t *p, size_t n, const cs_crc_shift *shift) {
    while (n >= 3 * CS_CRC_BLOCK) {
        uint64_t a = crc, b = 0, c = 0;
        const uint8_t *pb = p + CS_CRC_BLOCK, *pc = p + 2 * CS_CRC_BLOCK;
        for (size_t i = 0; i < CS_CRC_BLOCK; i += 8) {
            uint64_t va, vb, vc;
            memcpy(&va, p + i, 8); memcpy(&vb, pb + i, 8); memcpy(&vc, pc + i, 8);
            a = __builtin_ia32_crc32di(a, va); b = __builtin_ia32_crc32di(b, vb); c = __builtin_ia32_crc32di(c, vc);
        }
        crc = cs_crc_shift_apply(shift, cs_crc_shift_apply(shift, (uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
        p += 3 * CS_CRC_BLOCK; n -= 3 * CS_CRC_BLOCK;
    }
    return cs_crc32c_sse42(crc, p, n);
}
#endif

/// `shift` comes from cs_crc_shift_make (used only with `hardware`).
static inline uint32_t cs_crc32c(uint32_t crc, const void *data, size_t n, int hardware, const cs_crc_shift *shift) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
#if defined(__x86_64__)
    if (hardware) return ~cs_crc32c_sse42_3way(crc, p, n, shift);
#endif
    (void)hardware; (void)shift;
    return ~cs_crc32c_portable(crc, p, n);
}

static inline int cs_crc32c_hardware_available(void) {
#if defined(__x86_64__)
    return cs_has_sse42();
#else
    return 0;
#endif
}

#endif
