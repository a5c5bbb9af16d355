#ifndef OBSCTL_CSYSTEM_SHIM_H
#define OBSCTL_CSYSTEM_SHIM_H
// What Swift's Glibc module leaves out: sync_file_range and fallocate (behind _GNU_SOURCE in <fcntl.h>), renameat2
// (<stdio.h>), syncfs (<unistd.h>), fstatfs (<sys/vfs.h>) and mallopt (<malloc.h>), each behind a small typed
// function.

#include <stddef.h>
#include <stdint.h>
#include <errno.h>

#if defined(__linux__)
#include <malloc.h>
#include <sys/vfs.h>

/// Fixes glibc's mmap threshold at `bytes`, so allocations of that size or more each get their own mapping, given
/// back to the system when freed, instead of staying in a thread's heap (a fixed value ends glibc's raising of it).
static inline void cs_fix_mmap_threshold(int bytes) { (void)mallopt(M_MMAP_THRESHOLD, bytes); }

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

extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);

/// rename(2) that fails with EEXIST instead of replacing `to` (RENAME_NOREPLACE); EINVAL where the file system
/// cannot tell. Returns 0, or -1 and errno.
static inline int cs_rename_noreplace(const char *from, const char *to) {
    return renameat2(-100 /* AT_FDCWD */, from, -100, to, 1 /* RENAME_NOREPLACE */);
}

extern int syncfs(int fd);

/// Writes back every dirty file of the file system holding `fd` and waits for it (syncfs; since Linux 5.8 it reports
/// write-back errors). Returns 0, or -1 and errno.
static inline int cs_syncfs(int fd) { return syncfs(fd); }

/// Reports a write-back error of the file open at `fd` not yet reported through it, after waiting for the write-back
/// under way (sync_file_range with SYNC_FILE_RANGE_WAIT_BEFORE over the whole file: no new disk I/O).
/// Returns 0, or -1 and errno.
static inline int cs_check_writeback(int fd) { return sync_file_range(fd, 0, 0, 1 /* SYNC_FILE_RANGE_WAIT_BEFORE */); }

/// The file system type (statfs f_type, e.g. 0xEF53 for ext2/3/4) of the file open at `fd`; 0 when unknown.
static inline int64_t cs_file_system_type(int fd) {
    struct statfs s;
    return fstatfs(fd, &s) == 0 ? (int64_t)s.f_type : 0;
}
#else
static inline void cs_fix_mmap_threshold(int bytes) { (void)bytes; }
static inline int cs_start_writeback(int fd, long long offset, long long length) {
    (void)fd; (void)offset; (void)length; return 0;
}
static inline int cs_allocate(int fd, long long length) { (void)fd; (void)length; errno = EOPNOTSUPP; return -1; }
static inline int cs_rename_noreplace(const char *from, const char *to) {
    (void)from; (void)to; errno = EINVAL; return -1;
}
static inline int cs_syncfs(int fd) { (void)fd; errno = ENOSYS; return -1; }
static inline int cs_check_writeback(int fd) { (void)fd; errno = EINVAL; return -1; }
static inline int64_t cs_file_system_type(int fd) { (void)fd; return 0; }
#endif

#endif
