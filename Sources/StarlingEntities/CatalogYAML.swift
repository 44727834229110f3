// Parsing a catalogue from YAML with Yams' node API, which keeps line numbers so every error can name its line.
// The format is strict: unknown keys, missing required keys and wrong types are errors, since a typo in a
// catalogue would otherwise silently weaken disambiguation.
import Yams

extension EntityCatalog {
    /// The keys an entity may have.
    public static let allowedKeys: Set<String> = [
        "id", "name", "type", "aliases", "handles", "cashtags", "hashtags", "domains", "description", "keywords",
        "negative_keywords", "excluded_phrases", "threshold",
    ]

    /// Parses catalogue `yaml`; `file` names the source in errors.
    public static func parse(yaml: String, file: String) throws -> EntityCatalog {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw EntityCatalogError(file: file, line: Self.line(of: error), message: "not valid YAML: \(Self.problem(of: error))")
        }
        guard let root else { throw EntityCatalogError(file: file, line: nil, message: "the file is empty") }
        guard case .mapping(let top) = root else {
            throw EntityCatalogError(file: file, line: root.mark?.line, message: "expected a mapping with an 'entities' list")
        }
        var list: Node?
        for (key, value) in top {
            guard key.scalar?.string == "entities" else {
                throw EntityCatalogError(file: file, line: key.mark?.line,
                                         message: "unknown key '\(key.scalar?.string ?? "?")' (only 'entities' is allowed at the top)")
            }
            list = value
        }
        guard let list else { throw EntityCatalogError(file: file, line: root.mark?.line, message: "missing key 'entities'") }
        guard case .sequence(let items) = list else {
            throw EntityCatalogError(file: file, line: list.mark?.line, message: "'entities' must be a list")
        }
        var catalog = EntityCatalog(entities: [])
        var lines: [String: Int] = [:]
        for item in items {
            let entity = try parseEntity(item, file: file)
            if let first = lines[entity.id] {
                throw EntityCatalogError(file: file, line: item.mark?.line,
                                         message: "entity id '\(entity.id)' is defined twice (first at line \(first))")
            }
            lines[entity.id] = item.mark?.line ?? 0
            catalog.entities.append(entity)
        }
        return catalog
    }

    private static func parseEntity(_ node: Node, file: String) throws -> Entity {
        guard case .mapping(let map) = node else {
            throw EntityCatalogError(file: file, line: node.mark?.line, message: "each entity must be a mapping of keys")
        }
        var fields: [String: Node] = [:]
        for (key, value) in map {
            guard let name = key.scalar?.string else {
                throw EntityCatalogError(file: file, line: key.mark?.line, message: "keys must be plain words")
            }
            guard allowedKeys.contains(name) else {
                throw EntityCatalogError(file: file, line: key.mark?.line,
                                         message: "unknown key '\(name)' (allowed: \(allowedKeys.sorted().joined(separator: ", ")))")
            }
            fields[name] = value
        }
        let line = node.mark?.line
        func string(_ key: String, required: Bool) throws -> String? {
            guard let v = fields[key] else {
                if required { throw EntityCatalogError(file: file, line: line, message: "entity is missing required key '\(key)'") }
                return nil
            }
            guard case .scalar(let s) = v, v.null == nil, !s.string.isEmpty else {
                throw EntityCatalogError(file: file, line: v.mark?.line, message: "'\(key)' must be a non-empty string")
            }
            return s.string
        }
        func strings(_ key: String, required: Bool) throws -> [String] {
            guard let v = fields[key] else {
                if required { throw EntityCatalogError(file: file, line: line, message: "entity is missing required key '\(key)'") }
                return []
            }
            guard case .sequence(let seq) = v else {
                throw EntityCatalogError(file: file, line: v.mark?.line, message: "'\(key)' must be a list of strings, e.g. [a, b]")
            }
            var out: [String] = []
            for element in seq {
                guard case .scalar(let s) = element, element.null == nil, !s.string.isEmpty else {
                    throw EntityCatalogError(file: file, line: element.mark?.line, message: "'\(key)' must hold only non-empty strings")
                }
                out.append(s.string)
            }
            if required && out.isEmpty {
                throw EntityCatalogError(file: file, line: v.mark?.line, message: "'\(key)' must not be empty")
            }
            return out
        }
        let id = try string("id", required: true)!
        guard id.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || "_-.".unicodeScalars.contains($0) }) else {
            throw EntityCatalogError(file: file, line: fields["id"]?.mark?.line,
                                     message: "id '\(id)' may hold only letters, digits, '_', '-' and '.'")
        }
        let aliases = try strings("aliases", required: true)
        let excluded = try strings("excluded_phrases", required: false)
        // An excluded phrase that holds no alias could never apply: most likely a typo.
        let aliasWords = aliases.map(Self.words)
        if case .sequence(let seq)? = fields["excluded_phrases"] {
            for (phrase, node) in zip(excluded, seq) {
                let w = Self.words(phrase)
                let holdsAlias = aliasWords.contains { a in
                    !a.isEmpty && a.count <= w.count && (0...(w.count - a.count)).contains { Array(w[$0..<($0 + a.count)]) == a }
                }
                guard holdsAlias else {
                    throw EntityCatalogError(file: file, line: node.mark?.line,
                                             message: "excluded phrase '\(phrase)' holds none of the aliases (\(aliases.joined(separator: ", "))), so it could never apply")
                }
            }
        }
        var threshold: Double? = nil
        if let v = fields["threshold"] {
            guard case .scalar(let s) = v, let t = Double(s.string), (0...1).contains(t) else {
                throw EntityCatalogError(file: file, line: v.mark?.line, message: "'threshold' must be a number from 0 to 1")
            }
            threshold = t
        }
        return Entity(
            id: id, name: try string("name", required: true)!, type: try string("type", required: false),
            aliases: aliases, handles: try strings("handles", required: false),
            cashtags: try strings("cashtags", required: false), hashtags: try strings("hashtags", required: false),
            domains: try strings("domains", required: false), description: try string("description", required: false),
            keywords: try strings("keywords", required: false),
            negativeKeywords: try strings("negative_keywords", required: false),
            excludedPhrases: excluded, threshold: threshold)
    }

    /// The lower-cased runs of letters and digits of `text` (accents kept): enough to see whether a phrase holds an alias.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let p, _, _), .parser(_, let p, _, _), .composer(_, let p, _, _): return p
        default: return "\(error)"
        }
    }
}
