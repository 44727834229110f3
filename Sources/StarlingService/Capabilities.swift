// Optional capabilities loaded on first use: the language detector (StarlingLanguage) and the entity linker
// (StarlingEntities, only when analyzers/entities holds a catalogue). Loading them lazily keeps start-up fast.
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingLanguage
import StarlingModel

/// Lazily loaded, thread-safe access to the language detector and the entity linker (both immutable once made).
final class Capabilities: @unchecked Sendable {
    private let lock = NSLock()
    private var detector: Result<LanguageDetector, Error>?
    private var linker: Result<EntityLinker?, Error>?

    /// The language detector, or nil when its model cannot be loaded.
    var languageDetector: LanguageDetector? {
        lock.lock()
        defer { lock.unlock() }
        if detector == nil { detector = Result { try LanguageDetector.standard() } }
        return try? detector?.get()
    }

    /// The entity linker, or nil when no catalogue is installed.
    var entityLinker: EntityLinker? {
        lock.lock()
        defer { lock.unlock() }
        if linker == nil { linker = Result { try EntityLinker.standard() } }
        return (try? linker?.get()) ?? nil
    }

    /// `analyze` JSON for `text`, with the language and entity decisions when those capabilities are present.
    func analysisJSON(_ analysis: Analysis) -> JSONValue {
        let language = languageDetector?.detect(analysis)
        let entities = entityLinker?.link(analysis).map { $0.json(detailed: true) } ?? []
        return ResultJSON.analysis(analysis, language: language, entities: entities)
    }
}
