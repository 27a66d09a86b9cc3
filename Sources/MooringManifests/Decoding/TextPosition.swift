/// Byte offsets to positions, for problems found in a file's raw bytes (invalid UTF-8, a
/// control character, a size limit) rather than by the YAML parser.

/// The 1-based line and column (in Unicode scalars, as every diagnostic counts them) of
/// the byte at `offset`. Lines end at `\n`, `\r\n` or a lone `\r`.
func textPosition(ofByte offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
    var line = 1, column = 1
    var index = 0
    let end = min(offset, bytes.count)
    while index < end {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte == UInt8(ascii: "\r") {
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 1 // `\r\n` is one line break; the `\n` ends the line
                line += 1
                column = 1
            } else {
                line += 1
                column = 1
            }
        } else if byte & 0b1100_0000 != 0b1000_0000 {
            // Not a UTF-8 continuation byte: a new scalar starts here.
            column += 1
        }
        index += 1
    }
    return (line, column)
}

/// The offset of the first byte that is not part of valid UTF-8, or `nil` when all is.
func firstInvalidUTF8Offset(in bytes: UnsafeRawBufferPointer) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case let .valid(encoded): offset += encoded.count
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
