import CCurl
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `HTTPClient` on libcurl. Each transfer runs `curl_easy_perform` on a dispatch thread;
/// finished easy handles go back to a pool, and libcurl keeps each handle's connections open,
/// so consecutive requests to the same host reuse the connection (and its TLS session).
public final class CurlHTTPClient: HTTPClient, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var userAgent: String = RunnerScalerVersion.userAgent
        /// Per-attempt cap when the request sets none.
        public var defaultTimeout: Duration = .seconds(10)
        public var connectTimeout: Duration = .seconds(5)
        /// PEM bundle to trust instead of the system's (TLS verification is always on).
        public var caBundlePath: String?
        public var proxy: ProxySettings = .none
        public var maxResponseBytes: Int = 32 * 1024 * 1024
        public var maxIdleHandles: Int = 16

        public init() {}

        /// The configuration the process environment asks for: proxies, and a CA bundle in
        /// `RUNNER_SCALER_CA_BUNDLE` (or `SSL_CERT_FILE`).
        public static func from(environment env: [String: String]) -> Configuration {
            var c = Configuration()
            c.proxy = .from(environment: env)
            c.caBundlePath = env["RUNNER_SCALER_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
                ?? env["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
            return c
        }
    }

    public let configuration: Configuration
    private let lock = Lock()
    private var idle: [UnsafeMutableRawPointer] = []
    private let queue = DispatchQueue(label: "runner-scaler.curl", attributes: .concurrent)

    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(configuration: Configuration = Configuration()) {
        _ = Self.globalInit
        self.configuration = configuration
    }

    deinit {
        for handle in idle { curl_easy_cleanup(handle) }
    }

    public func send(_ request: HTTPRequest, deadline: Deadline) async throws -> HTTPResponse {
        let budget = deadline.capped(request.timeout ?? configuration.defaultTimeout)
        guard budget > .milliseconds(1) else {
            throw HTTPClientError(.deadlineExceeded, method: request.method, path: request.path)
        }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.perform(request, budget: budget) })
            }
        }
    }

    private func checkout() -> UnsafeMutableRawPointer? {
        if let handle = lock.withLock({ idle.popLast() }) { return handle }
        return curl_easy_init()
    }

    private func checkin(_ handle: UnsafeMutableRawPointer, reusable: Bool) {
        curl_easy_reset(handle)
        let kept = reusable && lock.withLock {
            guard idle.count < configuration.maxIdleHandles else { return false }
            idle.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    /// Blocking; runs on the dispatch queue.
    private func perform(_ request: HTTPRequest, budget: Duration) throws -> HTTPResponse {
        let fail = { (kind: HTTPClientError.Kind, detail: String) in
            HTTPClientError(kind, method: request.method, path: request.path, detail: detail)
        }
        guard let handle = checkout() else { throw fail(.transport, "curl_easy_init failed") }
        let transfer = Transfer(limit: configuration.maxResponseBytes)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>?
        var reusable = true
        defer {
            curl_slist_free_all(headerList)
            errorBuffer.deallocate()
            checkin(handle, reusable: reusable)
        }

        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        _ = rs_curl_setopt_string(handle, CURLOPT_URL, request.url)
        _ = rs_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = rs_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = rs_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = rs_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(budget.milliseconds)))
        _ = rs_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS,
                                max(1, Int(min(budget, configuration.connectTimeout).milliseconds)))
        _ = rs_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        _ = rs_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = configuration.caBundlePath { _ = rs_curl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        // An empty string turns off libcurl's own reading of proxy variables: we decide.
        _ = rs_curl_setopt_string(handle, CURLOPT_PROXY, configuration.proxy.proxy(for: request.url) ?? "")
        _ = rs_curl_setopt_string(handle, CURLOPT_USERAGENT, configuration.userAgent)
        _ = rs_curl_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = rs_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = rs_curl_setopt_datacb(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = rs_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, userdata)
        _ = rs_curl_setopt_datacb(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = rs_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, userdata)

        switch request.method {
        case "GET": _ = rs_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": _ = rs_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "POST": _ = rs_curl_setopt_long(handle, CURLOPT_POST, 1)
        default: _ = rs_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            _ = rs_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies, so the Swift array need not outlive this call.
                _ = rs_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                           UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip for larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        _ = rs_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            reusable = false
            let detail = String(cString: errorBuffer).isEmpty ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
            switch code {
            case CURLE_OPERATION_TIMEDOUT: throw fail(.timedOut, detail)
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
                 CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
                throw fail(.connectionFailed, detail)
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
                throw fail(.tls, detail)
            case CURLE_WRITE_ERROR where transfer.overflowed:
                throw fail(.responseTooLarge, "over \(configuration.maxResponseBytes) bytes")
            case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: throw fail(.invalidRequest, detail)
            default: throw fail(.transport, detail)
            }
        }
        var status = 0
        _ = rs_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.headers, body: transfer.body)
    }
}

/// Receives one transfer's bytes from libcurl's callbacks.
private final class Transfer {
    var body: [UInt8] = []
    var headers = HeaderFields()
    var overflowed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }
}

private let curlWriteBody: rs_curl_data_cb = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * count
    guard transfer.body.count + n <= transfer.limit else {
        transfer.overflowed = true
        return 0
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: n) {
        transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n))
    }
    return n
}

private let curlWriteHeader: rs_curl_data_cb = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * count
    let line = pointer.withMemoryRebound(to: UInt8.self, capacity: n) {
        String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new status line (after a 100 Continue or a proxy CONNECT): start over.
        transfer.headers = HeaderFields()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()
        transfer.headers.append(name, String(value))
    }
    return n
}
