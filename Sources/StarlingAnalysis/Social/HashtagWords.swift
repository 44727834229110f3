// The words inside a hashtag, so `black lives` finds #BlackLivesMatter.
// CamelCase, letter/digit changes and underscores mark word boundaries; a part written all in one case is then
// split by the word-frequency model (HashtagSegmenter) when it is given one.

/// Splits hashtag bodies into words. Stateless.
public enum HashtagWords {
    private enum Class { case upper, lower, digit, other, separator }

    private static func classify(_ s: Unicode.Scalar) -> Class {
        if s == "_" { return .separator }
        let p = s.properties
        if p.numericType == .decimal { return .digit }
        if p.isUppercase { return .upper }
        if p.isLowercase { return .lower }
        return .other
    }

    /// The words of a hashtag body (without `#`), as written (not folded).
    /// `BlackLivesMatter` -> Black Lives Matter; `NASAMission` -> NASA Mission; `COVID19` -> COVID 19;
    /// `black_lives` -> black lives; `blacklivesmatter` -> blacklivesmatter.
    public static func split(_ body: Substring) -> [Substring] {
        let scalars = Array(body.unicodeScalars)
        guard !scalars.isEmpty else { return [] }
        var words = [Substring]()
        var idx = body.unicodeScalars.startIndex
        var indices = [String.UnicodeScalarView.Index]()
        indices.reserveCapacity(scalars.count + 1)
        for _ in scalars {
            indices.append(idx)
            idx = body.unicodeScalars.index(after: idx)
        }
        indices.append(body.unicodeScalars.endIndex)
        let classes = scalars.map(classify)
        var start = 0
        func flush(_ end: Int) {
            if end > start {
                let w = body[indices[start]..<indices[end]]
                words.append(w)
            }
        }
        var i = 0
        while i < scalars.count {
            let c = classes[i]
            if c == .separator {
                flush(i)
                start = i + 1
                i += 1
                continue
            }
            if i > start {
                let prev = classes[i - 1]
                var boundary = false
                switch (prev, c) {
                case (.lower, .upper), (.other, .upper): boundary = true
                case (.digit, .upper), (.digit, .lower), (.digit, .other): boundary = true
                case (.upper, .digit), (.lower, .digit), (.other, .digit): boundary = true
                case (.upper, .lower):
                    // "NASAMission": the last capital of a run starts the next word.
                    if i - 1 > start, classes[i - 2] == .upper {
                        flush(i - 1)
                        start = i - 1
                    }
                default: break
                }
                if boundary {
                    flush(i)
                    start = i
                }
            }
            i += 1
        }
        flush(scalars.count)
        return words
    }

    /// The words of a hashtag body: `split`, then, when the tag is written in one case throughout (so its writer
    /// marked no words), each part through `segmenter`. `blacklivesmatter2016` -> black lives matter 2016;
    /// `COVID19Vaccine` -> COVID 19 Vaccine (CamelCase is trusted as written).
    public static func words(_ body: Substring, segmenter: HashtagSegmenter) -> [Substring] {
        let parts = split(body)
        var upper = false
        var lower = false
        for s in body.unicodeScalars {
            if s.properties.isUppercase { upper = true } else if s.properties.isLowercase { lower = true }
            if upper && lower { return parts }
        }
        var out = [Substring]()
        out.reserveCapacity(parts.count)
        for p in parts { out.append(contentsOf: segmenter.segment(p)) }
        return out
    }
}
