import ArgumentParser
import Foundation
import OBSCore

/// Object attributes of commands that write objects.
struct ObjectAttributeOptions: ParsableArguments {
    @Option(help: "Content type of the new object(s); guessed from the file extension when omitted.") var contentType:
        String?
    @Option(help: ArgumentHelp("User metadata KEY=VALUE (repeatable).", valueName: "key=value")) var metadata:
        [String] = []

    /// Refused before any file is read (the backends check again, for library callers).
    func validate() throws {
        do {
            if let contentType {
                try HeaderValues.checkValue(contentType, "--content-type '\(HeaderValues.printable(contentType))'")
            }
            _ = try parseMetadata(metadata)
        } catch let e as OBSError { throw ValidationError(e.message) }
    }
}
