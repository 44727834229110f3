// Sortable.swift: Xapian's sortable encoding of numbers for value slots (timestamps, counts).
import CXapian

/// Xapian's order-preserving encoding of numbers for value slots: byte-wise order of the encodings is the
/// numeric order, so value ranges and value sorts work on them (e.g. timestamps).
public enum Sortable {
    /// Encodes `value` (at most 9 bytes) so byte-wise comparison follows numeric order.
    ///
    /// - Complexity: O(1).
    public static func serialise(_ value: Double) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 9) { buffer, count in
            count = xc_sortable_serialise(
                value, UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self))
        }
    }

    /// Decodes bytes made by ``serialise(_:)``.
    public static func unserialise(_ bytes: [UInt8]) -> Double {
        withBytes(bytes) { xc_sortable_unserialise($0, $1) }
    }
}
