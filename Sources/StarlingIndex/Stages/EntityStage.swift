// The entity stage: links each post to the catalogued entities of analyzers/entities/ and indexes them as `XE`
// + entity id terms (what `entity:ID` queries match). At ingest there is no whole-corpus pass, so the decision is
// the catalogue-only one (signals, alias form, description/keyword context); `starling entities` adds the
// corpus-learnt profiles. Without catalogues the stage is absent.

import StarlingAnalysis
import StarlingEntities
import StarlingModel
import XapianKit

/// Adds `XE<id>` terms for the entities a post is about (catalogue-only decisions at the configured threshold).
public struct EntityStage: IngestStage {
    public var name: String { "entities" }
    /// The compiled catalogues and settings.
    public let linker: EntityLinker

    /// A stage deciding with `linker`.
    public init(linker: EntityLinker) {
        self.linker = linker
    }

    /// The stage for the catalogues of analyzers/entities/, or none when there is no catalogue.
    public static func standard() throws -> [any IngestStage] {
        guard let linker = try EntityLinker.standard() else { return [] }
        return [EntityStage(linker: linker)]
    }

    /// - Complexity: O(tokens) plus O(context words) per candidate entity.
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {
        for mention in linker.link(analysis) {
            document.addBooleanTerm(TermPrefix.entity + mention.entityID)
        }
    }
}
