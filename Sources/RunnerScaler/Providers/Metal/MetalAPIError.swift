/// A Metal API call that did not succeed. Messages quote the API's own `errors` array and name
/// what to fix; they carry the method and a path template (`/projects/{id}/devices`), never a
/// header, so the token cannot leak through them.
public enum MetalAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401: the X-Auth-Token was missing or not accepted.
    case unauthorized(request: String, errors: [String])
    /// 403: the key may not do this (a read-only key writing, or another project).
    case forbidden(request: String, errors: [String])
    /// 404: no such project or device.
    case notFound(request: String, errors: [String])
    /// 422: the API understood the request but will not carry it out (plan not in stock, bad slug, ...).
    case unprocessable(request: String, errors: [String])
    /// Any other 4xx.
    case rejected(status: Int, request: String, errors: [String])
    /// 5xx still failing when the retry policy gave up.
    case serverError(status: Int, request: String, errors: [String])
    /// A create got no answer (network error or 5xx): the device may or may not exist. The
    /// provider looks the hostname up before trying again, so a retry never makes a twin.
    case outcomeUnknown(request: String, detail: String)
    /// A 2xx whose body is not the shape the spec gives.
    case invalidResponse(request: String, detail: String)

    public var status: Int? {
        switch self {
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .unprocessable: 422
        case let .rejected(status, _, _), let .serverError(status, _, _): status
        case .outcomeUnknown, .invalidResponse: nil
        }
    }

    public var description: String {
        switch self {
        case let .unauthorized(request, errors):
            "Metal API refused \(request) (401): \(Self.quote(errors)). The X-Auth-Token was not accepted: "
                + "set the pool's metal.token (default: the METAL_AUTH_TOKEN variable) to a valid project API key."
        case let .forbidden(request, errors):
            "Metal API refused \(request) (403): \(Self.quote(errors)). The API key may not do this: "
                + "use a read/write API key of the project named in metal.projectId."
        case let .notFound(request, errors):
            "Metal API refused \(request) (404): \(Self.quote(errors)). Check metal.projectId and metal.apiURL "
                + "(https://api.equinix.com/metal/v1, or https://api.packet.net for the legacy API)."
        case let .unprocessable(request, errors):
            "Metal API refused \(request) (422): \(Self.quote(errors)). Check the pool's metal settings "
                + "(plan, metro or facility, operatingSystem, spotPriceMax)."
        case let .rejected(status, request, errors):
            "Metal API refused \(request) (\(status)): \(Self.quote(errors))."
        case let .serverError(status, request, errors):
            "Metal API failed \(request) (\(status)): \(Self.quote(errors)); still failing after the retry policy's attempts."
        case let .outcomeUnknown(request, detail):
            "Metal API gave no usable answer to \(request) (\(detail)); the device may or may not have been created."
        case let .invalidResponse(request, detail):
            "Metal API answered \(request) with an unexpected body: \(detail)."
        }
    }

    private static func quote(_ errors: [String]) -> String {
        errors.isEmpty ? "no error message given" : errors.joined(separator: "; ")
    }
}
