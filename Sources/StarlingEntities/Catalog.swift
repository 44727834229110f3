// Entity catalogues: what an entity is called (aliases), its unambiguous marks (handles, cashtags, hashtags,
// homepage domains) and words that describe it. Loaded from YAML files in analyzers/entities/ (CatalogYAML.swift).
import Foundation

/// One catalogued entity. `id`, `name` and `aliases` are required by the file format; everything else may be empty.
public struct Entity: Sendable, Equatable, Hashable {
    /// Stable identifier, used in index terms (`XE` + id) and `entity:ID` queries.
    public var id: String
    /// Display name.
    public var name: String
    /// Free-form kind (`organization`, `person`, ...), if given.
    public var type: String?
    /// Words or phrases that may name the entity, matched on analysed text (case, width and accents ignored).
    public var aliases: [String]
    /// Social handles (without `@`) that belong to the entity: a mention of one is unambiguous.
    public var handles: [String]
    /// Ticker symbols (without `$`).
    public var cashtags: [String]
    /// Hashtags (without `#`) that only this entity uses.
    public var hashtags: [String]
    /// Homepage domains; a link to one of them or a subdomain (also behind an expanded short link) is unambiguous.
    public var domains: [String]
    /// One line saying what the entity is; its words are a context hint.
    public var description: String?
    /// Words that suggest the entity when they surround an alias.
    public var keywords: [String]
    /// Words that suggest another sense of the alias.
    public var negativeKeywords: [String]
    /// Names of other things that contain an alias (`big apple`, `apple pie`, `mekong delta`): an alias occurrence
    /// inside one of them (in the text, or a hashtag spelling it) does not name the entity. Listening tools' usual
    /// exclusions, for the senses a catalogue writer knows by name.
    public var excludedPhrases: [String]
    /// The confidence at which a post is decided about this entity, when the catalogue's writer wants another than
    /// the run's default (0.5): lower for a name that is nearly always the entity in their stream, higher for a noisy
    /// one. An explicit `--threshold` overrides it.
    public var threshold: Double?

    /// An entity; only `id`, `name` and `aliases` are needed.
    public init(id: String, name: String, type: String? = nil, aliases: [String], handles: [String] = [],
                cashtags: [String] = [], hashtags: [String] = [], domains: [String] = [], description: String? = nil,
                keywords: [String] = [], negativeKeywords: [String] = [], excludedPhrases: [String] = [],
                threshold: Double? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.aliases = aliases
        self.handles = handles
        self.cashtags = cashtags
        self.hashtags = hashtags
        self.domains = domains
        self.description = description
        self.keywords = keywords
        self.negativeKeywords = negativeKeywords
        self.excludedPhrases = excludedPhrases
        self.threshold = threshold
    }
}

/// A set of entities, from one or more catalogue files.
public struct EntityCatalog: Sendable, Equatable {
    /// The entities, in file order.
    public var entities: [Entity]

    /// A catalogue of `entities` (ids must be unique; `merging` and the loaders check that).
    public init(entities: [Entity]) {
        self.entities = entities
    }

    /// Whether the catalogue has no entity.
    public var isEmpty: Bool { entities.isEmpty }

    /// Reads one YAML catalogue file.
    public static func load(contentsOf url: URL) throws -> EntityCatalog {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw EntityCatalogError(file: url.path, line: nil, message: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(yaml: text, file: url.path)
    }

    /// Reads every `*.yaml` / `*.yml` file of `folder`, in name order, into one catalogue. A missing folder gives
    /// an empty catalogue (entities are optional); a bad file is an error.
    public static func load(folder: URL) throws -> EntityCatalog {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return EntityCatalog(entities: []) }
        var catalog = EntityCatalog(entities: [])
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let file = folder.appendingPathComponent(name)
            try catalog.merge(load(contentsOf: file), file: file.path)
        }
        return catalog
    }

    /// Adds the entities of `other`; an id defined twice is an error naming `file`.
    public mutating func merge(_ other: EntityCatalog, file: String) throws {
        var seen = Set(entities.map(\.id))
        for e in other.entities {
            guard seen.insert(e.id).inserted else {
                throw EntityCatalogError(file: file, line: nil, message: "entity id '\(e.id)' is defined twice")
            }
            entities.append(e)
        }
    }
}

/// A catalogue that cannot be used, with where and why.
public struct EntityCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// An error at `file`:`line`.
    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, as compilers print it.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
