/// Decoding of `spec.endpoint` (see ``StableEndpoint``).
extension DocumentDecoder {
    static let endpointKeys = ["port", "address", "protocol"]

    func decodeEndpoint(_ spec: MappingReader) -> EndpointFragment? {
        guard let reader = spec.mapping("endpoint", known: Self.endpointKeys) else { return nil }
        guard reader.has("port") else {
            reader.missing("port", hint: "give the stable host port clients use, such as `port: 8080`")
            return nil
        }
        guard let port = reader.int("port", in: ManifestDefaults.portRange) else { return nil }
        var fragment = EndpointFragment(port: Located(port, at: reader.position("port")))
        if let address = reader.string("address") {
            if StableEndpoint.isIPAddress(address.value) {
                fragment.address = address
            } else {
                context.error(at: address.position, field: "spec.endpoint.address",
                              "`\(address.value)` is not a numeric IP address; give one such as `127.0.0.1` (loopback, the default), `0.0.0.0` (every interface) or `::1`")
            }
        }
        fragment.protocol = reader.enumeration("protocol", StableEndpoint.TrafficProtocol.self)
        return fragment
    }
}
