// How the service reports its background unshortener (the `unshorten` object of /v1/stats).
import StarlingModel
import StarlingUnshorten

extension StarlingServer {
    /// `{"enabled": false}`, or the unshortener's counters since start:
    /// `{"enabled": true, "resolved", "failed", "cached", "queued", "in_flight", "dropped", "posts_updated",
    /// "catch_up_posts", "catch_up_done", "errors"}`.
    static func unshortenJSON(_ s: BackgroundUnshortenStatistics?) -> JSONValue {
        guard let s else { return .object([("enabled", .bool(false))]) }
        return .object([
            ("enabled", .bool(true)),
            ("resolved", .int(Int64(s.resolved))), ("failed", .int(Int64(s.failed))),
            ("cached", .int(Int64(s.cached))), ("queued", .int(Int64(s.queued))),
            ("in_flight", .int(Int64(s.inFlight))), ("dropped", .int(Int64(s.dropped))),
            ("posts_updated", .int(Int64(s.postsUpdated))), ("catch_up_posts", .int(Int64(s.catchUpPosts))),
            ("catch_up_done", .bool(s.catchUpDone)), ("errors", .int(Int64(s.errors))),
        ])
    }
}
