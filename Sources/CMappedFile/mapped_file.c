#include "mapped_file.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static _Thread_local mf_window *active;
static struct sigaction previous;
static uintptr_t page_size;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

// A fault inside this thread's active window is a page past the file's end (the file was truncated): put a zero
// page there and return, so the access is retried and reads zeros. Only mmap is called: async-signal-safe.
static void on_sigbus(int signal_number, siginfo_t *info, void *context) {
    mf_window *w = active;
    uintptr_t address = (uintptr_t)info->si_addr, base = (uintptr_t)(w ? w->map_base : 0);
    if (w && address >= base && address < base + w->map_length) {
        void *page = (void *)(address & ~(page_size - 1));
        if (mmap(page, page_size, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
            w->truncated = 1;
            return;
        }
    }
    if (previous.sa_flags & SA_SIGINFO) {
        if (previous.sa_sigaction) { previous.sa_sigaction(signal_number, info, context); return; }
    } else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(signal_number);
        return;
    }
    // The default action: returning retries the access, which faults again and ends the process as it would have.
    signal(SIGBUS, SIG_DFL);
}

static void install(void) {
    page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &previous) != 0) install_error = errno;
}

int mf_map(int fd, int64_t offset, size_t length, mf_window *window) {
    pthread_once(&install_once, install);
    if (install_error) return install_error;
    if (length == 0 || offset < 0 || active) return EINVAL;
    uintptr_t slack = (uintptr_t)offset & (page_size - 1);
    size_t map_length = length + slack;
    void *base = mmap(NULL, map_length, PROT_READ, MAP_PRIVATE, fd, (off_t)(offset - (int64_t)slack));
    // No MADV_SEQUENTIAL: it measured no cheaper here, and it marks the pages for early reclaim, when the send
    // that follows this pass reads them again.
    if (base == MAP_FAILED) return errno;
    window->map_base = base;
    window->map_length = map_length;
    window->bytes = (const unsigned char *)base + slack;
    window->length = length;
    window->truncated = 0;
    active = window;
    return 0;
}

void mf_unmap(mf_window *window) {
    if (active == window) active = NULL;
    if (window->map_base) munmap(window->map_base, window->map_length);
    window->map_base = NULL;
    window->bytes = NULL;
}
