import Foundation

/// JSON text for the store's JSON columns (diagnostics, intent payloads): sorted keys,
/// so the same value always gives the same text.
enum StoreJSON {
    static func encode<Value: Encodable>(_ value: Value, what: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw StoreError(.invalidData, "cannot encode \(what) as JSON", cause: error)
        }
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from text: String, what: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(
                .invalidData,
                "stored \(what) is not the JSON this Mooring expects; it may have been written by another version",
                cause: error)
        }
    }
}
