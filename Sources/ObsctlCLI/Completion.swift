import ArgumentParser
import Foundation
import OBSClient
import OBSCore
import OBSCrypto
#if canImport(Glibc)
import Glibc
#endif

// Dynamic shell completion. The bash and zsh scripts in completions/ are ArgumentParser's with fixes, the fish script
// is obsctl's own (FishCompletion); for the arguments below all three call back
// `obsctl ---completion ... -- <argument> ...` on every TAB, and ArgumentParser runs the closure
// named in the argument's `completion:`. Each closure answers within `Completion.deadline` or returns nothing: the
// work (configuration, backend, listing) runs on a detached task and the closure stops waiting when time is up, so
// a hung endpoint never hangs a shell. Remote listings are cached for `Completion.ttl` seconds. Errors are never
// shown: the completion process sends stderr to /dev/null before it starts (see ObsctlMain).

extension CompletionKind {
    /// A bucket: `obs://NAME`.
    static var obsBucket: CompletionKind {
        .custom { words, _, prefix in Completion.answer(words) { try await $0.buckets(prefix, slash: false) } }
    }
    /// An object or prefix: `obs://BUCKET/KEY` (buckets first, then keys one '/' level at a time).
    static var obsObject: CompletionKind {
        .custom { words, _, prefix in Completion.answer(words) { try await $0.objects(prefix) } }
    }
    /// A local path or an `obs://` address (upload, cp).
    static var pathOrObject: CompletionKind {
        .custom { words, _, prefix in
            let files = Completion.localPaths(prefix)
            guard prefix.isEmpty || "obs://".hasPrefix(prefix) || prefix.hasPrefix("obs://") else {
                return Completion.escaped(files)
            }
            return Completion.escaped(files + Completion.answer(words, escape: false) { try await $0.objects(prefix) })
        }
    }
    /// A KMS key of the local KMS: ids and aliases.
    static var kmsKey: CompletionKind {
        .custom { words, _, prefix in Completion.answer(words) { try $0.kmsKeys(prefix) } }
    }
    /// A profile of ~/.config/obsctl/config.
    static var profile: CompletionKind {
        .custom { _, _, prefix in
            let env = ProcessInfo.processInfo.environment
            guard let file = try? ConfigFile(environment: env) else { return [] }
            return Completion.escaped(file.sections.keys.sorted().filter { $0.hasPrefix(prefix) })
        }
    }
}

enum Completion {
    /// The whole answer, process start-up included, stays under 500 ms. The test suite gives its completions more
    /// time (`OBSCTL_TEST_COMPLETION_DEADLINE_MS`): on a loaded machine a debug build answered a KMS key listing
    /// late, and a late answer, which is nothing, read as a wrong one.
    static let deadline: TimeInterval =
        ProcessInfo.processInfo.environment["OBSCTL_TEST_COMPLETION_DEADLINE_MS"].flatMap { Double($0) }
        .map { $0 / 1000 } ?? 0.4
    /// How long a remote listing is reused.
    static let ttl: TimeInterval = 30
    /// At most this many candidates from one listing.
    static let limit = 1000

    /// Runs `work` against the backend the command line and the environment select; nothing when it fails or is late.
    static func answer(
        _ words: [String], escape: Bool = true, _ work: @escaping @Sendable (Lister) async throws -> [String]
    ) -> [String] {
        let box = ResultBox()
        let words = words
        Task.detached {
            let result = (try? await work(try Lister(words: words))) ?? []
            box.set(result)
        }
        guard box.wait(deadline) else { return [] }
        return escape ? escaped(box.value) : box.value
    }

    /// `---completion CMD... -- ARG INDEX CURSOR WORD...`: with fish before 3.7, ArgumentParser's fish script (which
    /// earlier obsctl builds installed) gets no answer from `commandline -o -tC`, so CURSOR is missing and
    /// ArgumentParser would answer nothing. The cursor is then at the end of the word being completed.
    static func withCursorIndex(_ arguments: [String]) -> [String] {
        guard let dash = arguments.firstIndex(of: "--"), dash + 3 < arguments.count,
            let index = Int(arguments[dash + 2]),
            Int(arguments[dash + 3]) == nil
        else { return arguments }
        let words = arguments[(dash + 3)...]
        let word = index >= 0 && index < words.count ? words[words.startIndex + index] : ""
        var repaired = arguments
        // For an empty word the generated fish script inserts the two characters '' (fish's \'\'), not "".
        repaired.insert(String(word == "''" ? 0 : word.count), at: dash + 3)
        return repaired
    }

    /// The shell of `--generate-completion-script [SHELL]` when that is the whole command line; with no SHELL,
    /// the one ArgumentParser would pick from $SHELL.
    static func requestedScript(_ arguments: [String]) -> CompletionShell? {
        switch arguments.count {
        case 1 where arguments[0] == "--generate-completion-script": return CompletionShell.autodetected()
        case 1 where arguments[0].hasPrefix("--generate-completion-script="):
            return CompletionShell(rawValue: String(arguments[0].dropFirst("--generate-completion-script=".count)))
        case 2 where arguments[0] == "--generate-completion-script": return CompletionShell(rawValue: arguments[1])
        default: return nil
        }
    }

    /// zsh's `_describe` reads `value:description`: a ':' in a value (every obs:// address) must be escaped.
    /// ArgumentParser 1.8.2 does not do it.
    static func escaped(_ candidates: [String]) -> [String] {
        guard CompletionShell.requesting == .zsh else { return candidates }
        return candidates.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
        }
    }

    /// Files and directories (with a trailing '/') that start with `prefix`, relative to the working directory.
    static func localPaths(_ prefix: String) -> [String] {
        if prefix.hasPrefix("obs://") { return [] }
        let slash = prefix.lastIndex(of: "/")
        let dirPart = slash.map { String(prefix[...$0]) } ?? ""
        let namePart = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        var dir = dirPart.isEmpty ? "." : dirPart
        if dir.hasPrefix("~/") { dir = NSHomeDirectory() + dir.dropFirst() }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return [] }
        return names.filter { $0.hasPrefix(namePart) && (!$0.hasPrefix(".") || namePart.hasPrefix(".")) }.sorted()
            .prefix(limit).map { name in
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: LocalPath.join(dir, name), isDirectory: &isDir)
                return dirPart + name + (isDir.boolValue ? "/" : "")
            }
    }

    /// `@unchecked Sendable`: `result` is touched under `lock`, read after `done` is signalled.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private let done = DispatchSemaphore(value: 0)
        private var result: [String] = []
        func set(_ r: [String]) { lock.lock(); result = r; lock.unlock(); done.signal() }
        func wait(_ seconds: TimeInterval) -> Bool { done.wait(timeout: .now() + seconds) == .success }
        var value: [String] { lock.lock(); defer { lock.unlock() }; return result }
    }
}

/// Lists buckets, keys and KMS keys for completion, through the backend the global options on the command line
/// (and the environment and profile) select, as every command does.
struct Lister {
    let context: CommandContext
    /// Identifies the remote listing for the cache; nil for the local backend, which is read fresh every time.
    let cacheScope: String?

    init(words: [String]) throws {
        let global = try GlobalOptions.parse(Self.globalArguments(words))
        let env = ProcessInfo.processInfo.environment
        if let remote = try CommandContext.remoteConfiguration(global, env) {
            let profile = global.profile ?? env["OBSCTL_PROFILE"] ?? "default"
            cacheScope = [
                remote.scheme, remote.host, remote.port.map(String.init) ?? "", remote.region, profile,
                remote.credentials.accessKeyID,
            ].joined(separator: "\n")
        } else {
            cacheScope = nil
        }
        context = try CommandContext(global)
    }

    /// The global options among the shell words (`--profile P`, `--endpoint=URL`, ...), with no retries: a
    /// completion asks once.
    /// The last of a repeated option wins, so these override what was typed.
    static func globalArguments(_ words: [String]) -> [String] {
        GlobalArguments.all(in: words) + ["--retries", "0", "--timeout", "1", "--quiet"]
    }

    /// `obs://NAME` (or `obs://NAME/` when keys follow) for buckets whose address starts with `prefix`.
    func buckets(_ prefix: String, slash: Bool) async throws -> [String] {
        let names = try await cached(["buckets"]) { try await context.storage.listBucketNames().map(\.value) }
        // A bucket argument also takes a bare name.
        if !slash && !prefix.isEmpty && !"obs://".hasPrefix(prefix) && !prefix.hasPrefix("obs://") {
            return names.filter { $0.hasPrefix(prefix) }
        }
        return names.map { "obs://\($0)" + (slash ? "/" : "") }.filter { $0.hasPrefix(prefix) }
    }

    /// Buckets until the address has a '/', then the keys and prefixes one level below what was typed.
    func objects(_ prefix: String) async throws -> [String] {
        guard prefix.hasPrefix("obs://"), let slash = prefix.dropFirst(6).firstIndex(of: "/") else {
            return try await buckets(prefix, slash: true)
        }
        let bucket = try BucketName(String(prefix[prefix.index(prefix.startIndex, offsetBy: 6)..<slash]))
        let typed = String(prefix[prefix.index(after: slash)...])
        let dir = typed.lastIndex(of: "/").map { String(typed[...$0]) } ?? ""
        let names = try await cached(["objects", bucket.value, dir]) {
            let page = try await context.storage.listObjects(
                bucket: bucket, prefix: dir, delimiter: "/", marker: nil, maxKeys: Completion.limit)
            return page.commonPrefixes + page.objects.map(\.key.value)
        }
        return names.filter { $0.hasPrefix(typed) }.map { "obs://\(bucket)/\($0)" }
    }

    /// Key ids and aliases of the KMS `kms key` commands act on (Huawei KMS when selected, else the local KMS).
    func kmsKeys(_ prefix: String) throws -> [String] {
        let keys = try context.keyManagement.listKeys()
        return (keys.compactMap(\.alias) + keys.map(\.keyID)).filter { $0.hasPrefix(prefix) }
    }

    /// The listing from the cache when it is younger than the TTL, else from `fetch` (then stored). Cache files live
    /// in $XDG_CACHE_HOME/obsctl/completion (else ~/.cache/...), mode 0600, named by a hash of endpoint, profile,
    /// access key id and what was listed; they hold only the names.
    private func cached(_ what: [String], _ fetch: () async throws -> [String]) async throws -> [String] {
        guard let scope = cacheScope else { return try await fetch() }
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? (NSHomeDirectory() + "/.cache")
        let dir = base + "/obsctl/completion"
        let id = Digest.sha256(Array(([scope] + what).joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }
            .joined()
        let file = dir + "/" + id
        var st = stat()
        if stat(file, &st) == 0, st.st_uid == getuid(),
            Date().timeIntervalSince1970 - TimeInterval(st.st_mtim.tv_sec) < Completion.ttl,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        {
            return text.split(separator: "\n").map(String.init)
        }
        let names = try await fetch()
        Self.store(names.filter { !$0.contains("\n") }.joined(separator: "\n"), dir: dir, file: file)
        return names
    }

    private static func store(_ text: String, dir: String, file: String) {
        let parent = LocalPath.parent(dir)
        mkdir(LocalPath.parent(parent), 0o700)
        mkdir(parent, 0o700)
        mkdir(dir, 0o700)
        try? AtomicFile.write(Array(text.utf8), to: file, durable: false)  // a cache: a lost write is a miss
    }
}

/// ArgumentParser's bash script with a wrapper around its function. bash splits words at ':' (COMP_WORDBREAKS), so
/// `obs://b/k` reaches the generated function as `obs`, `:`, `//b/k` and counts as three positionals. The wrapper joins
/// the pieces back, removes the backslash escapes from the word being completed (a key with a space), and lets
/// obsctl move global options typed before the subcommand behind it (`CompletionLine`), as obsctl itself does.
/// Candidates with a ':' (obs:// addresses) are then cut to the text readline replaces (after the last ':' when ':'
/// is a word break) and quoted here: readline's own quoting (-o filenames) would turn `obs://` into `obs\://`.
/// No space follows a single candidate ending in '/' (a prefix to complete further).
enum BashCompletion {
    static func script(_ generated: String) -> String { generated + wrapper }

    static let wrapper = #"""

        # obsctl: the word being completed without its backslash escapes ('my\ file' -> 'my file'), so that candidates
        # with spaces keep matching once a space was typed; they are quoted again when inserted.
        _obsctl_unescape() {
            local s="${1}" c
            REPLY=""
            while [[ -n "${s}" ]]; do
                c="${s:0:1}"; s="${s:1}"
                if [[ "${c}" == "\\" && -n "${s}" ]]; then c="${s:0:1}"; s="${s:1}"; fi
                REPLY+="${c}"
            done
        }

        # obsctl: bash calls this on TAB with the command, the text readline replaces ($2), and the word before it.
        _obsctl_complete_line() {
            local -a words=()
            local line="${COMP_LINE:0:${COMP_POINT}}" spaces word
            local -i i cword=0
            # Join the words that bash split at ':' (obs://...).
            for ((i = 0; i < ${#COMP_WORDS[@]} && i <= COMP_CWORD; i++)); do
                word="${COMP_WORDS[i]}"
                spaces="${line%%[![:space:]]*}"
                line="${line:${#spaces}}"
                if ((i > 0)) && [[ -z "${spaces}" ]] && \#
        [[ "${word}" == :* || "${words[${#words[@]} - 1]}" == *: ]]; then
                    words[${#words[@]} - 1]+="${word}"
                else
                    words+=("${word}")
                fi
                line="${line:${#word}}"
            done
            cword=$((${#words[@]} - 1))
            local raw="${words[cword]}" REPLY
            _obsctl_unescape "${raw}"
            words[cword]="${REPLY}"
            # Global options before the subcommand: obsctl says where the generated function expects them.
            if ((cword > 1)) && [[ "${words[1]}" == -* ]]; then
                local -a moved=()
                mapfile -t moved < <("${words[0]}" ---completion-words "${cword}" "${words[@]}" 2>/dev/null)
                if ((${#moved[@]} > 1)); then
                    cword="${moved[0]}"
                    words=("${moved[@]:1}")
                fi
            fi
            local cur="${words[cword]}" prev=""
            ((cword > 0)) && prev="${words[cword - 1]}"
            local -a COMP_WORDS=("${words[@]}")
            local COMP_CWORD=${cword}
            local COMP_LINE="${words[*]}"
            local COMP_POINT=${#COMP_LINE}
            _obsctl "${1}" "${cur}" "${prev}"
            local c own=false
            for c in "${COMPREPLY[@]}"; do [[ "${c}" == *:* ]] && own=true && break; done
            if "${own}"; then
                compopt +o filenames 2>/dev/null
                # What the candidates share with the word before the text readline replaces.
                local done=""
                if [[ "${raw}" == *"${2}" ]]; then _obsctl_unescape "${raw%"${2}"}"; done="${REPLY}"; fi
                for i in "${!COMPREPLY[@]}"; do
                    c="${COMPREPLY[i]}"
                    [[ -n "${done}" && "${c}" == "${done}"* ]] && c="${c#"${done}"}"
                    printf -v "COMPREPLY[i]" '%q' "${c}"
                done
            fi
            if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == */ ]]; then
                compopt -o nospace 2>/dev/null
            fi
            return 0
        }

        complete -o filenames -F _obsctl_complete_line obsctl

        """#
}

/// ArgumentParser's zsh script with two changes. Its `__obsctl_complete` adds every candidate with a space after it,
/// so completing `obs://bucket/` needed a backspace before the key: here candidates ending in '/' (a bucket, a
/// prefix, a directory) get no suffix, as in bash and fish. And its `_obsctl` becomes `__obsctl_main`, called by an
/// `_obsctl` that first lets obsctl move global options typed before the subcommand behind it (`CompletionLine`).
enum ZshCompletion {
    static let generated = #"""
        __obsctl_complete() {
            local -ar non_empty_completions=("${@:#(|:*)}")
            local -ar empty_completions=("${(M)@:#(|:*)}")
            _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
        }
        """#

    static let replacement = #"""
        __obsctl_complete() {
            local -ar non_empty_completions=("${@:#(|:*)}")
            local -ar empty_completions=("${(M)@:#(|:*)}")
            # obsctl: no space after a candidate ending in '/', so the next TAB goes on into it.
            local -a into=("${(M)non_empty_completions[@]:#*/}") others=("${non_empty_completions[@]:#*/}")
            local -i ret=1
            _describe -V '' others -- empty_completions -P $'\'\'' && ret=0
            _describe -V '' into -S '' && ret=0
            return ret
        }
        """#

    static let generatedMain = "\n_obsctl() {\n"
    static let main = "\n__obsctl_main() {\n"
    static let generatedCall = "\nif [[ \"${funcstack[1]}\" = _obsctl ]]; then\n"

    static let wrapper = #"""

        # obsctl: global options before the subcommand are moved behind it (`obsctl ---completion-words`), where the
        # generated functions expect them, as obsctl itself does.
        _obsctl() {
            if (( CURRENT > 2 )) && [[ "${words[2]}" == -* ]]; then
                local -a moved
                # The '.' keeps an empty last word from being cut with the trailing newlines.
                local -a call=("${words[1]}" ---completion-words "$((CURRENT - 1))" "${words[@]}")
                moved=("${(@f)"$("${call[@]}" 2>/dev/null; print .)"}")
                if (( ${#moved} > 2 )); then
                    words=("${(@)moved[2,-2]}")
                    CURRENT=$(( moved[1] + 1 ))
                fi
            fi
            __obsctl_main "${@}"
        }

        """#

    /// The script for `--generate-completion-script zsh`. Should a newer ArgumentParser no longer emit the
    /// function this replaces, its script goes out unchanged with a warning (and `.ci/check-generated` fails, as
    /// it then differs from completions/_obsctl).
    static func script(_ generated: String) -> String {
        let parts = [
            (Self.generated, Self.replacement), (Self.generatedMain, Self.main),
            (Self.generatedCall, Self.wrapper + Self.generatedCall),
        ]
        guard parts.allSatisfy({ generated.components(separatedBy: $0.0).count == 2 }) else {
            Output.stderr(
                "obsctl: warning: ArgumentParser's zsh script changed; "
                    + "it is printed without obsctl's fixes (ZshCompletion)")
            return generated
        }
        return parts.reduce(generated) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}
