// Stemmer.swift: Snowball stemming through Xapian::Stem.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CXapian

/// A Snowball stemmer (Xapian::Stem) for one language.
///
/// A value that can be shared freely between tasks: the underlying stemmer keeps scratch state, so calls
/// are serialised by a lock (uncontended in the usual one-stemmer-per-task use).
public struct Stemmer: Sendable {
    private let box: StemmerBox
    /// The language this stemmer was made for, as given.
    public let language: String

    /// A stemmer for `language`: a name such as `"english"` or an ISO code such as `"en"`; `"none"` does
    /// not change words.
    ///
    /// - Throws: `InvalidArgumentError` for an unknown language.
    public init(language: String) throws {
        let handle = try withUTF8Bytes(language) { pointer, length in
            try call { xc_stem_new(pointer, length, $0) }
        }
        box = StemmerBox(handle!)
        self.language = language
    }

    /// The stem of `word` (which should already be lowercased).
    ///
    /// - Complexity: O(n) in the word's length; one C call, no intermediate heap buffer.
    public func callAsFunction(_ word: String) -> String {
        box.withHandle { handle in
            withUTF8Bytes(word) { pointer, length in
                var capacity = length + 8
                while true {
                    var needed = 0
                    var error: OpaquePointer?
                    let stem = String(unsafeUninitializedCapacity: capacity) { buffer in
                        let out = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                        needed = xc_stem_apply(handle, pointer, length, out, capacity, &error)
                        return needed <= capacity ? needed : 0
                    }
                    if let error {
                        // Only an allocation failure gets here; the word itself is the safest answer.
                        xc_error_free(error)
                        return word
                    }
                    if needed <= capacity { return stem }
                    capacity = needed
                }
            }
        }
    }

    /// The languages Xapian can stem (`Xapian::Stem::get_available_languages()`).
    public static var languages: [String] {
        let list = (try? callReturningBuffer({ xc_stem_languages($0, $1) }, decodeString)) ?? ""
        return list.split(separator: " ").map(String.init)
    }
}

/// Owns an `xc_stem` and the lock serialising its use.
private final class StemmerBox: @unchecked Sendable {
    let handle: OpaquePointer
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ handle: OpaquePointer) {
        self.handle = handle
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        xc_stem_free(handle)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withHandle<R>(_ body: (OpaquePointer) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(handle)
    }
}
