/// One page of `findProjectDevices` (the spec's `DeviceList`).
struct MetalDevicePage: Decodable {
    struct Href: Decodable { var href: String }

    struct Meta: Decodable {
        var next: Href?
        var lastPage: Int?
        var currentPage: Int?

        enum CodingKeys: String, CodingKey {
            case next
            case lastPage = "last_page"
            case currentPage = "current_page"
        }
    }

    var devices: [MetalDevice]
    var meta: Meta?

    /// Whether a page after `page` exists: `meta.next` when the API sends it, else `last_page`.
    func hasMore(after page: Int) -> Bool {
        if meta?.next != nil { return true }
        if let last = meta?.lastPage { return page < last }
        return false
    }
}
