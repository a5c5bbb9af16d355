import Foundation
import Testing
import OBSCore
import OBSCrypto
import OBSSigner
@testable import OBSClient

/// Review of the upload checksums: the checksum pass is not counted by the progress bar, and computes every
/// header (MD5 too) in the same pass as the whole CRC-32C, which is recorded whatever --checksum says.
struct HardeningReviewIntegrityTests {
    private func integrity(_ kind: UploadChecksum) throws -> UploadIntegrity {
        let c = try RemoteConfiguration(
            endpoint: "http://127.0.0.1:9000", region: "r1", signature: .v4, addressing: nil,
            credentials: Credentials(
                accessKeyID: "AK",
                secretAccessKey: SecretBytes(copying: Array("sk".utf8))),
            transport: TransportOptions(), retries: 0)
        return try UploadIntegrity(kind, configuration: c)
    }

    private func file(_ data: Data) throws -> (RewindableFileSource, Int32) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("obsctl-scan-\(UUID().uuidString)")
            .path
        try data.write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        unlink(path)
        let source = try #require(FileDescriptorSource.make(fd: fd, path: path) as? RewindableFileSource)
        return (source, fd)
    }

    @Test("the checksum pass leaves the progress counter at 0 (no 0 to 100% and back before the send)")
    func scanIsNotCounted() throws {
        let (source, fd) = try file(Data(repeating: 7, count: 48 << 20))
        defer { close(fd) }
        let counter = TransferCounter()
        source.counter = counter
        let peak = Atomicish()
        let done = Atomicish()
        let watcher = Thread { while done.value == 0 { peak.max(counter.value) } }
        watcher.start()
        _ = try integrity(.crc32c).scan(source, plan: nil)
        done.max(1)
        while !watcher.isFinished { Thread.sleep(forTimeInterval: 0.001) }
        #expect(peak.value == 0, "the scan was counted: peak \(peak.value)")
    }

    @Test(
        "--checksum none still gives the whole CRC-32C; MD5 headers come from the same pass",
        arguments: [
            UploadChecksum.off, .md5, .crc32c,
        ])
    func wholeCRCAlways(_ kind: UploadChecksum) throws {
        let data = Data((0..<(11 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let (source, fd) = try file(data)
        defer { close(fd) }
        let plan = try MultipartPlan(objectSize: Int64(data.count), partSize: 5 << 20)
        let sums = try integrity(kind).scan(source, plan: plan)
        #expect(sums.whole == CRC32C.checksum(Array(data)).base64)
        for n in 1...plan.partCount {
            let (offset, length) = plan.range(ofPart: n)
            let bytes = Array(data[Int(offset)..<Int(offset + length)])
            switch kind {
            // No header is sent; the part's CRC-32C is kept to check the bytes as they are sent.
            case .off: #expect(sums.parts[n]! == (UploadIntegrity.checkedLocally, CRC32C.checksum(bytes).base64))
            case .md5: #expect(sums.parts[n]! == ("Content-MD5", Base64.encode(Digest.md5(bytes))))
            case .crc32c: #expect(sums.parts[n]! == (UploadIntegrity.crc32cHeader, CRC32C.checksum(bytes).base64))
            }
        }
        let single = try integrity(kind).scan(source, plan: nil)
        #expect(single.whole == sums.whole)
    }
}

/// A tiny lock-protected maximum, for the watcher thread above.
final class Atomicish: @unchecked Sendable {
    private let lock = NSLock()
    private var v: Int64 = 0
    var value: Int64 { lock.lock(); defer { lock.unlock() }; return v }
    func max(_ x: Int64) { lock.lock(); if x > v { v = x }; lock.unlock() }
}
