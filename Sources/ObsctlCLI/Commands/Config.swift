import ArgumentParser
import Foundation
import OBSClient

extension Obsctl {
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage profiles in ~/.config/obsctl/config (endpoint, region, signature, credentials).",
            discussion: Manual.discussion(
                [
                    "Secret values (secret_access_key, security_token) are never taken from the command line, where ps "
                        + "and CI logs would show them: pass --from-env VAR or --from-stdin. get and list never print "
                        + "them."
                ],
                examples: [
                    "obsctl config set endpoint https://obs.cn-north-4.myhuaweicloud.com",
                    "obsctl config set access_key_id HPUAEXAMPLE --profile prod",
                    "obsctl config set secret_access_key --from-env OBS_SECRET_ACCESS_KEY --profile prod",
                    "obsctl config list --profile prod",
                    "obsctl config import obsutil",
                ]),
            subcommands: [Set.self, Get.self, List.self, Import.self])
    }
}

extension Obsctl.Config {
    static func profileName(_ explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["OBSCTL_PROFILE"] ?? "default"
    }

    static func shown(_ key: String, _ value: String) -> String {
        ConfigFile.secretKeys.contains(key) ? "<set, hidden>" : value
    }
}
