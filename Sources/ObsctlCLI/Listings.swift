import OBSCore

/// What the CLI does with the entries a listing could not read (`ObjectListing.unreadable`, the embedded
/// backend's damaged objects): each is reported as one error line naming the object and how to remove it, and
/// the command ends with a failure exit, so an incomplete listing is never taken for a complete one.
enum Listings {
    static func report(_ entries: [UnreadableObject]) { report(errors: entries.map(\.error)) }

    /// Also for buckets whose record cannot be read (`BucketListing.unreadable`).
    static func report(errors: [OBSError]) {
        for e in errors { Output.errorLine("obsctl: error: \(Output.describe(e))") }
    }
}
