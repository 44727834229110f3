// One HTTP request per call, redirects NOT followed: the resolver decides about every hop itself (address
// checks, loop detection, hop limit), so URLSession must hand back each 3xx instead of chasing it.
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one request produced.
enum HopOutcome: Sendable, Equatable {
    /// The server answered: its status and `Location` header (nil when absent).
    case response(status: Int, location: String?)
    /// No answer within the per-request timeout.
    case timeout
    /// The connection or protocol failed (refused, reset, TLS, ...).
    case network(String)
}

/// Sends single requests through one URLSession whose delegate refuses automatic redirects and stops every
/// transfer at the response headers (a GET never downloads the page).
///
/// The answer is handed back as soon as the status line and headers are in. Tasks are never cancelled from
/// outside: FoundationNetworking (swift-corelibs-foundation) traps when a task is cancelled while its redirect
/// callback is queued ("Received callback for HTTP redirection, but we're not waiting for it"). So the deadline
/// only stops waiting; the abandoned transfer ends at URLSession's own timeout (a whole second at least, since
/// corelibs truncates it to milliseconds of whole seconds: 0.6 s would time out at once).
final class HopClient: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: ResumeOnce<HopOutcome>] = [:]
    private var session: URLSession!
    private let userAgent: String
    private let sessionTimeout: Double

    init(maxConnections: Int, timeout: Double, userAgent: String) {
        self.userAgent = userAgent
        sessionTimeout = max(1, timeout.rounded(.up))
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = sessionTimeout
        config.timeoutIntervalForResource = sessionTimeout * 2
        config.httpMaximumConnectionsPerHost = max(1, maxConnections)
        config.httpShouldSetCookies = false
        config.httpCookieAcceptPolicy = .never
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
    }

    /// Lets transfers still running finish, then releases the session (cancelling them could trap, see above).
    func invalidate() { session.finishTasksAndInvalidate() }

    /// Sends `method` to `url` and returns the response's status and Location, without following redirects.
    /// `timeout` bounds the whole wait, not only idle time.
    func send(_ method: String, _ url: URL, timeout: Double) async -> HopOutcome {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: sessionTimeout)
        request.httpMethod = method
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        request.setValue("*/*", forHTTPHeaderField: "Accept")
        return await withCheckedContinuation { (continuation: CheckedContinuation<HopOutcome, Never>) in
            let once = ResumeOnce(continuation)
            let task = session.dataTask(with: request)
            let id = task.taskIdentifier
            lock.lock()
            pending[id] = once
            lock.unlock()
            task.resume()
            // URLSession's own timeout is an idle timeout in whole seconds; this one is exact and total.
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak self] in
                self?.finish(id, .timeout)
            }
        }
    }

    /// Hands `outcome` to the caller waiting for task `id` (the first outcome wins).
    private func finish(_ id: Int, _ outcome: HopOutcome) {
        lock.lock()
        let once = pending.removeValue(forKey: id)
        lock.unlock()
        once?.resume(outcome)
    }

    /// The status and Location header of an HTTP response.
    private static func statusAndLocation(_ response: URLResponse?) -> (Int, String?)? {
        guard let http = response as? HTTPURLResponse else { return nil }
        var location: String?
        for (k, v) in http.allHeaderFields {
            if let key = k as? String, key.lowercased() == "location" { location = v as? String }
        }
        return (http.statusCode, location)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        if let (status, location) = Self.statusAndLocation(response) {
            finish(task.taskIdentifier, .response(status: status, location: location))
        }
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        if let (status, location) = Self.statusAndLocation(response) {
            finish(dataTask.taskIdentifier, .response(status: status, location: location))
        }
        completionHandler(.cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {}

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let (status, location) = Self.statusAndLocation(task.response) {
            finish(task.taskIdentifier, .response(status: status, location: location))
        } else if let error = error as? URLError, error.code == .timedOut {
            finish(task.taskIdentifier, .timeout)
        } else if let error {
            finish(task.taskIdentifier, .network((error as NSError).localizedDescription))
        } else {
            finish(task.taskIdentifier, .network("no response"))
        }
    }
}
