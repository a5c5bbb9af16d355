/// Hands a value the compiler cannot prove Sendable to concurrent transfer tasks. Only for state that is read-only
/// once handed over, or whose shared parts lock inside (storage backends, output, progress); each use says which.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
