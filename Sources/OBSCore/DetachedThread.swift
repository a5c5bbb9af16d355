#if canImport(Glibc)
import Glibc
#endif

/// A thread of its own for a background job that must know whether it started: Foundation's `Thread.start`
/// ignores pthread_create's failure (EAGAIN at a thread or memory limit), and its body then never runs, so a
/// caller waiting for that body's answer would wait forever.
public enum DetachedThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Runs `body` on a new detached thread; 0, or the errno pthread_create gave (nothing runs then).
    public static func start(_ body: @escaping () -> Void) -> Int32 {
        let boxed = Unmanaged.passRetained(Body(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let e = pthread_create(
            &thread, &attributes,
            { raw in
                Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, boxed)
        if e != 0 { Unmanaged<Body>.fromOpaque(boxed).release() }
        return e
    }
}
