// One HTTP request per call, redirects NOT followed: the resolver decides about every hop itself (address
// checks, loop detection, hop limit), so the client must hand back each 3xx instead of chasing it.
//
// Built on AsyncHTTPClient (SwiftNIO). It replaced URLSession, whose Linux implementation (swift-corelibs-foundation)
// traps when a transfer times out while its redirect callback is queued ("Received callback for HTTP redirection,
// but we're not waiting for it"): a crash of the whole process that slow shorteners could trigger.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What one request produced.
enum HopOutcome: Sendable, Equatable {
    /// The server answered: its status and `Location` header (nil when absent).
    case response(status: Int, location: String?)
    /// No answer within the per-request timeout.
    case timeout
    /// The connection or protocol failed (refused, reset, TLS, ...).
    case network(String)
}

/// Sends single requests through one HTTP client that never follows redirects and stops every transfer at the
/// response head (a GET never downloads the page: the body is left unread, which closes the connection).
final class HopClient: Sendable {
    private let client: HTTPClient
    private let userAgent: String

    init(maxConnections: Int, timeout: Double, userAgent: String) {
        self.userAgent = userAgent
        var config = HTTPClient.Configuration(redirectConfiguration: .disallow)
        let limit = TimeAmount.milliseconds(Int64(max(0.05, timeout) * 1000))
        config.timeout = .init(connect: limit, read: limit)
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, maxConnections)
        config.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Releases the client; requests still running fail.
    func invalidate() {
        client.shutdown { _ in }
    }

    deinit {
        // A client must be shut down before it goes (debug builds trap otherwise); a second shutdown only reports
        // that it already was.
        client.shutdown { _ in }
    }

    /// Sends `method` to `url` and returns the response's status and Location, without following redirects.
    /// `timeout` bounds the whole exchange (connection, request and response head).
    func send(_ method: String, _ url: URL, timeout: Double) async -> HopOutcome {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "Accept", value: "*/*")
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(max(0.001, timeout) * 1000)))
            return .response(status: Int(response.status.code), location: response.headers.first(name: "location"))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return .timeout
            default:
                return .network(String(describing: error))
            }
        } catch {
            return .network(String(describing: error))
        }
    }
}
