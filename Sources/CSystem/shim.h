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

#if defined(__x86_64__)
#include <immintrin.h>
// Where the CPU multiplies 512-bit lanes without carry (VPCLMULQDQ, AVX-512): sixteen 128-bit lanes of the input
// are folded forward 2048 bits at a time, then into one lane, whose CRC the instruction above finishes (Intel,
// "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ"). Each constant is x^(d±32) mod P, bit-reflected
// and shifted left by one, for the CRC-32C polynomial P = 0x11EDC6F41: d = 2048 for the loop, 128 for the final
// folds (computed, and the whole checked against the portable loop, by the unit tests). About twice the
// three-stream loop's speed on such CPUs.
__attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))
static inline uint32_t cs_crc32c_vpclmul(uint32_t crc, const uint8_t *p, size_t n) {
    if (n < 256) return cs_crc32c_sse42(crc, p, n);
    const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(0xb9e02b86LL, 0xdcb17aa4LL));
    const __m128i k128 = _mm_set_epi64x(0x14cd00bd6LL, 0xf20c0dfeLL);
    __m512i x[4];
    for (int i = 0; i < 4; i++) x[i] = _mm512_loadu_si512((const void *)(p + 64 * i));
    x[0] = _mm512_xor_si512(x[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    p += 256; n -= 256;
    while (n >= 256) {
        for (int i = 0; i < 4; i++) {
            __m512i lo = _mm512_clmulepi64_epi128(x[i], k2048, 0x00), hi = _mm512_clmulepi64_epi128(x[i], k2048, 0x11);
            x[i] = _mm512_ternarylogic_epi64(lo, hi, _mm512_loadu_si512((const void *)(p + 64 * i)), 0x96);  // lo ^ hi ^ data
        }
        p += 256; n -= 256;
    }
    __m128i lanes[16];
    for (int i = 0; i < 4; i++) _mm512_storeu_si512((void *)&lanes[4 * i], x[i]);
    __m128i a = lanes[0];
    for (int i = 1; i < 16; i++)
        a = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k128, 0x00), _mm_clmulepi64_si128(a, k128, 0x11)), lanes[i]);
    uint64_t c = __builtin_ia32_crc32di(0, (uint64_t)_mm_cvtsi128_si64(a));
    c = __builtin_ia32_crc32di(c, (uint64_t)_mm_extract_epi64(a, 1));
    return cs_crc32c_sse42((uint32_t)c, p, n);
}

/// AVX-512F, AVX-512VL and VPCLMULQDQ, with the OS saving the ZMM registers (XCR0 bits 1, 2, 5, 6, 7).
static inline int cs_has_vpclmul(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_PCLMUL) || !(c & bit_SSE4_2)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX512F) && (b & bit_AVX512VL) && (c & bit_VPCLMULQDQ);
}
#endif

/// `hardware`: 0 the portable loop, 1 the three-stream CRC instruction, 2 the 512-bit folding (as
/// cs_crc32c_hardware_available found). `shift` comes from cs_crc_shift_make (used only with 1).
static inline uint32_t cs_crc32c(uint32_t crc, const void *data, size_t n, int hardware, const cs_crc_shift *shift) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
#if defined(__x86_64__)
    if (hardware == 2) return ~cs_crc32c_vpclmul(crc, p, n);
    if (hardware == 1) return ~cs_crc32c_sse42_3way(crc, p, n, shift);
#endif
    (void)hardware; (void)shift;
    return ~cs_crc32c_portable(crc, p, n);
}

/// The fastest of the paths above this CPU has: 2, 1 or 0.
static inline int cs_crc32c_hardware_available(void) {
#if defined(__x86_64__)
    if (cs_has_vpclmul()) return 2;
    return cs_has_sse42();
#else
    return 0;
#endif
}

#endif
