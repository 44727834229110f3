// Safety: API keys and roles from a key file, the loopback-only rule without keys, and role checks over a socket.
import Foundation
import Testing
@testable import StarlingService

@Suite("Keys, roles and binding")
struct SafetyTests {
    static let keyFile = """
        # role key name
        read   read-key-0123456789abcdef   dashboard
        write  write-key-0123456789abcdef  ingester
        admin  admin-key-0123456789abcdef  privacy team

        """

    @Test("the key file is parsed: roles, names, comments")
    func parseKeyFile() throws {
        let keys = try APIKeys.parse(Self.keyFile)
        #expect(keys.keys.map(\.role) == [.read, .write, .admin])
        #expect(keys.keys.map(\.name) == ["dashboard", "ingester", "privacy team"])
        #expect(keys.lookup("write-key-0123456789abcdef")?.role == .write)
        #expect(keys.lookup("write-key-0123456789abcdeX") == nil)
        #expect(keys.lookup("write-key") == nil)
        #expect(Role.admin > Role.write && Role.write > Role.read)
    }

    @Test("bad key files are refused with their line", arguments: [
        ("owner abcdefghijklmnopqrstuvwxyz", 1, "unknown role"),
        ("read short", 1, "at least 16"),
        ("# c\nread", 2, "expected 'ROLE KEY"),
        ("read abcdefghijklmnop\nwrite abcdefghijklmnop", 2, "twice"),
        ("read abcdefgh/ijklmnopq", 1, "letters, digits"),
    ])
    func badKeyFiles(text: String, line: Int, message: String) {
        #expect {
            try APIKeys.parse(text)
        } throws: { error in
            guard let e = error as? KeyFileError else { return false }
            return e.line == line && e.message.contains(message)
        }
    }

    @Test("an empty key file is refused rather than turning authentication off")
    func emptyKeyFile() throws {
        let dir = try makeTempDir("keys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("keys").path
        try "# nothing\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: KeyFileError.self) { try APIKeys.load(path: path) }
    }

    @Test("without keys only loopback addresses may be bound", arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true),
        ("0.0.0.0", false), ("192.168.1.10", false), ("::", false), ("example.com", false), ("127.0.0.256", false),
    ])
    func loopbackOnly(host: String, allowed: Bool) throws {
        let noKeys = ServiceConfiguration(indexPath: "/nonexistent", host: host)
        if allowed {
            try noKeys.validate()
        } else {
            #expect(throws: ConfigurationError.self) { try noKeys.validate() }
            // With keys any address is allowed.
            try ServiceConfiguration(indexPath: "/nonexistent", host: host, keys: try APIKeys.parse(Self.keyFile)).validate()
        }
    }

    @Test("the server itself refuses a public address without keys, before touching the index")
    func serverRefuses() throws {
        let dir = try makeTempDir("refuse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        #expect(throws: ConfigurationError.self) {
            _ = try StarlingServer(configuration: ServiceConfiguration(indexPath: path, host: "0.0.0.0"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a read key cannot ingest or delete; write cannot erase an author; admin can; no key is 401")
    func roles() async throws {
        try await TestServer.with(keys: try APIKeys.parse(Self.keyFile)) { t in
            let read = "read-key-0123456789abcdef"
            let write = "write-key-0123456789abcdef"
            let admin = "admin-key-0123456789abcdef"
            let line = postLine(id: "k1", text: "keyed post", author: "kim")

            #expect(try await t.get("/v1/health").status == 200)
            #expect(try await t.get("/v1/openapi.yaml").status == 200)
            let anonymous = try await t.get("/v1/search?q=keyed")
            #expect(anonymous.status == 401 && anonymous.errorCode == "unauthorized")
            #expect(try await t.get("/v1/search?q=keyed", key: "not-a-key-0123456789").status == 401)
            #expect(try await t.get("/metrics").status == 401)

            let denied = try await t.ingest([line], key: read)
            #expect(denied.status == 403 && denied.errorCode == "forbidden")
            #expect(try await t.get("/v1/health").json["documents"] as? Int == 0)

            #expect(try await t.ingest([line], key: write).status == 200)
            #expect(try await t.get("/v1/search?q=keyed", key: read).json["total"] as? Int == 1)
            #expect(try await t.request("DELETE", "/v1/posts/k1", key: read).status == 403)
            #expect(try await t.request("DELETE", "/v1/authors/kim/posts", key: read).status == 403)
            #expect(try await t.request("DELETE", "/v1/authors/kim/posts", key: write).status == 403)
            #expect(try await t.get("/v1/search?q=keyed", key: admin).json["total"] as? Int == 1)

            let erased = try await t.request("DELETE", "/v1/authors/kim/posts", key: admin)
            #expect(erased.status == 200 && erased.json["deleted"] as? Int == 1)
            #expect(try await t.get("/metrics", key: read).status == 200)
        }
    }
}
