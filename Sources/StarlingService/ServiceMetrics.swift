// Prometheus metrics of the service, kept in its own registry (no process-wide bootstrap, so several services
// can live in one process, as in tests) and served at /metrics in the text exposition format.
import Foundation
import Prometheus
import StarlingIndex
import StarlingUnshorten

/// The service's counters and histograms.
public final class ServiceMetrics: Sendable {
    /// The registry /metrics emits.
    public let registry: PrometheusCollectorRegistry
    private let ingestLatency: DurationHistogram
    private let postsIngested: Counter
    private let postsRejected: Counter
    /// The background unshortener's counters, when it runs.
    private let unshorten: @Sendable () -> BackgroundUnshortenStatistics?

    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// `starling_<metric>_<unit>` with its help text.
    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "starling", metricName: metric, unitName: unit, helpText: help)
    }

    /// Metrics in a fresh registry (or `registry`); `unshorten` reports the background unshortener's counters.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                unshorten: @escaping @Sendable () -> BackgroundUnshortenStatistics? = { nil }) {
        self.registry = registry
        self.unshorten = unshorten
        ingestLatency = registry.makeDurationHistogram(
            descriptor: Self.name("ingest_commit", "seconds",
                                  "Time from an ingest request's arrival to the commit that acknowledges it."),
            buckets: Self.latencyBuckets)
        postsIngested = registry.makeCounter(
            descriptor: Self.name("posts_ingested", "total", "Posts accepted by ingest (added, updated or unchanged)."))
        postsRejected = registry.makeCounter(
            descriptor: Self.name("posts_rejected", "total", "Ingest lines rejected (bad JSON, bad post, write errors)."))
    }

    /// Counts a request and its duration under its route template.
    public func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.name("http_requests", "total", "HTTP requests by route template, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("http_request_duration", "seconds",
                                                             "HTTP request latency by route template."),
                                       labels: [("route", route), ("method", method)],
                                       buckets: Self.latencyBuckets)
            .record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// Records one ingest request.
    public func recordIngest(accepted: Int, rejected: Int, seconds: Double) {
        postsIngested.increment(by: Int64(accepted))
        postsRejected.increment(by: Int64(rejected))
        ingestLatency.record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// The exposition text, with the writer's, readers' and entity relabelling's gauges brought up to date first.
    public func exposition(writer: LiveWriterStatistics?, documents: Int, readers: Int,
                           relabel: EntityRelabelCounters = EntityRelabelCounters()) -> String {
        registry.makeGauge(descriptor: Self.name("index_documents", "", "Documents in the index.")).set(Int64(documents))
        // A read-only service over shards has no writer: its gauges stay out.
        if let writer {
            registry.makeGauge(descriptor: Self.name("writer_commits", "", "Commits by the writer since start."))
                .set(Int64(writer.commits))
            registry.makeGauge(descriptor: Self.name("writer_posts_written", "", "Posts written since start."))
                .set(Int64(writer.postsWritten))
            registry.makeGauge(descriptor: Self.name("writer_posts_deleted", "", "Posts deleted since start."))
                .set(Int64(writer.postsDeleted))
            registry.makeGauge(descriptor: Self.name("writer_queued_requests", "", "Requests waiting for the writer."))
                .set(Int64(writer.queued))
            registry.makeGauge(descriptor: Self.name("writer_last_group", "seconds", "Duration of the last write group."))
                .set(writer.lastGroupSeconds)
        }
        registry.makeGauge(descriptor: Self.name("reader_sessions", "", "Reader sessions open.")).set(Int64(readers))
        let relabelGauges: [(String, String, String, Double)] = [
            ("entity_relabel_runs", "", "Entity relabellings finished since start (explicit and background).", Double(relabel.runs)),
            ("entity_relabel_errors", "", "Background entity relabellings that failed since start.", Double(relabel.errors)),
            ("entity_relabel_running", "", "1 while an entity relabelling runs.", relabel.running ? 1 : 0),
            ("entity_relabel_last_changed_posts", "", "Posts whose entity terms the last relabelling changed.",
             Double(relabel.lastChangedPosts)),
            ("entity_relabel_last", "seconds", "Duration of the last entity relabelling.", relabel.lastSeconds),
        ]
        for (metric, unit, help, value) in relabelGauges {
            registry.makeGauge(descriptor: Self.name(metric, unit, help)).set(value)
        }
        if let u = unshorten() {
            // Counters since start, exported as gauges like the writer's (they are read from its statistics).
            let gauges: [(String, String, Int)] = [
                ("unshorten_links_resolved", "Short links resolved over the network since start.", u.resolved),
                ("unshorten_links_failed", "Short links whose resolution failed since start (failures are cached).", u.failed),
                ("unshorten_links_cached", "Short links answered by the unshorten cache since start.", u.cached),
                ("unshorten_links_queued", "Short links waiting for a resolver.", u.queued),
                ("unshorten_links_in_flight", "Short links being resolved.", u.inFlight),
                ("unshorten_links_dropped", "Short links dropped because the queue was full.", u.dropped),
                ("unshorten_posts_updated", "Posts given their short links' targets since start.", u.postsUpdated),
                ("unshorten_errors", "Failed writes of unshortened terms or of the cache.", u.errors),
            ]
            for (metric, help, value) in gauges {
                registry.makeGauge(descriptor: Self.name(metric, "", help)).set(Int64(value))
            }
        }
        return registry.emitToString()
    }
}

/// What /metrics reports of the entity relabellings.
public struct EntityRelabelCounters: Sendable {
    public var runs = 0
    public var errors = 0
    public var running = false
    public var lastChangedPosts = 0
    public var lastSeconds = 0.0
    /// None yet.
    public init() {}
}
