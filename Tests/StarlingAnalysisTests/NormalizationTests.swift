// Normalisation for matching: NFKC + casefold, fancy letters fold to plain ones, zero-width and bidi controls
// vanish, and accents are dropped in a second form so `cafe` finds café while `café` stays exact.
import StarlingAnalysis
import Testing

@Suite struct NormalizationTests {
    let analyzer: Analyzer = try! Analyzer()

    @Test(arguments: [
        ("𝐛𝐨𝐥𝐝", "bold"), ("𝓼𝓬𝓻𝓲𝓹𝓽", "script"), ("𝔣𝔯𝔞𝔨𝔱𝔲𝔯", "fraktur"), ("𝕕𝕠𝕦𝕓𝕝𝕖", "double"),
        ("𝚖𝚘𝚗𝚘", "mono"), ("ｆｕｌｌ", "full"), ("Ⓒⓘⓡⓒⓛⓔ", "circle"), ("ﬁﬂ", "fifl"),
        ("STRASSE", "strasse"), ("Straße", "strasse"), ("ΣΊΣΥΦΟΣ", "σίσυφοσ"), ("İstanbul", "i̇stanbul"),
        ("zero\u{200B}width", "zerowidth"), ("a\u{200D}b\u{200C}c", "abc"), ("\u{202E}rtl\u{202C}", "rtl"),
        ("\u{2066}iso\u{2069}", "iso"), ("soft\u{00AD}hyphen", "softhyphen"), ("\u{FEFF}bom", "bom"),
        ("\u{200E}mark\u{200F}", "mark"),
    ])
    func fold(_ row: (String, String)) {
        #expect(Normalizer.fold(row.0) == row.1, "\(row.0)")
        #expect(Normalizer.fold(Normalizer.fold(row.0)) == Normalizer.fold(row.0))
    }

    @Test(arguments: [
        ("café", "cafe"), ("CAFÉ", "cafe"), ("naïve", "naive"), ("mañana", "manana"), ("Ærø", "ærø"),
        ("São Paulo", "sao paulo"), ("Zürich", "zurich"), ("crème brûlée", "creme brulee"),
    ])
    func marksStripped(_ row: (String, String)) {
        #expect(Normalizer.foldStrippingMarks(row.0[...]) == row.1)
    }

    /// Words carry their accent-free form only when it differs, at the same position as the exact form.
    @Test func unaccentedWordForms() {
        let a = analyzer.analyze("Café au lait in Zürich, not cafe")
        let words = a.tokens.map { "\($0.normalized)|\($0.unaccented ?? "-")" }
        #expect(words == ["café|cafe", "au|-", "lait|-", "in|-", "zürich|zurich", "not|-", "cafe|-"])
        // Marks that are letters in all but name stay: kana voicing, Indic vowel signs, Thai.
        for word in ["バイオリン", "हिन्दी", "ภาษาไทย"] {
            #expect(analyzer.analyze(word).tokens.allSatisfy { $0.unaccented == nil }, "\(word)")
        }
        // Arabic harakat and Greek tonos are optional.
        #expect(analyzer.analyze("كَتَبَ").tokens.first?.unaccented == "كتب")
        #expect(analyzer.analyze("Αθήνα").tokens.first?.unaccented == "αθηνα")
        // Hashtags and mentions are not words: they keep one form.
        #expect(analyzer.analyze("#café").tokens.first?.unaccented == nil)
    }

    /// Zero-width and bidi controls inside entities do not hide them.
    @Test func controlsAroundEntities() {
        let a = analyzer.analyze("\u{2066}#tag\u{2069} \u{200E}@user and \u{202A}https://example.com/x\u{202C}")
        #expect(a.hashtags.map(\.normalized) == ["tag"])
        #expect(a.mentions.map(\.normalized) == ["user"])
        #expect(a.urls.map(\.canonical) == ["https://example.com/x"])
    }
}
