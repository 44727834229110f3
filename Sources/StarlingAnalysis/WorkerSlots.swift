// What analysing on several threads needs (the live writer's batches, corpus-mode entity linking): slots the
// workers of `DispatchQueue.concurrentPerform` fill at disjoint indexes, and analysers handed one to a worker.
import Foundation

/// Result slots that `concurrentPerform` workers fill at disjoint indexes (raw memory, so no exclusivity check
/// sees the concurrent writes). Read them once the workers are done.
public final class WorkerSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<T?>

    /// `count` empty slots.
    public init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Fills slot `i`; each index is written by one worker only.
    public func set(_ i: Int, _ value: T) { slots[i] = value }

    /// Slot `i`'s value, leaving the slot empty.
    public func take(_ i: Int) -> T? {
        defer { slots[i] = nil }
        return slots[i]
    }

    /// The filled slots' values, in index order.
    public var values: [T] { slots.compactMap { $0 } }
}

/// Analysers handed to worker threads; each index is used by exactly one worker.
public struct AnalyzerBox: @unchecked Sendable {
    public let analyzers: [Analyzer]
    public init(_ a: [Analyzer]) { analyzers = a }
}
