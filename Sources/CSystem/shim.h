#ifndef OBSCTL_CSYSTEM_SHIM_H
#define OBSCTL_CSYSTEM_SHIM_H
// Linux calls that Swift's Glibc module does not import (they are behind _GNU_SOURCE in <fcntl.h>).

#if defined(__linux__)
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);

/// Starts write-back of [offset, offset+length) without waiting for it (SYNC_FILE_RANGE_WRITE). Returns 0 or -1 and errno.
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */);
}
#else
static inline int cs_start_writeback(int fd, long long offset, long long length) { (void)fd; (void)offset; (void)length; return 0; }
#endif

#endif
