#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Talks to the Metal API v1 with a project API key in `X-Auth-Token`. GETs and DELETEs go
/// through the shared retry policy (429 waits for Retry-After, 5xx backs off). A create is sent
/// at most once per call: 429 is still retried (the API did nothing), but a 5xx or a lost
/// answer surfaces as `outcomeUnknown` so the caller can check before sending it again.
public struct MetalAPIClient: Sendable {
    public let endpoints: MetalEndpoints
    private let token: Secret
    private let http: RetryingHTTPClient
    private let logger: Logger

    public init(endpoints: MetalEndpoints, token: Secret, http: RetryingHTTPClient, logger: Logger) {
        self.endpoints = endpoints
        self.token = token
        self.http = http
        self.logger = logger
    }

    /// Every device of the project matching `filter`, across all pages.
    public func findDevices(projectID: String, filter: MetalEndpoints.DeviceFilter, perPage: Int,
                            maxPages: Int = 1000, deadline: Deadline) async throws -> [MetalDevice] {
        var devices: [MetalDevice] = []
        var page = 1
        while true {
            let call = endpoints.findDevices(projectID: projectID, filter: filter, page: page, perPage: perPage)
            let response = try await send(call, deadline: deadline)
            let decoded: MetalDevicePage = try decode(response, call)
            devices += decoded.devices
            // An empty page ends the walk even if meta says otherwise, so a confused server
            // cannot keep us paging.
            guard decoded.hasMore(after: page), !decoded.devices.isEmpty else { return devices }
            page += 1
            guard page <= maxPages else {
                throw MetalAPIError.invalidResponse(request: call.summary, detail: "more than \(maxPages) pages of devices")
            }
        }
    }

    public func createDevice(projectID: String, _ request: MetalDeviceCreateRequest, deadline: Deadline) async throws -> MetalDevice {
        let call = endpoints.createDevice(projectID: projectID, request)
        let once = RetryingHTTPClient(base: MetalAtMostOnceTransport(base: http.base, summary: call.summary),
                                      policy: http.policy, sleeper: http.sleeper, logger: http.logger)
        let response = try await send(call, via: once, deadline: deadline) { response, now in
            (500...599).contains(response.status) ? .done : RetryVerdict.standard(response, now: now)
        }
        return try decode(response, call)
    }

    /// False when the device was already gone (404).
    @discardableResult
    public func deleteDevice(id: String, forceDelete: Bool, deadline: Deadline) async throws -> Bool {
        let call = endpoints.deleteDevice(id: id, forceDelete: forceDelete)
        let response = try await send(call, deadline: deadline, accept: [404])
        return response.status != 404
    }

    // MARK: transport

    func send(_ call: MetalCall, via client: RetryingHTTPClient? = nil, deadline: Deadline, accept: Set<Int> = [],
              classify: @Sendable (HTTPResponse, Date) -> RetryVerdict = RetryVerdict.standard) async throws -> HTTPResponse {
        var headers: HeaderFields = ["Accept": "application/json", "X-Auth-Token": token.exposedValue]
        if !call.body.isEmpty { headers.append("Content-Type", "application/json") }
        let request = HTTPRequest(method: call.method, url: call.url, headers: headers, body: call.body)
        let started = ContinuousClock.now
        let response = try await (client ?? http).send(request, deadline: deadline, classify: classify)
        logger.debug("metal api", metadata: [
            "method": .string(call.method), "path": .string(call.template), "status": "\(response.status)",
            "ms": "\((ContinuousClock.now - started).milliseconds)",
        ])
        guard response.isSuccess || accept.contains(response.status) else { throw error(for: response, call) }
        return response
    }

    func error(for response: HTTPResponse, _ call: MetalCall) -> MetalAPIError {
        let errors = messages(response)
        switch response.status {
        case 401: return .unauthorized(request: call.summary, errors: errors)
        case 403: return .forbidden(request: call.summary, errors: errors)
        case 404: return .notFound(request: call.summary, errors: errors)
        case 422: return .unprocessable(request: call.summary, errors: errors)
        case 500...599 where call.method == "POST":
            return .outcomeUnknown(request: call.summary, detail: "\(response.status): \(errors.joined(separator: "; "))")
        case 500...599: return .serverError(status: response.status, request: call.summary, errors: errors)
        default: return .rejected(status: response.status, request: call.summary, errors: errors)
        }
    }

    /// The spec's Error body: `errors` (a list) and/or `error` (a string). Anything else gives
    /// the start of the body. Bounded, and scrubbed of the token in case a proxy echoes headers.
    func messages(_ response: HTTPResponse) -> [String] {
        var found: [String] = []
        if let object = JSONReader.object(response.body) {
            found += (object["errors"] as? [Any])?.map { ($0 as? String) ?? "\($0)" } ?? []
            if let single = object["error"] as? String { found.append(single) }
        }
        if found.isEmpty { found = [response.serverMessage] }
        return found.prefix(20).map { message in
            let bounded = String(message.prefix(500))
            return token.isEmpty ? bounded : bounded.replacing(token.exposedValue, with: "<redacted>")
        }
    }

    private func decode<T: Decodable>(_ response: HTTPResponse, _ call: MetalCall) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(response.body)) } catch {
            throw MetalAPIError.invalidResponse(request: call.summary, detail: "the body does not match the spec's shape")
        }
    }
}
