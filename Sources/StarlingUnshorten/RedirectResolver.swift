// Follows a short link's redirects to where it leads, one checked hop at a time: the host's addresses are
// checked against the SSRF policy before each connection, a visited set stops loops, a hop limit stops endless
// chains, every request has a deadline, and only `concurrency` links are in flight at once.
//
// Known gap (DNS rebinding): the addresses are checked with our own lookup, then the HTTP client (HopClient:
// AsyncHTTPClient) looks the name up again to connect. A hostile DNS server answering with a public address first
// and a private one a moment later (TTL 0) can slip past the check. Closing it needs connecting to the checked
// address itself, which AsyncHTTPClient does not expose. Literal addresses, /etc/hosts names and ordinary
// DNS names are covered; run unshorten where private services need authentication anyway if this matters.
import Foundation

/// How the resolver behaves.
public struct ResolverConfiguration: Sendable {
    /// Most redirects followed for one link; a chain needing more fails with `too_many_hops`.
    public var maxHops = 10
    /// Seconds each request (and each name lookup) may take.
    public var timeout: Double = 5
    /// Links resolved at the same time.
    public var concurrency = 8
    /// Which non-public addresses may be connected to (default: none).
    public var addressPolicy = AddressPolicy.publicOnly
    /// Name resolution (the system's unless a test substitutes one).
    public var lookup = HostLookup.system
    /// The User-Agent sent.
    public var userAgent = "Starling-unshorten/1.0 (link resolver)"
    /// HEAD answers that make the resolver ask again with GET (servers that do not implement HEAD properly).
    public var headFallbackStatuses: Set<Int> = [400, 403, 404, 405, 501]

    public init() {}
}

/// Why a link could not be resolved.
public struct UnshortenFailure: Sendable, Equatable, CustomStringConvertible {
    /// Stable reason codes (the cache stores them; the summary counts by them).
    public enum Reason: String, Sendable, CaseIterable {
        /// A request or lookup exceeded the timeout.
        case timeout
        /// More redirects than the hop limit.
        case tooManyHops = "too_many_hops"
        /// A redirect back to a URL already visited.
        case loop
        /// A hop's host is (or resolves to) an address the policy refuses.
        case refusedAddress = "refused_address"
        /// The host name does not resolve.
        case dns
        /// The short link itself answered with an error status (e.g. 404: unknown link).
        case httpStatus = "http_status"
        /// The short link answered without redirecting (an interstitial page, or not a short link at all).
        case notARedirect = "not_a_redirect"
        /// A redirect with a missing or unusable Location, or to a scheme other than http(s).
        case badLocation = "bad_location"
        /// Connection or protocol failure.
        case network
        /// The link is not an absolute http(s) URL.
        case invalidURL = "invalid_url"
    }

    public var reason: Reason
    /// Human-readable detail (`10.0.0.7 (private)`, `status 404`, ...).
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? reason.rawValue : "\(reason.rawValue): \(detail)" }
}

/// The outcome for one link.
public struct Resolution: Sendable, Equatable {
    /// The link as asked.
    public var url: String
    /// Where it leads (absolute URL), nil on failure.
    public var final: String?
    /// Redirects followed.
    public var hops: Int
    /// The last status seen, when a server answered.
    public var status: Int?
    /// Why it failed, nil on success.
    public var failure: UnshortenFailure?

    public init(url: String, final: String?, hops: Int, status: Int?, failure: UnshortenFailure?) {
        self.url = url
        self.final = final
        self.hops = hops
        self.status = status
        self.failure = failure
    }
}

/// Resolves short links. One instance holds one HTTP client; call ``close()`` when done.
public final class RedirectResolver: Sendable {
    /// The configuration in force.
    public let configuration: ResolverConfiguration
    private let client: HopClient

    public init(configuration: ResolverConfiguration = ResolverConfiguration()) {
        precondition(configuration.maxHops >= 0 && configuration.timeout > 0 && configuration.concurrency >= 1,
                     "resolver limits must be positive")
        self.configuration = configuration
        client = HopClient(maxConnections: configuration.concurrency, timeout: configuration.timeout,
                           userAgent: configuration.userAgent)
    }

    /// Cancels anything in flight and releases the session.
    public func close() { client.invalidate() }

    private static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// Follows `link`'s redirects.
    public func resolve(_ link: String) async -> Resolution {
        let c = configuration
        guard var current = URL(string: link), Self.isHTTP(current), current.host != nil else {
            return Resolution(url: link, final: nil, hops: 0, status: nil,
                              failure: UnshortenFailure(.invalidURL, link))
        }
        var visited: Set<String> = [Self.key(current)]
        var hops = 0
        while true {
            if let refusal = await checkHost(current) {
                return Resolution(url: link, final: nil, hops: hops, status: nil, failure: refusal)
            }
            let outcome = await request(current)
            let status: Int
            let location: String?
            switch outcome {
            case .timeout:
                return Resolution(url: link, final: nil, hops: hops, status: nil,
                                  failure: UnshortenFailure(.timeout, "\(current.absoluteString) after \(c.timeout) s"))
            case .network(let message):
                return Resolution(url: link, final: nil, hops: hops, status: nil,
                                  failure: UnshortenFailure(.network, "\(current.absoluteString): \(message)"))
            case .response(let s, let l):
                status = s
                location = l
            }
            guard Self.redirectStatuses.contains(status) else {
                // The end of the chain. A short link that does not redirect at all has not told us anything.
                if hops == 0 {
                    let reason: UnshortenFailure.Reason = status >= 400 ? .httpStatus : .notARedirect
                    return Resolution(url: link, final: nil, hops: 0, status: status,
                                      failure: UnshortenFailure(reason, "status \(status)"))
                }
                // After a redirect the target is known even if it answers 403 to robots or 404.
                return Resolution(url: link, final: current.absoluteString, hops: hops, status: status, failure: nil)
            }
            guard let location, !location.isEmpty, let next = Self.target(location, from: current) else {
                return Resolution(url: link, final: nil, hops: hops, status: status,
                                  failure: UnshortenFailure(.badLocation, "status \(status), Location \(location ?? "missing")"))
            }
            guard Self.isHTTP(next), next.host != nil else {
                return Resolution(url: link, final: nil, hops: hops, status: status,
                                  failure: UnshortenFailure(.badLocation, "redirect to \(next.absoluteString)"))
            }
            if hops >= c.maxHops {
                return Resolution(url: link, final: nil, hops: hops, status: status,
                                  failure: UnshortenFailure(.tooManyHops, "more than \(c.maxHops) redirects"))
            }
            hops += 1
            guard visited.insert(Self.key(next)).inserted else {
                return Resolution(url: link, final: nil, hops: hops, status: status,
                                  failure: UnshortenFailure(.loop, "back to \(next.absoluteString)"))
            }
            current = next
        }
    }

    /// Resolves every link with at most `concurrency` in flight, calling `onResult` as each finishes (from any
    /// task; `onResult` must be thread-safe). Results come back in the order of `links`.
    public func resolveAll(_ links: [String], onResult: @escaping @Sendable (Resolution) -> Void = { _ in })
        async -> [Resolution]
    {
        var results = [Resolution?](repeating: nil, count: links.count)
        await withTaskGroup(of: (Int, Resolution).self) { group in
            var next = 0
            func launch() {
                let i = next
                let link = links[i]
                next += 1
                group.addTask {
                    let r = await self.resolve(link)
                    onResult(r)
                    return (i, r)
                }
            }
            while next < links.count && next < configuration.concurrency { launch() }
            for await (i, r) in group {
                results[i] = r
                if next < links.count { launch() }
            }
        }
        return results.map { $0! }
    }

    /// HEAD, and GET when HEAD is refused or breaks. A HEAD that times out is not retried: the server is slow,
    /// and a GET would only double the wait.
    private func request(_ url: URL) async -> HopOutcome {
        let head = await client.send("HEAD", url, timeout: configuration.timeout)
        switch head {
        case .response(let status, _) where configuration.headFallbackStatuses.contains(status):
            return await client.send("GET", url, timeout: configuration.timeout)
        case .network:
            return await client.send("GET", url, timeout: configuration.timeout)
        default:
            return head
        }
    }

    /// The refusal for connecting to `url`'s host, or nil when every address it resolves to is allowed.
    private func checkHost(_ url: URL) async -> UnshortenFailure? {
        let policy = configuration.addressPolicy
        guard var host = url.host else { return UnshortenFailure(.invalidURL, url.absoluteString) }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if policy.refusesName(host) {
            return UnshortenFailure(.refusedAddress, "\(host) (metadata)")
        }
        switch await configuration.lookup.addresses(of: host, timeout: configuration.timeout) {
        case .failure(let e):
            return e.message == "timed out"
                ? UnshortenFailure(.timeout, "looking up \(host)") : UnshortenFailure(.dns, "\(host): \(e.message)")
        case .success(let addresses):
            for a in addresses {
                if let refused = policy.refusal(for: a) {
                    let shown = host == a.description ? host : "\(host) = \(a)"
                    return UnshortenFailure(.refusedAddress, "\(shown) (\(refused.rawValue))")
                }
            }
            return nil
        }
    }

    private static func isHTTP(_ url: URL) -> Bool {
        let s = url.scheme?.lowercased()
        return s == "http" || s == "https"
    }

    /// The URL without its fragment, for loop detection.
    private static func key(_ url: URL) -> String {
        let s = url.absoluteString
        if let hash = s.firstIndex(of: "#") { return String(s[..<hash]) }
        return s
    }

    /// A Location value resolved against the URL that sent it (relative Locations are allowed, RFC 9110).
    static func target(_ location: String, from base: URL) -> URL? {
        let trimmed = location.trimmingCharacters(in: .whitespaces)
        if let u = URL(string: trimmed, relativeTo: base) { return u.absoluteURL }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.insert(charactersIn: "#%")
        guard let escaped = trimmed.addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        return URL(string: escaped, relativeTo: base)?.absoluteURL
    }
}
