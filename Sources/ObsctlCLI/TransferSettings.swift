import ArgumentParser
import OBSCore

/// The options of cp, mv and sync, which each become an upload, a download or a server-side copy, and what each of
/// those takes from them: one place for the checks that an option suits the direction.
struct TransferSettings: ParsableArguments {
    @OptionGroup var sseOptions: SSEOptions
    @OptionGroup var customerKey: CustomerKeyOptions
    @OptionGroup var sourceCustomerKey: SourceCustomerKeyOptions
    @OptionGroup var attributes: ObjectAttributeOptions
    @OptionGroup var tuning: TransferTuningOptions

    /// An upload's options; the source SSE-C key options belong to copies.
    func forUpload() throws -> Transfers.UploadOptions {
        try rejectSourceKey("an upload")
        return try Transfers.UploadOptions(sseOptions, customerKey, attributes, tuning)
    }

    /// What a download needs: the object's SSE-C key and how ranges are cut. The options describing new objects
    /// do not apply.
    func forDownload() throws -> (customerKey: CustomerKey?, transfer: TransferOptions) {
        try rejectSourceKey("a download (use --sse-c-key-file or --sse-c-key-env)")
        guard sseOptions.sse == nil, sseOptions.kmsKeyId == nil else {
            throw OBSError.invalidArgument(
                "--sse and --kms-key-id describe uploads; a download decrypts whatever the object uses")
        }
        return (try customerKey.load(), try tuning.options())
    }

    func forCopy() throws -> CopySettings {
        CopySettings(
            sourceKey: try sourceCustomerKey.load(), sse: try sseOptions.request(customerKey: try customerKey.load()),
            contentType: attributes.contentType, metadata: try parseMetadata(attributes.metadata),
            transfer: try tuning.options(),
            expected: sseOptions.expectSse)
    }

    private func rejectSourceKey(_ what: String) throws {
        if sourceCustomerKey.file != nil || sourceCustomerKey.environmentVariable != nil {
            throw OBSError.invalidArgument("--source-sse-c-key-* applies to obs-to-obs copies, not to \(what)")
        }
    }
}

/// What the server-side copies of one command share.
struct CopySettings {
    let sourceKey: CustomerKey?
    let sse: SSERequest?
    let contentType: String?
    let metadata: [String: String]
    let transfer: TransferOptions
    let expected: ExpectedSSE?

    func request(from source: BucketName, _ key: ObjectKey, to destination: BucketName, _ target: ObjectKey)
        -> CopyObjectRequest
    {
        CopyObjectRequest(
            source: GetObjectRequest(bucket: source, key: key, customerKey: sourceKey),
            destination: PutObjectRequest(
                bucket: destination, key: target, sse: sse, contentType: contentType ?? "application/octet-stream",
                userMetadata: metadata, transfer: transfer),
            // New attributes replace the source's; without any, the copy keeps them.
            replaceMetadata: contentType != nil || !metadata.isEmpty)
    }

    /// Copies, then checks --expect-sse on what was stored.
    func copy(_ ctx: CommandContext, _ request: CopyObjectRequest) async throws -> ObjectInfo {
        let info = try await ctx.storage.copyObject(request)
        try expected?.check(info)
        return info
    }
}
