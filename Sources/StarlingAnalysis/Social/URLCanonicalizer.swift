// Canonical URLs and their domains: the same link written differently (case, default port, fragment, tracking
// parameters, `www.`) becomes one term, and `domain:bbc.co.uk` finds every link on that site or its subdomains.

/// The public suffix list (Debian's `publicsuffix`), for knowing that `co.uk` is not a site.
public struct PublicSuffixList: Sendable {
    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []

    /// An empty list: every top-level label is a suffix.
    public init() {}

    /// Parses the list's text (comments `//`, `*.` wildcards, `!` exceptions).
    public init(text: String) {
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
            if line.isEmpty || line.hasPrefix("//") { continue }
            let rule = Normalizer.fold(line)
            if rule.hasPrefix("!") {
                exceptions.insert(String(rule.dropFirst()))
            } else if rule.hasPrefix("*.") {
                wildcards.insert(String(rule.dropFirst(2)))
            } else {
                rules.insert(rule)
            }
        }
    }

    /// How many trailing labels of `labels` form the public suffix (at least 1).
    public func suffixLength(_ labels: [Substring]) -> Int {
        for i in 0..<labels.count {
            let candidate = labels[i...].joined(separator: ".")
            if exceptions.contains(candidate) { return labels.count - i - 1 }
            if rules.contains(candidate) { return labels.count - i }
            if i + 1 < labels.count, wildcards.contains(labels[(i + 1)...].joined(separator: ".")) {
                return labels.count - i
            }
        }
        return 1
    }
}

/// A URL's canonical form and domains.
public struct CanonicalURL: Sendable, Equatable {
    /// `scheme://host[:port]/path[?query]`, lower-case scheme and host, no default port, fragment or tracking
    /// parameters.
    public var canonical: String
    /// The host without `www.`.
    public var host: String
    /// The host and every parent domain down to the registrable domain: `news.bbc.co.uk`, `bbc.co.uk`.
    public var domains: [String]
}

/// Canonicalises URLs with a tracking-parameter list and the public suffix list.
public struct URLCanonicalizer: Sendable {
    private let exactParams: Set<String>
    private let prefixParams: [String]
    private let suffixes: PublicSuffixList

    /// - Parameters:
    ///   - trackingParameters: names to drop; a trailing `*` matches a prefix.
    ///   - suffixes: the public suffix list.
    public init(trackingParameters: [String], suffixes: PublicSuffixList) {
        var exact = Set<String>()
        var prefixes = [String]()
        for p in trackingParameters {
            let l = p.lowercased()
            if l.hasSuffix("*") { prefixes.append(String(l.dropLast())) } else { exact.insert(l) }
        }
        exactParams = exact
        prefixParams = prefixes
        self.suffixes = suffixes
    }

    private func isTracking(_ name: Substring) -> Bool {
        let l = name.lowercased()
        return exactParams.contains(l) || prefixParams.contains { l.hasPrefix($0) }
    }

    /// The canonical form of `raw`, or nil when it has no usable host.
    public func canonicalize(_ raw: String) -> CanonicalURL? {
        var rest = Substring(raw)
        var scheme = "http"
        if let r = rest.range(of: "://") {
            scheme = rest[..<r.lowerBound].lowercased()
            rest = rest[r.upperBound...]
        }
        // Fragment first: it is never sent to the server.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let pathAndQuery = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = Substring(authority)
        var port = ""
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon]
            port = String(authority[authority.index(after: colon)...])
        }
        var hostText = Normalizer.fold(host)
        while hostText.hasSuffix(".") { hostText.removeLast() }
        guard !hostText.isEmpty else { return nil }
        if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") { port = "" }
        var path = Substring(pathAndQuery)
        var query: Substring = ""
        if let q = path.firstIndex(of: "?") {
            query = path[path.index(after: q)...]
            path = path[..<q]
        }
        if path.isEmpty { path = "/" }
        let kept = query.split(separator: "&", omittingEmptySubsequences: true).filter { item in
            let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !isTracking(name)
        }
        var canonical = scheme + "://" + hostText
        if !port.isEmpty { canonical += ":" + port }
        canonical += path
        if !kept.isEmpty { canonical += "?" + kept.joined(separator: "&") }
        let bare = hostText.hasPrefix("www.") ? String(hostText.dropFirst(4)) : hostText
        return CanonicalURL(canonical: canonical, host: bare, domains: domains(of: bare))
    }

    /// The host and its parents down to the registrable domain (public suffix plus one label).
    public func domains(of host: String) -> [String] {
        let labels = host.split(separator: ".", omittingEmptySubsequences: true)
        guard labels.count > 1 else { return [host] }
        let suffix = suffixes.suffixLength(labels)
        let registrable = min(labels.count, suffix + 1)
        var out = [String]()
        var i = 0
        while labels.count - i >= registrable {
            out.append(labels[i...].joined(separator: "."))
            i += 1
        }
        return out.isEmpty ? [host] : out
    }
}
