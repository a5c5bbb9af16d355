import ArgumentParser
import Foundation
import OBSCore

extension UploadChecksum: ExpressibleByArgument {}

/// How remote uploads are cut into parts (the local backend streams any size in one pass).
struct TransferTuningOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Upload objects larger than this in parts (default 50M, at most 5G). "
                + "Sizes take K, M, G suffixes (powers of 1024).", valueName: "size"),
        transform: { try Numbers.size($0, Numbers.multipartThreshold) })
    var multipartThreshold: Int64?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Part size for multipart uploads, 100K to 5G (default: by object size, 9M to 50M).",
            valueName: "size"),
        transform: { try Numbers.size($0, Numbers.partSize) })
    var partSize: Int64?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Parts of one file uploaded at once, 1 to 64 (default 4); with --jobs, within its bound on requests.",
            valueName: "n"),
        transform: { try Numbers.integer($0, Numbers.parallel) })
    var parallel: Int = 4
    @Option(
        help: ArgumentHelp(
            "Checksum the server verifies each upload (or part) with: md5 (Content-MD5), crc32c "
                + "(x-amz-checksum-crc32c, much cheaper) or none. Default: md5 for Huawei OBS (*.myhuaweicloud.com or "
                + "--signature obs), crc32c elsewhere.",
            valueName: "md5|crc32c|none"))
    var checksum: UploadChecksum?

    func options() throws -> TransferOptions {
        TransferOptions(
            multipartThreshold: multipartThreshold ?? 50 << 20, partSize: partSize, parallelism: parallel,
            checksum: checksum)
    }
}

/// How a remote download is split: objects larger than one part are fetched as parallel ranged GETs.
struct DownloadTuningOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Range size for parallel remote downloads, 100K to 5G (default 16M). "
                + "Sizes take K, M, G suffixes.", valueName: "size"),
        transform: { try Numbers.size($0, Numbers.partSize) })
    var partSize: Int64?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Ranges of one object downloaded at once (remote endpoints), 1 to 64 (default 4); with --jobs, "
                + "within its bound on requests.",
            valueName: "n"),
        transform: { try Numbers.integer($0, Numbers.parallel) })
    var parallel: Int = 4

    func options() throws -> TransferOptions { TransferOptions(partSize: partSize, parallelism: parallel) }
}
