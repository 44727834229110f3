// Starling's own language model: multinomial naive Bayes over character n-grams, learnt from the shared tweet
// language-ID training sets by tools/langid-eval/train.py into analyzers/langid/model.tsv. It knows few languages
// (those of the training sets, romanised Hindi among them) but knows them on tweets; CLD2 covers the rest.
// The feature extraction must stay identical to tools/langid-eval/ngrams.py.
import Foundation

/// A loaded n-gram model. Immutable after loading, so it is shared by every thread.
public final class NGramModel: Sendable {
    /// The model's languages (ISO codes), in the order of every score array.
    public let languages: [String]
    /// Longest n-gram, in characters.
    public let maxN: Int
    // The table is small enough to stay mostly in cache, since every letter costs maxN + 1 lookups:
    // - open addressing (load factor <= 2/3), each slot one UInt64: the feature hash's top 40 bits (0 = empty)
    //   and its weight row in the low 24 bits;
    // - a weight row is `stride` bytes (the language count rounded up to 16): for each language,
    //   log P(feature | best language) - log P(feature | language) in steps of 1/16 nat, capped at 255.
    //   Subtracting the same amount from every language of a feature changes no ranking or probability, and the
    //   1/16 nat steps average out over a text's features.
    private let slots: [UInt64]
    private let penalties: [UInt8]
    private let stride: Int
    private let mask: Int
    private static let rowBits: UInt64 = 24
    private static let rowMask: UInt64 = (1 << 24) - 1
    private static let quantum: Float = 16

    /// Scores of one text: the summed log-likelihoods per language and how many features were known.
    public struct Scores: Sendable {
        /// Sum of log P(feature | language), in the order of `languages`, each feature shifted by a constant
        /// that is the same for every language (so only differences between languages mean anything).
        public var logLikelihood: [Float]
        /// Number of the text's features the model knows.
        public var features: Int
        /// Number of letters seen.
        public var letters: Int
    }

    /// Loads a model file written by tools/langid-eval/train.py.
    public init(contentsOf url: URL) throws {
        // Parsed over raw bytes: every `starling` command that searches loads the model, so this must be quick.
        let bytes = [UInt8](try Data(contentsOf: url))
        var langs: [String] = []
        var alpha: Float = 0.3
        var maxN = 5
        var totals: [Float] = []
        var featureCount = 0
        var lines: [Range<Int>] = []  // feature lines
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }
            if bytes[start] != 0x23 { lines.append(start..<end); continue }  // not '#'
            let line = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let v = parts[1]
            switch parts[0] {
            case "langs": langs = v.split(separator: " ").map(String.init)
            case "alpha": alpha = Float(v) ?? alpha
            case "maxn": maxN = Int(v) ?? maxN
            case "totals": totals = v.split(separator: " ").compactMap { Float($0) }
            case "features": featureCount = Int(v) ?? 0
            default: break
            }
        }
        guard !langs.isEmpty, totals.count == langs.count else {
            throw LanguageSetupError(message: "\(url.path): not a language model (no #langs / #totals header)")
        }
        let L = langs.count
        let V = Float(max(featureCount, lines.count))
        guard UInt64(lines.count) < Self.rowMask else {
            throw LanguageSetupError(message: "\(url.path): too many features (\(lines.count))")
        }
        var capacity = 16
        while capacity * 2 < lines.count * 3 { capacity <<= 1 }
        var slots = [UInt64](repeating: 0, count: capacity)
        let stride = (L + 15) / 16 * 16
        var penalties = [UInt8](repeating: 0, count: lines.count * stride)
        var logp = [Float](repeating: 0, count: L)
        var counts = [Float](repeating: 0, count: L)
        let denominators = totals.map { log($0 + alpha * V) }
        let unseen = log(alpha)
        var row = 0
        for range in lines {
            var tab = range.lowerBound
            while tab < range.upperBound && bytes[tab] != 0x09 { tab += 1 }
            guard tab < range.upperBound else { continue }
            let key = Self.hash(utf8: bytes[range.lowerBound..<tab])
            for i in 0..<L { counts[i] = 0 }
            // "i:c i:c ..."
            var k = tab + 1
            while k < range.upperBound {
                var i = 0
                while k < range.upperBound && bytes[k] != 0x3A { i = i * 10 + Int(bytes[k] &- 0x30); k += 1 }
                k += 1
                var c = 0
                while k < range.upperBound && bytes[k] != 0x20 { c = c * 10 + Int(bytes[k] &- 0x30); k += 1 }
                k += 1
                if i < L { counts[i] = Float(c) }
            }
            for i in 0..<L { logp[i] = (counts[i] > 0 ? log(counts[i] + alpha) : unseen) - denominators[i] }
            let best = logp.max() ?? 0
            for i in 0..<L {
                penalties[row * stride + i] = UInt8(min(255, ((best - logp[i]) * Self.quantum).rounded()))
            }
            let tag = key & ~Self.rowMask
            var slot = Int(truncatingIfNeeded: key) & (capacity - 1)
            while slots[slot] != 0 && slots[slot] & ~Self.rowMask != tag { slot = (slot + 1) & (capacity - 1) }
            if slots[slot] == 0 { slots[slot] = tag | UInt64(row) }
            row += 1
        }
        languages = langs
        self.maxN = maxN
        self.slots = slots
        self.penalties = penalties
        self.stride = stride
        mask = capacity - 1
    }

    /// `hash` of a feature given as UTF-8 bytes (decoded to scalars on the fly).
    static func hash(utf8 b: ArraySlice<UInt8>) -> UInt64 {
        var i = b.startIndex
        var h = gramSeed
        if b.count > 2 && b[i] == 0x77 && b[i + 1] == 0x3A {  // "w:"
            h = wordSeed
            i += 2
        }
        while i < b.endIndex {
            let c0 = UInt32(b[i])
            var v: UInt32
            var len: Int
            if c0 < 0x80 { v = c0; len = 1 } else if c0 < 0xE0 { v = c0 & 0x1F; len = 2 }
            else if c0 < 0xF0 { v = c0 & 0x0F; len = 3 } else { v = c0 & 0x07; len = 4 }
            var j = 1
            while j < len && i + j < b.endIndex { v = (v << 6) | (UInt32(b[i + j]) & 0x3F); j += 1 }
            h = (h ^ UInt64(v)) &* prime
            i += len
        }
        return h | tagBit
    }

    // FNV-1a over the Unicode scalar values; `w:word` features hash the word with another seed.
    private static let gramSeed: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let wordSeed: UInt64 = 0x8422_2325_cbf2_9ce4
    private static let prime: UInt64 = 0x0000_0100_0000_01b3
    /// Set in every feature hash so that no slot tag is 0 (the empty mark).
    private static let tagBit: UInt64 = 1 << 63

    /// Letters and combining marks, as Python's `unicodedata.category(c)[0] in "LM"`.
    @inline(__always)
    static func isLetter(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) }
        guard let s = Unicode.Scalar(v) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .nonspacingMark,
             .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// Scores `folded` (already NFKC + case-folded) text.
    ///
    /// The lookups of a word are done in passes (hash all its features, load all their slots, then all their
    /// weight rows) so that the cache misses overlap instead of waiting on each other.
    ///
    /// - Complexity: O(n · maxN) table lookups for n letters; no allocation beyond the result.
    public func score(folded: String) -> Scores {
        let L = languages.count
        var totals = [Int32](repeating: 0, count: stride)
        var known = 0
        var letters = 0
        let maxN = self.maxN
        let mask = self.mask
        let stride = self.stride
        // One word at a time, padded with spaces: " word ". Longer words are cut, as in ngrams.py.
        let capacity = 64
        let maxFeatures = (capacity + 2) * maxN + 1
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity + 2) { word in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: maxFeatures) { hashes in
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: maxFeatures) { entries in
            slots.withUnsafeBufferPointer { slots in
                penalties.withUnsafeBufferPointer { w in
                    totals.withUnsafeMutableBufferPointer { sums in
                        var count = 0  // letters in the current word
                        func flush() {
                            guard count > 0 else { return }
                            word[0] = 0x20
                            word[count + 1] = 0x20
                            let n = count + 2
                            var f = 0
                            for i in 0..<n {
                                var h = Self.gramSeed
                                let end = min(n, i + maxN)
                                var j = i
                                while j < end {
                                    h = (h ^ UInt64(word[j])) &* Self.prime
                                    // A lone padding space is not a feature.
                                    if j != i || (i != 0 && i != n - 1) { hashes[f] = h | Self.tagBit; f += 1 }
                                    j += 1
                                }
                            }
                            var hw = Self.wordSeed
                            for j in 1...count { hw = (hw ^ UInt64(word[j])) &* Self.prime }
                            hashes[f] = hw | Self.tagBit
                            f += 1
                            // Pass 1: the first slot of every feature (independent loads).
                            for k in 0..<f { entries[k] = slots[Int(truncatingIfNeeded: hashes[k]) & mask] }
                            // Pass 2: resolve collisions; entries[k] becomes the row + 1, or 0 when unknown.
                            var found = 0
                            for k in 0..<f {
                                let tag = hashes[k] & ~Self.rowMask
                                var entry = entries[k]
                                if entry & ~Self.rowMask != tag {
                                    var slot = Int(truncatingIfNeeded: hashes[k]) & mask
                                    while entry != 0 && entry & ~Self.rowMask != tag {
                                        slot = (slot + 1) & mask
                                        entry = slots[slot]
                                    }
                                    if entry == 0 { continue }
                                }
                                entries[found] = entry & Self.rowMask
                                found += 1
                            }
                            // Pass 3: add the weight rows.
                            for k in 0..<found {
                                let base = Int(entries[k]) * stride
                                for i in 0..<stride { sums[i] &+= Int32(w[base + i]) }
                            }
                            known += found
                            count = 0
                        }
                        for s in folded.unicodeScalars {
                            if Self.isLetter(s.value) {
                                if count < capacity {
                                    count += 1
                                    word[count] = s.value
                                }
                                letters += 1
                            } else {
                                flush()
                            }
                        }
                        flush()
                    }
                }
            }
        }
        }
        }
        // Back to (shifted) log-likelihoods: minus the penalties.
        let sums = (0..<L).map { -Float(totals[$0]) / Self.quantum }
        return Scores(logLikelihood: sums, features: known, letters: letters)
    }
}

/// The language module could not be set up (a missing or malformed data file).
public struct LanguageSetupError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let message: String
    /// Makes the error.
    public init(message: String) { self.message = message }
    public var description: String { message }
}
