// The stages every index runs, in order. Each capability adds its stage here with one line.
import StarlingAnalysis

/// The standard list of ingest stages.
public enum StandardStages {
    /// The stages for an index, built once per ingest run.
    public static func make(configuration: AnalyzerConfiguration) throws -> [any IngestStage] {
        // Weighting folds the weights of every term the others added: it stays last but for the phrase pairs,
        // which are folded by the same length without counting towards it.
        let stages: [any IngestStage] = [try LanguageStage(), DuplicateStage()] + (try EntityStage.standard())
            + [WeightingStage(), try PhraseStage.standard()]
        _ = configuration
        return stages
    }
}
