import ArgumentParser
import OBSCore
import OBSTransfer

/// The options of cp, mv and sync, which each become an upload, a download or a server-side copy, and what each of
/// those takes from them: one place for the checks that an option suits the direction.
struct TransferSettings: ParsableArguments {
    @OptionGroup var sseOptions: SSEOptions
    @OptionGroup var customerKey: CustomerKeyOptions
    @OptionGroup var sourceCustomerKey: SourceCustomerKeyOptions
    @OptionGroup var attributes: ObjectAttributeOptions
    @OptionGroup var tuning: TransferTuningOptions

    /// An upload's options; the source SSE-C key options belong to copies.
    func forUpload() throws -> StepOptions {
        try rejectSourceKey("an upload")
        return try StepOptions.upload(sseOptions, customerKey, attributes, tuning)
    }

    /// What a download needs: the object's SSE-C key and how ranges are cut. The options describing new objects
    /// do not apply.
    func forDownload() throws -> StepOptions {
        try rejectSourceKey("a download (use --sse-c-key-file or --sse-c-key-env)")
        guard sseOptions.sse == nil, sseOptions.kmsKeyId == nil else {
            throw OBSError.invalidArgument(
                "--sse and --kms-key-id describe uploads; a download decrypts whatever the object uses")
        }
        if let option = attributes.given.first {
            throw OBSError.invalidArgument("\(option) describes new objects; a download writes files: leave it out")
        }
        return StepOptions(customerKey: try customerKey.load(), transfer: try tuning.options())
    }

    /// A server-side copy's options: --sse and --sse-c-key-* describe the destination, --source-sse-c-key-* the
    /// source; new attributes replace the source's.
    func forCopy() throws -> StepOptions {
        var options = StepOptions(
            sse: try sseOptions.request(customerKey: try customerKey.load()),
            sourceCustomerKey: try sourceCustomerKey.load(), contentType: attributes.contentType,
            metadata: try parseMetadata(attributes.metadata), transfer: try tuning.options())
        options.headerMetadata = try attributes.headerMetadata()
        options.expectSSE = sseOptions.expectSse
        return options
    }

    private func rejectSourceKey(_ what: String) throws {
        if sourceCustomerKey.file != nil || sourceCustomerKey.environmentVariable != nil {
            throw OBSError.invalidArgument("--source-sse-c-key-* applies to obs-to-obs copies, not to \(what)")
        }
    }
}

extension StepOptions {
    /// An upload's options from the option groups of `upload`, `cp`, `mv` and `sync`; --expect-sse is checked on
    /// what was stored.
    static func upload(
        _ sse: SSEOptions, _ customerKey: CustomerKeyOptions, _ attributes: ObjectAttributeOptions,
        _ tuning: TransferTuningOptions
    ) throws -> StepOptions {
        var options = StepOptions(
            sse: try sse.request(customerKey: try customerKey.load()), contentType: attributes.contentType,
            metadata: try parseMetadata(attributes.metadata), transfer: try tuning.options())
        options.headerMetadata = try attributes.headerMetadata()
        options.expectSSE = sse.expectSse
        return options
    }
}
