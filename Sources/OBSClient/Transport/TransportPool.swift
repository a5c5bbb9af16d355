import Foundation

/// Connections for requests running at once (`--jobs` files, each with its parts): a caller checks one out for one
/// request and puts it back, so a connection is never used by two threads at once, and an idle one (its
/// keep-alive connection open) is reused before a new one is made. A transport given from outside (a test's
/// scripted one) is the only one: callers then take turns, as before.
final class TransportPool: @unchecked Sendable {  // `idle` and `growable` are only touched under `condition`
    private let condition = NSCondition()
    private var idle: [HTTPTransport]
    private let make: (() throws -> HTTPTransport)?

    /// `make` nil: `first` is the only transport.
    init(first: HTTPTransport, make: (() throws -> HTTPTransport)?) {
        idle = [first]
        self.make = make
    }

    func withTransport<R>(_ body: (HTTPTransport) throws -> R) throws -> R {
        let transport = try checkOut()
        defer { checkIn(transport) }
        return try body(transport)
    }

    private func checkOut() throws -> HTTPTransport {
        condition.lock()
        while idle.isEmpty && make == nil { condition.wait() }
        if let t = idle.popLast() { condition.unlock(); return t }
        condition.unlock()
        return try make!()
    }

    private func checkIn(_ transport: HTTPTransport) {
        condition.lock()
        idle.append(transport)
        condition.signal()
        condition.unlock()
    }
}
