// The OpenAPI document and the router agree: every route the service registers is documented with its method,
// every documented operation exists (it is answered by its handler, not by "no route"), and the service
// serves the document itself.
import Foundation
import Hummingbird
import Testing
@testable import StarlingService

/// The operations of openapi/starling.yaml, read with a small line parser (paths at two spaces of indent,
/// methods at four), so the test needs no YAML library.
enum OpenAPIFile {
    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("openapi/starling.yaml")

    static func operations(_ text: String) -> Set<String> {
        var out = Set<String>()
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.hasPrefix("#") && !line.isEmpty { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if ["get", "post", "put", "patch", "delete"].contains(String(key)) { out.insert("\(key.uppercased()) \(path)") }
            }
        }
        return out
    }
}

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("every route is in openapi/starling.yaml and every documented operation is a route")
    func routesMatchDocument() async throws {
        let text = try String(contentsOf: OpenAPIFile.url, encoding: .utf8)
        let documented = OpenAPIFile.operations(text)
        #expect(documented.count >= 15)
        try await TestServer.with { t in
            let routes = Set(t.server.makeRouter().routes.map { "\($0.method.rawValue) \($0.path.description)" })
            #expect(routes.subtracting(documented).isEmpty, "undocumented routes: \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "documented but missing: \(documented.subtracting(routes).sorted())")

            // Over the socket each documented operation reaches a handler: whatever it answers, it is not "no-route".
            for op in documented.sorted() {
                let parts = op.split(separator: " ", maxSplits: 1)
                let path = parts[1].replacingOccurrences(of: "{id}", with: "nope")
                    .replacingOccurrences(of: "{author}", with: "nobody")
                    .replacingOccurrences(of: "{name}", with: "nope")
                let r = try await t.request(String(parts[0]), path, body: parts[0] == "POST" ? "" : nil)
                #expect(r.errorCode != "no-route", "\(op) is not routed")
                #expect(r.status != 404 || r.errorCode == "post-not-found" || r.errorCode == "search-not-found",
                        "\(op): \(r.status) \(r.text)")
            }

            let served = try await t.get("/v1/openapi.yaml")
            #expect(served.status == 200)
            #expect(served.text == text)
        }
    }
}
