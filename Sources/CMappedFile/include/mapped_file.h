#ifndef OBSCTL_MAPPED_FILE_H
#define OBSCTL_MAPPED_FILE_H
// A read-only window of a file mapped into memory, for one thread's sequential pass over it (a checksum read that
// copies nothing). A file truncated while it is mapped would kill the process with SIGBUS on the next access to a
// page it no longer has; here such a page reads as zeros instead and the window records that it happened, so the
// caller refuses what it read. A SIGBUS elsewhere goes on to the handler that was installed before (the Swift
// runtime's backtracer) or to the default action.

#include <stddef.h>
#include <stdint.h>

typedef struct mf_window {
    const unsigned char *bytes;  // the requested range
    size_t length;
    void *map_base;              // the page-aligned mapping around it
    size_t map_length;
    volatile int truncated;      // set when a page past the file's end was read (as zeros)
} mf_window;

/// Maps [offset, offset + length) of `fd` (length > 0) and makes it this thread's active window: at most one per
/// thread, released by mf_unmap before the next. Returns 0, or an errno value (nothing is then mapped).
int mf_map(int fd, int64_t offset, size_t length, mf_window *window);

/// Unmaps the window and ends it as this thread's active one.
void mf_unmap(mf_window *window);

#endif
