#ifndef OBSCTL_CSYSTEM_SHIM_H
#define OBSCTL_CSYSTEM_SHIM_H
// What Swift's Glibc module leaves out: sync_file_range (behind _GNU_SOURCE in <fcntl.h>) and the CPU's CRC32C
// instruction (SSE4.2), each behind a small typed function.

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__linux__)
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);

/// Starts write-back of [offset, offset+length) without waiting for it (SYNC_FILE_RANGE_WRITE). Returns 0 or -1 and errno.
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */);
}
#else
static inline int cs_start_writeback(int fd, long long offset, long long length) { (void)fd; (void)offset; (void)length; return 0; }
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

static inline uint32_t cs_crc32c(uint32_t crc, const void *data, size_t n, int hardware) {
    const uint8_t *p = (const uint8_t *)data;
    crc = ~crc;
#if defined(__x86_64__)
    if (hardware) return ~cs_crc32c_sse42(crc, p, n);
#endif
    (void)hardware;
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
