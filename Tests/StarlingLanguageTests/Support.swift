// Test support: where ../shared/data is, the held-out split of tools/langid-eval/langid_data.py, and one analyser.
import Foundation
import StarlingAnalysis

enum SharedData {
    /// ../shared/data/eval/langid, resolved from this file (Tests/StarlingLanguageTests/Support.swift).
    static let langid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data/eval/langid")
    static let entities = langid.deletingLastPathComponent().appendingPathComponent("entities/weps3-trial.tsv")
    static let available = FileManager.default.fileExists(atPath: langid.appendingPathComponent("ilps-train.tsv").path)

    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
    }

    /// FNV-1a 64 over UTF-8, as langid_data.fnv1a64.
    static func fnv1a64(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    /// Whether row `index` of `set` is in the held-out TEST part (never seen by the shipped model).
    static func isHeldOut(set: String, index: Int) -> Bool { fnv1a64("\(set):\(index)") % 5 == 0 }

    static let xlmtFolders = ["arabic": "ar", "english": "en", "french": "fr", "german": "de", "hindi": "hi",
                              "italian": "it", "portuguese": "pt", "spanish": "es"]

    /// The held-out xlm-t rows (text, gold), in the set's order (folders sorted, train then val, blank lines skipped).
    static func xlmtHeldOut() throws -> [(String, String)] {
        var rows: [(String, String)] = []
        var index = 0
        for folder in xlmtFolders.keys.sorted() {
            for part in ["train_text.txt", "val_text.txt"] {
                let url = langid.appendingPathComponent("xlm-t/\(folder)/\(part)")
                for line in try lines(url) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    if isHeldOut(set: "xlmt", index: index) { rows.append((line, xlmtFolders[folder]!)) }
                    index += 1
                }
            }
        }
        return rows
    }

    /// The held-out ILPS rows (text, gold).
    static func ilpsHeldOut() throws -> [(String, String)] {
        let names = ["dutch": "nl", "english": "en", "french": "fr", "german": "de", "spanish": "es"]
        var rows: [(String, String)] = []
        var index = 0
        for line in try lines(langid.appendingPathComponent("ilps-train.tsv")) {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let code = names[String(parts[0])],
                  !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if isHeldOut(set: "ilps", index: index) { rows.append((String(parts[1]), code)) }
            index += 1
        }
        return rows
    }

    /// The first line of `url` containing `needle`.
    static func line(in url: URL, containing needle: String) throws -> String? {
        try lines(url).first { $0.contains(needle) }
    }
}
