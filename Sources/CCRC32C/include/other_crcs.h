#ifndef OBSCTL_OTHER_CRCS_H
#define OBSCTL_OTHER_CRCS_H
// The other CRCs of S3's flexible checksums, as `obsctl serve` verifies them: CRC-32 (IEEE 802.3, reflected
// polynomial 0xEDB88320, x-amz-checksum-crc32) and CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5,
// x-amz-checksum-crc64nvme). As for crc32c_update, `crc` is the value so far (0 to start) and the result the value
// after `data`, so a stream is hashed by chaining calls. Table-driven, eight bytes a step (about 1 GB/s).

#include <stddef.h>
#include <stdint.h>

uint32_t crc32_ieee_update(uint32_t crc, const void *data, size_t n);
uint64_t crc64_nvme_update(uint64_t crc, const void *data, size_t n);

#endif
