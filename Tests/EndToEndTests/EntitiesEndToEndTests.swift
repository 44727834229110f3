// End-to-end entity linking with the real binary: `starling entities` labels NDJSON posts with a catalogue
// (corpus-learnt and catalogue-only), reports bad input and bad catalogues, and `entity:ID` finds indexed posts.
import Foundation
import Testing

@Suite struct EntitiesEndToEndTests {
    static let catalogue = """
        entities:
          - id: delta_air_lines
            name: Delta Air Lines
            aliases: [delta]
            domains: [delta.com]
            description: American airline based in Atlanta.
        """

    static let posts = [
        #"{"id":"1","text":"Delta flight delayed at the gate, baggage lost https://t.co/a","urls":[{"url":"https://t.co/a","expanded":"https://www.delta.com/help"}]}"#,
        #"{"id":"2","text":"My Delta flight got an upgrade, gate changed, baggage fine https://t.co/b","urls":[{"url":"https://t.co/b","expanded":"https://delta.com/x"}]}"#,
        #"{"id":"3","text":"Delta flight to Atlanta, stuck at the gate with my baggage"}"#,
        #"{"id":"4","text":"The river delta wetlands are shrinking"}"#,
        #"{"id":"5","text":"Sediment builds the river delta wetlands"}"#,
        #"{"id":"6","text":"no entity here"}"#,
    ]

    private func withCatalogue<T>(_ yaml: String = catalogue, _ body: (String) throws -> T) throws -> T {
        let dir = try makeTempDir("entities")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("delta.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try body(file.path)
    }

    @Test func labelsACorpus() throws {
        try withCatalogue { catalog in
            let r = try Starling.run(["entities", "--catalog", catalog, "--json", "--evidence"],
                                     stdin: Self.posts.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.lines.count == Self.posts.count)
            var about: [String: Double] = [:]
            for line in r.lines {
                let o = try #require(jsonObject(line))
                let id = try #require(o["id"] as? String)
                let entities = try #require(o["entities"] as? [[String: Any]])
                for e in entities where e["id"] as? String == "delta_air_lines" {
                    about[id] = e["confidence"] as? Double
                    #expect((e["surface"] as? String)?.lowercased().contains("delta") == true)
                    #expect((e["evidence"] as? [String])?.isEmpty == false)
                }
            }
            #expect(Set(about.keys) == ["1", "2", "3"], "\(r.stdout)")
            #expect(about.values.allSatisfy { $0 >= 0.5 && $0 <= 1 })
            // The per-entity summary on stderr: posts 1-5 name Delta, 1 and 2 link to delta.com, 3 are about it.
            #expect(r.stderr.contains("delta_air_lines (Delta Air Lines): 5 posts name it (2 with signals), 3 about it;"),
                    "\(r.stderr)")
            let quiet = try Starling.run(["entities", "--catalog", catalog, "--quiet"],
                                         stdin: Self.posts.joined(separator: "\n") + "\n")
            #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
            let quietAbout = quiet.lines.compactMap(jsonObject).filter { !(($0["entities"] as? [Any])?.isEmpty ?? true) }
            #expect(Set(quietAbout.compactMap { $0["id"] as? String }) == Set(about.keys), "the same decisions")
        }
    }

    /// A catalogue entry's `threshold` decides its entity (here: only the posts linking to delta.com, signals at
    /// 0.97, reach 0.96); an explicit --threshold overrides it.
    @Test func aCatalogueThresholdAppliesUnlessOneIsGiven() throws {
        try withCatalogue(Self.catalogue + "\n    threshold: 0.96\n") { catalog in
            func about(_ extra: [String]) throws -> Set<String> {
                let r = try Starling.run(["entities", "--catalog", catalog, "--quiet"] + extra,
                                         stdin: Self.posts.joined(separator: "\n") + "\n")
                #expect(r.status == 0, "\(r.stderr)")
                return Set(r.lines.compactMap(jsonObject).filter { !(($0["entities"] as? [Any])?.isEmpty ?? true) }
                    .compactMap { $0["id"] as? String })
            }
            let byCatalogue = try about([]), catalogueOnly = try about(["--catalog-only"])
            let explicit = try about(["--threshold", "0.5"])
            #expect(byCatalogue == ["1", "2"])
            #expect(catalogueOnly == ["1", "2"])
            #expect(explicit == ["1", "2", "3"])
        }
        try withCatalogue(Self.catalogue + "\n    threshold: 2\n") { catalog in
            let r = try Starling.run(["entities", "--catalog", catalog], stdin: "")
            #expect(r.status == 1 && r.stderr.contains("\(catalog):7: 'threshold' must be a number from 0 to 1"), "\(r.stderr)")
        }
    }

    @Test func catalogueOnlyDecidesEachPostAlone() throws {
        try withCatalogue { catalog in
            let r = try Starling.run(["entities", "--catalog", catalog, "--catalog-only"],
                                     stdin: Self.posts.joined(separator: "\n"))
            #expect(r.status == 0, "\(r.stderr)")
            let labelled = r.lines.compactMap(jsonObject).filter { !(($0["entities"] as? [Any])?.isEmpty ?? true) }
            // 1 and 2 link to delta.com; 3 names Atlanta, a word of the description.
            #expect(labelled.compactMap { $0["id"] as? String } == ["1", "2", "3"])
        }
    }

    @Test func reportsBadLinesAndBadCatalogues() throws {
        try withCatalogue { catalog in
            let r = try Starling.run(["entities", "--catalog", catalog], stdin: "{\"id\":\"1\",\"text\":\"delta\"}\nnot json\n")
            #expect(r.status == 3)
            #expect(r.stderr.contains("stdin:2:"))
            #expect(r.lines.count == 1)
        }
        try withCatalogue("entities:\n  - id: a\n    name: A\n    aliases: [a]\n    colour: red\n") { catalog in
            let r = try Starling.run(["entities", "--catalog", catalog], stdin: "")
            #expect(r.status == 1)
            #expect(r.stderr.contains("\(catalog):5: unknown key 'colour'"), "\(r.stderr)")
        }
    }

    /// `starling analyze` decides with the repository's catalogues (analyzers/entities/brands.yaml): the company
    /// or the fruit, the car or the cat.
    @Test func analyzeShowsEntitiesWithEvidence() throws {
        func entities(_ text: String) throws -> [String] {
            let r = try Starling.run(["analyze", "--json", text])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try #require(jsonObject(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let list = try #require(o["entities"] as? [[String: Any]])
            for e in list { #expect((e["evidence"] as? [String])?.isEmpty == false) }
            return list.compactMap { $0["id"] as? String }
        }
        #expect(try entities("Apple announced the new iPhone today") == ["apple_inc"])
        #expect(try entities("baking an apple pie with fruit from the orchard") == [])
        #expect(try entities("Test drive of the new Jaguar F-Pace at the dealer") == ["jaguar_cars"])
        #expect(try entities("Saw a jaguar at the zoo with her cub") == [])
    }

    @Test
    func indexedEntitiesAreSearchable() throws {
        let dir = try makeTempDir("entities-index")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("posts.jsonl")
        // The repository's catalogues (analyzers/entities/brands.yaml) name Delta Air Lines `delta_air_lines`.
        try Self.posts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try Starling.run(["search", "--index", index, "--json", "entity:delta_air_lines"])
        let o = try #require(jsonObject(s.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let ids = Set(((o["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        // 1 and 2 carry delta.com links; 3 names Atlanta, a word of the catalogue's description; 4 and 5 are rivers.
        #expect(ids == ["1", "2", "3"], "\(s.stdout)")
        // The entity facet of a plain word search counts the same three posts.
        let f = try Starling.run(["search", "--index", index, "--json", "--facets", "entities", "delta"])
        let fo = try #require(jsonObject(f.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let facet = ((fo["facets"] as? [String: Any])?["facets"] as? [String: Any])?["entities"] as? [[String: Any]]
        #expect(facet?.first?["value"] as? String == "delta_air_lines", "\(f.stdout)")
        #expect(facet?.first?["count"] as? Int == 3, "\(f.stdout)")
    }

    /// Posts per entity as `entity:ID` finds them in `index`.
    private func indexed(_ index: String, _ entities: [String]) throws -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for id in entities {
            let s = try Starling.run(["search", "--index", index, "--json", "--limit", "5000", "entity:\(id)"])
            #expect(s.status == 0, "\(s.stderr)")
            let o = try #require(jsonObject(s.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            out[id] = Set(((o["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        }
        return out
    }

    /// Posts per entity as `starling entities` labels `input` (corpus mode, or catalogue-only).
    private func labelled(_ input: String, catalogueOnly: Bool, threshold: String = "0.5") throws -> [String: Set<String>] {
        let r = try Starling.run(["entities", "--quiet", "--threshold", threshold] + (catalogueOnly ? ["--catalog-only"] : []),
                                 stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: Set<String>] = [:]
        for o in r.lines.compactMap(jsonObject) {
            for e in (o["entities"] as? [[String: Any]]) ?? [] {
                out[e["id"] as? String ?? "", default: []].insert(o["id"] as? String ?? "")
            }
        }
        return out
    }

    /// `starling entities --index` on real tweets (WePS-3: 2,296 tweets naming 23 organisations, among them Delta,
    /// Apple and Amazon of the repository's catalogue): before, the index's entity terms are the catalogue-only
    /// decisions; after, exactly what corpus mode decides for the same posts; a second run changes nothing.
    @Test(.enabled(if: SharedData.available, "../shared/data is absent: the WePS-3 tweets are needed"))
    func relabelsAnIndexWithCorpusProfiles() throws {
        let dir = try makeTempDir("entities-relabel")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tsv = try String(contentsOfFile: SharedData.path("eval/entities/weps3-trial.tsv"), encoding: .utf8)
        var posts: [String] = []
        for (n, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let text = fields[3..<(fields.count - 1)].joined(separator: "\t")
            let object: [String: Any] = ["id": "w\(n + 1)", "text": text]
            posts.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        #expect(posts.count > 2000)
        let input = posts.joined(separator: "\n") + "\n"
        let file = dir.appendingPathComponent("weps3.jsonl")
        try input.write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, file.path])
        #expect(r.status == 0, "\(r.stderr)")

        let entities = ["amazon_com", "apple_inc", "delta_air_lines"]
        let catalogueOnly = try labelled(input, catalogueOnly: true)
        let corpus = try labelled(input, catalogueOnly: false)
        let before = try indexed(index, entities)
        for id in entities { #expect(before[id] == (catalogueOnly[id] ?? []), "\(id) before relabelling") }
        // Corpus mode finds more of Delta's posts than catalogue-only decisions on this set (37 against 47 when
        // this test was written); the test asserts only that it differs, so that relabelling has work to do.
        #expect(corpus["delta_air_lines"] != catalogueOnly["delta_air_lines"])

        let relabel = try Starling.run(["entities", "--index", index, "--json"])
        #expect(relabel.status == 0, "\(relabel.stderr)")
        #expect(relabel.stderr.contains("delta_air_lines (Delta Air Lines):"), "the per-entity summary: \(relabel.stderr)")
        let summary = try #require(jsonObject(relabel.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(summary["posts"] as? Int == posts.count)
        let after = try indexed(index, entities)
        var added = 0, removed = 0
        for id in entities {
            #expect(after[id] == (corpus[id] ?? []), "\(id) after relabelling")
            added += after[id, default: []].subtracting(before[id] ?? []).count
            removed += (before[id] ?? []).subtracting(after[id] ?? []).count
        }
        #expect(summary["terms_added"] as? Int == added && summary["terms_removed"] as? Int == removed, "\(summary)")
        let counts = (summary["entities"] as? [[String: Any]]) ?? []
        let delta = counts.first { $0["id"] as? String == "delta_air_lines" }
        #expect(delta?["before"] as? Int == before["delta_air_lines"]?.count)
        #expect(delta?["after"] as? Int == after["delta_air_lines"]?.count)
        // Words still find the posts (only the entity terms were rewritten), and the entity facet of a word search
        // counts the relabelled posts among its matches.
        let words = try Starling.run(["search", "--index", index, "--json", "--limit", "5000", "--facets", "entities", "delta"])
        let wo = try #require(jsonObject(words.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let matches = Set(((wo["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        #expect(matches.count > 90, "\(words.stderr)")
        let facet = ((wo["facets"] as? [String: Any])?["facets"] as? [String: Any])?["entities"] as? [[String: Any]]
        let deltaFacet = facet?.first { $0["value"] as? String == "delta_air_lines" }
        #expect(deltaFacet?["count"] as? Int == after["delta_air_lines"]?.intersection(matches).count, "\(wo["facets"] ?? "")")

        // --suggest reads the index (and writes nothing: the run below has nothing to change) and suggests what
        // the same posts on stdin suggest.
        let fromIndex = try Starling.run(["entities", "--index", index, "--suggest", "--json", "--quiet"])
        let fromStdin = try Starling.run(["entities", "--suggest", "--json", "--quiet"], stdin: input)
        #expect(fromIndex.status == 0 && fromStdin.status == 0, "\(fromIndex.stderr) \(fromStdin.stderr)")
        #expect(fromIndex.lines.count == 3 && fromIndex.stdout == fromStdin.stdout, "\(fromIndex.stdout)")

        let again = try Starling.run(["entities", "--index", index, "--json", "--quiet"])
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        let second = try #require(jsonObject(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(second["changed_posts"] as? Int == 0, "a second run has nothing to change: \(second)")

        // A stricter threshold takes terms away again: the index follows the decisions both ways.
        let strict = try Starling.run(["entities", "--index", index, "--json", "--quiet", "--threshold", "0.95"])
        #expect(strict.status == 0, "\(strict.stderr)")
        let third = try #require(jsonObject(strict.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect((third["terms_removed"] as? Int ?? 0) > 0, "\(third)")
        let strictCorpus = try labelled(input, catalogueOnly: false, threshold: "0.95")
        let strictIndexed = try indexed(index, entities)
        for id in entities { #expect(strictIndexed[id] == (strictCorpus[id] ?? []), "\(id) at threshold 0.95") }
    }

    /// `--suggest` on the WePS-3 tweets with their catalogue: per entity, phrases to review as exclusions or
    /// keywords, with example post ids; as JSON and as text. (suggest_eval.py scores them with the labels.)
    @Test(.enabled(if: SharedData.available, "../shared/data is absent: the WePS-3 tweets are needed"))
    func suggestsExclusionsAndKeywords() throws {
        let tsv = try String(contentsOfFile: SharedData.path("eval/entities/weps3-trial.tsv"), encoding: .utf8)
        var posts: [String] = [], texts: [String: String] = [:]
        for (n, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            texts["w\(n + 1)"] = fields[3..<(fields.count - 1)].joined(separator: "\t")
            let object: [String: Any] = ["id": "w\(n + 1)", "text": texts["w\(n + 1)"]!]
            posts.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        let catalog = repositoryRoot.appendingPathComponent("tools/entities-eval/weps3.yaml").path
        let input = posts.joined(separator: "\n") + "\n"
        let r = try Starling.run(["entities", "--catalog", catalog, "--suggest", "--json", "--quiet"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let found = r.lines.compactMap(jsonObject)
        #expect(found.count == 23, "one object per organisation: \(r.stdout.prefix(300))")
        let palm = try #require(found.first { $0["id"] as? String == "palm_inc" })
        let exclusions = try #require(palm["excluded_phrases"] as? [[String: Any]])
        let beach = try #require(exclusions.first { $0["phrase"] as? String == "palm beach" }, "\(exclusions)")
        let posts13 = try #require(beach["posts"] as? Int)
        #expect(posts13 >= 3 && (beach["about"] as? Int ?? -1) * 5 <= posts13)
        for id in try #require(beach["examples"] as? [String]) {
            #expect(texts[id]?.lowercased().contains("palm beach") == true, "\(id): \(texts[id] ?? "no such post")")
        }
        let keywords = try #require(palm["keywords"] as? [[String: Any]])
        #expect(keywords.contains { $0["phrase"] as? String == "palm pre" }, "\(keywords)")
        let text = try Starling.run(["entities", "--catalog", catalog, "--suggest"], stdin: input)
        #expect(text.status == 0)
        #expect(text.stdout.contains("palm_inc (Palm, Inc.):\n  excluded_phrases to consider"), "\(text.stdout.prefix(400))")
        #expect(text.stderr.contains("palm_inc (Palm, Inc.): 104 posts name it"), "the summary still goes to stderr: \(text.stderr)")
    }

    @Test func relabellingRefusesWhatItCannotDo() throws {
        let dir = try makeTempDir("entities-relabel-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none").path
        let r = try Starling.run(["entities", "--index", missing])
        #expect(r.status != 0)
        #expect(r.stderr.contains(missing), "names the index: \(r.stderr)")
        let both = try Starling.run(["entities", "--index", missing, "--catalog-only"])
        #expect(both.status == 64 && both.stderr.contains("--index"), "\(both.stderr)")
        for args in [["--suggest", "--catalog-only"], ["--suggest", "--evidence"]] {
            let refused = try Starling.run(["entities"] + args)
            #expect(refused.status == 64 && refused.stderr.contains("--suggest"), "\(args): \(refused.stderr)")
        }
        let noIndex = try Starling.run(["entities", "--suggest", "--index", missing])
        #expect(noIndex.status != 0 && noIndex.stderr.contains(missing), "names the index: \(noIndex.stderr)")
    }
}
