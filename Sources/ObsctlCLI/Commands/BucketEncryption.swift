import ArgumentParser
import OBSCore

extension Obsctl.Bucket {
    struct Encryption: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show, enable or disable a bucket's default encryption.",
            discussion: Manual.discussion(
                [
                    "The default applies only to objects uploaded after it is enabled, and only to uploads that name "
                        + "no encryption of their own. Disabling it changes no stored object."
                ],
                examples: [
                    "obsctl bucket encryption show obs://secure",
                    "obsctl bucket encryption enable obs://secure --sse kms --kms-key-id my-app-key",
                    "obsctl bucket encryption disable obs://secure",
                ]),
            subcommands: [Show.self, Enable.self, Disable.self, Report.self, Apply.self])
    }
}

extension Obsctl.Bucket.Encryption {
    /// `{"bucket","encryption"}`, the encryption null for none; in text one line naming it.
    struct Shown: CommandResult {
        let bucket: BucketName
        let encryption: BucketEncryption?
        /// Set by enable and disable: the line reports a change, which --quiet silences.
        var changed = false

        private enum CodingKeys: String, CodingKey { case bucket, encryption }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(bucket.value, forKey: .bucket)
            try container.encode(Nullable(wrappedValue: encryption.map(EncryptionShape.init)), forKey: .encryption)
        }

        var text: [TextLine] {
            let line = "obs://\(bucket): default encryption \(TextShape.encryption(encryption))"
            return [changed ? .report(line) : .data(line)]
        }
    }
}
