#include "other_crcs.h"

#include <pthread.h>
#include <string.h>

// Eight bytes are loaded as one little-endian word, as the reflected tables expect.
static inline uint64_t load_le64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

// Slicing by eight: table[0] is the byte-at-a-time table; table[s][b] advances byte b through s more zero bytes.
static uint32_t t32[8][256];
static uint64_t t64[8][256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void make_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        uint64_t d = i;
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
            d = (d >> 1) ^ (0x9A6C9329AC4BC9B5ull & (0ull - (d & 1ull)));
        }
        t32[0][i] = c;
        t64[0][i] = d;
    }
    for (int s = 1; s < 8; s++) {
        for (int i = 0; i < 256; i++) {
            t32[s][i] = (t32[s - 1][i] >> 8) ^ t32[0][t32[s - 1][i] & 0xFF];
            t64[s][i] = (t64[s - 1][i] >> 8) ^ t64[0][t64[s - 1][i] & 0xFF];
        }
    }
}

uint32_t crc32_ieee_update(uint32_t crc, const void *data, size_t n) {
    pthread_once(&once, make_tables);
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (n >= 8) {
        uint64_t w = load_le64(p);
        uint32_t lo = (uint32_t)w ^ c, hi = (uint32_t)(w >> 32);
        c = t32[7][lo & 0xFF] ^ t32[6][(lo >> 8) & 0xFF] ^ t32[5][(lo >> 16) & 0xFF] ^ t32[4][lo >> 24]
            ^ t32[3][hi & 0xFF] ^ t32[2][(hi >> 8) & 0xFF] ^ t32[1][(hi >> 16) & 0xFF] ^ t32[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ t32[0][(c ^ *p++) & 0xFF];
    return ~c;
}

uint64_t crc64_nvme_update(uint64_t crc, const void *data, size_t n) {
    pthread_once(&once, make_tables);
    const uint8_t *p = data;
    uint64_t c = ~crc;
    while (n >= 8) {
        c ^= load_le64(p);
        c = t64[7][c & 0xFF] ^ t64[6][(c >> 8) & 0xFF] ^ t64[5][(c >> 16) & 0xFF] ^ t64[4][(c >> 24) & 0xFF]
            ^ t64[3][(c >> 32) & 0xFF] ^ t64[2][(c >> 40) & 0xFF] ^ t64[1][(c >> 48) & 0xFF] ^ t64[0][c >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ t64[0][(c ^ *p++) & 0xFF];
    return ~c;
}
