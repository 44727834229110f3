// The resolver against a local server that behaves like shorteners: chains, loops, chains over the limit, slow
// answers, 404s, HEAD not allowed, redirects to private and metadata addresses. Loopback is allowed explicitly
// (the server lives there); nothing else is.
import Foundation
import StarlingTestSupport
import Testing
@testable import StarlingUnshorten

/// The shortener behaviours, by path.
func shortenerRoutes(_ method: String, _ path: String) -> LoopbackServer.Reply {
    let parts = (path.split(separator: "?").first ?? "").split(separator: "/").map(String.init)
    switch parts.first ?? "" {
    case "chain":  // /chain/N: N more redirects (relative Locations), then 200.
        let n = Int(parts.count > 1 ? parts[1] : "0") ?? 0
        return n > 0 ? .redirect("/chain/\(n - 1)", status: [301, 302, 303, 307, 308][n % 5]) : .ok
    case "loop-a": return .redirect("/loop-b", status: 301)
    case "loop-b": return .redirect("/loop-a", status: 301)
    case "slow": return LoopbackServer.Reply(status: 301, headers: [("Location", "/chain/0")], delay: 3)
    case "to-slow": return .redirect("/slow")
    case "missing": return LoopbackServer.Reply(status: 404)
    case "gone-after-hop": return .redirect("/missing")
    case "nohead":  // HEAD 405, GET redirects.
        return method == "HEAD" ? LoopbackServer.Reply(status: 405) : .redirect("/chain/1")
    case "to-private": return .redirect("http://10.1.2.3/internal")
    case "to-private6": return .redirect("http://[fd12::7]/internal")
    case "to-metadata": return .redirect("http://169.254.169.254/latest/meta-data/")
    case "to-metadata-name": return .redirect("http://metadata.google.internal/computeMetadata/v1/")
    case "to-named": return .redirect("http://intranet.example/wiki")
    case "to-ftp": return .redirect("ftp://files.example.com/x")
    case "no-location": return LoopbackServer.Reply(status: 302)
    case "page": return .ok
    case "wait": return LoopbackServer.Reply(status: 301, headers: [("Location", "/chain/0")], delay: 0.3)
    default: return LoopbackServer.Reply(status: 404)
    }
}

/// A resolver allowed to reach loopback only, with a short timeout; `lookup` answers for made-up names.
func testResolver(maxHops: Int = 10, timeout: Double = 0.6, concurrency: Int = 4,
                  policy: AddressPolicy = AddressPolicy(allowing: [.loopback])) -> RedirectResolver {
    var c = ResolverConfiguration()
    c.maxHops = maxHops
    c.timeout = timeout
    c.concurrency = concurrency
    c.addressPolicy = policy
    c.lookup = HostLookup { host in
        switch host {
        case "intranet.example": return .success([IPAddress("93.184.216.34")!, IPAddress("10.0.0.5")!])
        case "localhost": return .success([IPAddress("127.0.0.1")!])
        default: return .failure(HostLookupError("Name or service not known"))
        }
    }
    return RedirectResolver(configuration: c)
}

@Suite(.serialized) struct ResolverTests {
    @Test func followsAChain() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver()
        defer { resolver.close() }
        let r = await resolver.resolve(server.url("/chain/4"))
        #expect(r.failure == nil)
        #expect(r.final == server.url("/chain/0"))
        #expect(r.hops == 4)
        #expect(r.status == 200)
        // HEAD throughout: nothing downloaded.
        #expect(server.methodsSeen.allSatisfy { $0 == "HEAD" })
        #expect(server.requests() == 5)
    }

    @Test func stopsAtTheHopLimit() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver(maxHops: 3)
        defer { resolver.close() }
        let within = await resolver.resolve(server.url("/chain/3"))
        #expect(within.final == server.url("/chain/0"))
        let before = server.requests()
        let over = await resolver.resolve(server.url("/chain/9"))
        #expect(over.failure?.reason == .tooManyHops)
        #expect(over.final == nil)
        #expect(server.requests() - before == 4)  // the link and 3 hops, no more
    }

    @Test func detectsLoops() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver()
        defer { resolver.close() }
        let r = await resolver.resolve(server.url("/loop-a"))
        #expect(r.failure?.reason == .loop)
        #expect(server.requests() == 2)
    }

    @Test func timesOutSlowAnswers() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver(timeout: 0.5)
        defer { resolver.close() }
        let start = Date()
        let r = await resolver.resolve(server.url("/to-slow"))
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.failure?.reason == .timeout)
        #expect(elapsed < 2.0, "took \(elapsed) s with a 0.5 s timeout")
    }

    @Test func aSlowAnswerAfterTheTimeoutAndAResolverDroppedUnclosedAreHarmless() async throws {
        // URLSession on Linux trapped when a redirect arrived after its timeout; the NIO client must not, and a
        // resolver nobody closed must not trap either (a debug build checks its HTTP client was shut down).
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        do {
            let resolver = testResolver(timeout: 0.2)
            let r = await resolver.resolve(server.url("/slow"))
            #expect(r.failure?.reason == .timeout)
        }
        let resolver = testResolver()
        defer { resolver.close() }
        let r = await resolver.resolve(server.url("/chain/2"))
        #expect(r.failure == nil)
        #expect(r.hops == 2)
    }

    @Test func reportsErrorStatuses() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver()
        defer { resolver.close() }
        let missing = await resolver.resolve(server.url("/missing"))
        #expect(missing.failure?.reason == .httpStatus)
        #expect(missing.status == 404)
        // HEAD 404 is asked again with GET (some servers only implement GET).
        #expect(server.methodsSeen == ["HEAD", "GET"])
        // A target that answers 404 after a redirect is still where the link leads.
        let afterHop = await resolver.resolve(server.url("/gone-after-hop"))
        #expect(afterHop.failure == nil)
        #expect(afterHop.final == server.url("/missing"))
        #expect(afterHop.status == 404)
        // A "short link" that answers 200 at once is not a redirect.
        let page = await resolver.resolve(server.url("/page"))
        #expect(page.failure?.reason == .notARedirect)
        let noLocation = await resolver.resolve(server.url("/no-location"))
        #expect(noLocation.failure?.reason == .badLocation)
        let ftp = await resolver.resolve(server.url("/to-ftp"))
        #expect(ftp.failure?.reason == .badLocation)
    }

    @Test func fallsBackToGetWhenHeadIsNotAllowed() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver()
        defer { resolver.close() }
        let r = await resolver.resolve(server.url("/nohead"))
        #expect(r.failure == nil)
        #expect(r.final == server.url("/chain/0"))
        #expect(server.methodsSeen.prefix(2) == ["HEAD", "GET"])
    }

    @Test func refusesPrivateAndMetadataTargets() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver()
        defer { resolver.close() }
        for (path, cls) in [("/to-private", "private"), ("/to-private6", "private"), ("/to-metadata", "metadata"),
                            ("/to-metadata-name", "metadata"), ("/to-named", "private")] {
            let r = await resolver.resolve(server.url(path))
            #expect(r.failure?.reason == .refusedAddress, "\(path): \(String(describing: r.failure))")
            #expect(r.failure?.detail.hasSuffix("(\(cls))") == true, "\(path): \(String(describing: r.failure))")
            #expect(r.final == nil)
        }
        // Even --allow-private keeps metadata refused.
        let permissive = testResolver(policy: .allowingPrivate)
        defer { permissive.close() }
        let meta = await permissive.resolve(server.url("/to-metadata"))
        #expect(meta.failure?.reason == .refusedAddress)
    }

    @Test func refusesLoopbackUnlessAllowed() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let strict = testResolver(policy: .publicOnly)
        defer { strict.close() }
        for link in [server.url("/chain/1"), "http://localhost:\(server.port)/chain/1",
                     "http://[::ffff:127.0.0.1]:\(server.port)/chain/1"] {
            let r = await strict.resolve(link)
            #expect(r.failure?.reason == .refusedAddress, "\(link)")
        }
        // Refused before connecting: the server saw nothing.
        #expect(server.requests() == 0)
    }

    @Test func refusesLoopbackInDisguise() async throws {
        // The system resolver (getaddrinfo) reads these the way the C library does: all are 127.0.0.1 or ::1.
        var c = ResolverConfiguration()
        c.timeout = 2
        let resolver = RedirectResolver(configuration: c)
        defer { resolver.close() }
        for link in ["http://2130706433/", "http://0177.0.0.1/", "http://127.1/", "http://0x7f000001/",
                     "http://localhost/", "http://[::1]/", "http://user@127.0.0.1/", "http://0.0.0.0/"] {
            let r = await resolver.resolve(link)
            #expect(r.failure?.reason == .refusedAddress, "\(link): \(String(describing: r.failure))")
        }
    }

    @Test func boundsConcurrency() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let resolver = testResolver(timeout: 3, concurrency: 2)
        defer { resolver.close() }
        let links = (0..<6).map { server.url("/wait?\($0)") }
        let results = await resolver.resolveAll(links)
        #expect(results.map(\.url) == links)
        #expect(results.allSatisfy { $0.failure == nil })
        #expect(server.maxInFlight <= 2)
        #expect(server.maxInFlight >= 1)
    }

    @Test func rejectsNonHTTPLinks() async {
        let resolver = testResolver()
        defer { resolver.close() }
        #expect(await resolver.resolve("javascript:alert(1)").failure?.reason == .invalidURL)
        #expect(await resolver.resolve("file:///etc/passwd").failure?.reason == .invalidURL)
    }
}
