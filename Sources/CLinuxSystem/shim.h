#ifndef OBSCTL_CSYSTEM_SHIM_H
#define OBSCTL_CSYSTEM_SHIM_H
// What Swift's Glibc module leaves out: sync_file_range and fallocate (behind _GNU_SOURCE in <fcntl.h>), each behind
// a small typed function.

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#if defined(__linux__)
extern int sync_file_range(int fd, long long offset, long long nbytes, unsigned int flags);

/// Starts write-back of [offset, offset+length) without waiting for it (SYNC_FILE_RANGE_WRITE).
/// Returns 0 or -1 and errno.
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    return sync_file_range(fd, offset, length, 2 /* SYNC_FILE_RANGE_WRITE */);
}

extern int fallocate(int fd, int mode, long long offset, long long length);

/// Allocates the blocks of [0, length) and sets the file's size to at least `length` (fallocate, mode 0).
/// Returns 0, or -1 and errno (EOPNOTSUPP where the file system cannot).
static inline int cs_allocate(int fd, long long length) { return fallocate(fd, 0, 0, length); }
#else
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    (void)fd; (void)offset; (void)length; return 0;
}
static inline int cs_allocate(int fd, long long length) { (void)fd; (void)length; errno = EOPNOTSUPP; return -1; }
#endif

#endif
