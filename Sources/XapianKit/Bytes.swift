// Bytes.swift: moving strings, byte arrays and result tables across the C boundary without needless copies.
//
// Terms are passed as (pointer, length) straight from a String's own UTF-8 storage when it has one (every
// native Swift string does); results come back as malloc'ed buffers that are copied once and freed.
import CXapian

/// Calls `body` with the string's UTF-8 bytes as a (pointer, length) pair, copying only when the string has
/// no contiguous UTF-8 storage (e.g. some bridged strings).
///
/// - Complexity: O(1) for native strings; O(n) otherwise.
@inline(__always)
func withUTF8Bytes<R>(_ string: String, _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    if let result = try string.utf8.withContiguousStorageIfAvailable({ buffer in
        try body(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
    }) {
        return result
    }
    var copy = string
    return try copy.withUTF8 { buffer in
        try body(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
    }
}

/// Calls `body` with the bytes as a (pointer, length) pair.
@inline(__always)
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { buffer in
        try body(UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self), buffer.count)
    }
}

/// Runs a CXapian call returning a malloc'ed buffer (length through `size_t *`), converts it and frees it.
func callReturningBuffer<R>(
    _ body: (UnsafeMutablePointer<Int>, UnsafeMutablePointer<OpaquePointer?>) -> UnsafeMutablePointer<CChar>?,
    _ convert: (UnsafeRawBufferPointer) -> R
) throws(XapianError) -> R {
    var length = 0
    let pointer = try call { body(&length, $0) }
    defer { xc_free(pointer) }
    return convert(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : length))
}

/// Decodes UTF-8 (repairing invalid sequences) from a returned buffer.
@inline(__always)
func decodeString(_ buffer: UnsafeRawBufferPointer) -> String { String(decoding: buffer, as: UTF8.self) }

/// Copies a returned buffer into an array.
@inline(__always)
func copyBytes(_ buffer: UnsafeRawBufferPointer) -> [UInt8] { Array(buffer) }

/// A read-only view of an `xc_table`, valid only inside `callReturningTable`'s closure.
struct TableView {
    let table: UnsafeMutablePointer<xc_table>

    var rows: Int { table.pointee.rows }
    func header(_ index: Int) -> Int64 {
        withUnsafeBytes(of: table.pointee.header) { $0.load(fromByteOffset: index * 8, as: Int64.self) }
    }

    /// String column `column` of `row`, as raw bytes pointing into the table.
    func raw(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let index = row * table.pointee.str_cols + column
        let ends = table.pointee.str_ends!
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeRawBufferPointer(start: table.pointee.bytes! + start, count: ends[index] - start)
    }
    func string(_ row: Int, _ column: Int) -> String { String(decoding: raw(row, column), as: UTF8.self) }
    func bytes(_ row: Int, _ column: Int) -> [UInt8] { Array(raw(row, column)) }
    func int(_ row: Int, _ column: Int) -> Int64 { table.pointee.ints[row * table.pointee.int_cols + column] }
    func real(_ row: Int, _ column: Int) -> Double { table.pointee.reals[row * table.pointee.real_cols + column] }
}

/// Runs a CXapian call returning an `xc_table`, reads it with `read` and frees it.
func callReturningTable<R>(
    _ body: (UnsafeMutablePointer<OpaquePointer?>) -> UnsafeMutablePointer<xc_table>?,
    _ read: (TableView) -> R
) throws(XapianError) -> R {
    guard let table = try call(body) else {
        throw XapianError(type: "std::bad_alloc", message: "CXapian returned no table")
    }
    defer { xc_free(table) }
    return read(TableView(table: table))
}
