function __obsctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __obsctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __obsctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __obsctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __obsctl_parse_tokens -S
    set -l unparsed_tokens (__obsctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'obsctl'
        __obsctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'bucket'
            __obsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __obsctl_parse_subcommand 1 'location=' 'storage-class=' 'sse=' 'kms-key-id=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
            case 'list'
                __obsctl_parse_subcommand 0 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
            case 'delete'
                __obsctl_parse_subcommand 1 'force' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
            case 'encryption'
                __obsctl_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'show'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'enable'
                    __obsctl_parse_subcommand 1 'sse=' 'kms-key-id=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'disable'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                end
            end
        case 'upload'
            __obsctl_parse_subcommand -r 1 'r/recursive' 'sse=' 'kms-key-id=' 'expect-sse=' 'sse-c-key-file=' 'sse-c-key-env=' 'sse-c-key-encoding=' 'content-type=' 'metadata=+' 'multipart-threshold=' 'part-size=' 'parallel=' 'checksum=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'download'
            __obsctl_parse_subcommand 2 'r/recursive' 'sse-c-key-file=' 'sse-c-key-env=' 'sse-c-key-encoding=' 'part-size=' 'parallel=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'cp'
            __obsctl_parse_subcommand 2 'r/recursive' 'sse=' 'kms-key-id=' 'expect-sse=' 'sse-c-key-file=' 'sse-c-key-env=' 'sse-c-key-encoding=' 'source-sse-c-key-file=' 'source-sse-c-key-env=' 'source-sse-c-key-encoding=' 'content-type=' 'metadata=+' 'multipart-threshold=' 'part-size=' 'parallel=' 'checksum=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'ls'
            __obsctl_parse_subcommand 1 'r/recursive' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'stat'
            __obsctl_parse_subcommand 1 'sse-c-key-file=' 'sse-c-key-env=' 'sse-c-key-encoding=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'rm'
            __obsctl_parse_subcommand 1 'r/recursive' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
        case 'kms'
            __obsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'key'
                __obsctl_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'create'
                    __obsctl_parse_subcommand 0 'alias=' 'description=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'list'
                    __obsctl_parse_subcommand 0 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'describe'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'enable'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'disable'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'schedule-deletion'
                    __obsctl_parse_subcommand 1 'days=' 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                case 'cancel-deletion'
                    __obsctl_parse_subcommand 1 'output=' 'q/quiet' 'progress=' 'endpoint=' 'region=' 'profile=' 'signature=' 'addressing=' 'ca-bundle=' 'insecure' 'retries=' 'timeout=' 'debug' 'version' 'h/help'
                end
            end
        case 'config'
            __obsctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'set'
                __obsctl_parse_subcommand 2 'from-env=' 'from-stdin' 'profile=' 'output=' 'version' 'h/help'
            case 'get'
                __obsctl_parse_subcommand 1 'profile=' 'output=' 'version' 'h/help'
            case 'list'
                __obsctl_parse_subcommand 0 'profile=' 'output=' 'version' 'h/help'
            end
        case 'help'
            __obsctl_parse_subcommand -r 1 'version'
        end
    end
end

function __obsctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __obsctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __obsctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __obsctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__obsctl_tokens -p)
    if test -z "$(__obsctl_tokens -t)"
        set -l index (count (__obsctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'obsctl' -f
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'bucket' -d 'Create, list and delete buckets; show and toggle their default encryption.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'upload' -d 'Upload files (or stdin) to OBS, optionally with server-side encryption.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'download' -d 'Download objects to files (or stdout), decrypting and verifying them.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'cp' -d 'Copy between local paths and OBS, or between objects (which can change their encryption).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'ls' -d 'List buckets, or the objects and prefixes in a bucket.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'stat' -d 'Show an object\'s size, type, ETag, metadata and encryption (mode, KMS key, SSE-C key MD5, origin).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'rm' -d 'Delete an object, or every object under a prefix with --recursive.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'kms' -d 'Manage the local KMS: master keys, their states, and deletion windows.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'config' -d 'Manage profiles in ~/.config/obsctl/config (endpoint, region, signature, credentials).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket" -eq 1' -fa 'create' -d 'Create a bucket, optionally with default encryption set in the same step.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket" -eq 1' -fa 'list' -d 'List buckets with their location, storage class and default encryption.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket" -eq 1' -fa 'delete' -d 'Delete a bucket. With --force, delete every object in it first.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket" -eq 1' -fa 'encryption' -d 'Show, enable or disable a bucket\'s default encryption.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" location' -l 'location' -d 'Region of the bucket.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" storage-class' -l 'storage-class' -d 'Default storage class: standard, warm or cold.' -rfka 'standard warm cold'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" sse' -l 'sse' -d 'Default encryption for new objects: kms (SSE-KMS) or obs (SSE-OBS).' -rfka 'kms obs c'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" kms-key-id' -l 'kms-key-id' -d 'KMS key for the default (id, URN or alias); omitted means obs/default.' -rfka '(__obsctl_custom_completion ---completion bucket create -- --kms-key-id (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket create -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket list -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket delete" -eq 1' -fka '(__obsctl_custom_completion ---completion bucket delete -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" force' -l 'force' -d 'Delete every object in the bucket first.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket delete -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption" -eq 1' -fa 'show' -d 'Show a bucket\'s default encryption (none when it has none).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption" -eq 1' -fa 'enable' -d 'Turn on default encryption: SSE-KMS (optionally with a key) or SSE-OBS.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption" -eq 1' -fa 'disable' -d 'Turn off default encryption. Objects already stored stay as they are.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption show" -eq 1' -fka '(__obsctl_custom_completion ---completion bucket encryption show -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket encryption show -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption enable" -eq 1' -fka '(__obsctl_custom_completion ---completion bucket encryption enable -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" sse' -l 'sse' -d 'kms (SSE-KMS) or obs (SSE-OBS).' -rfka 'kms obs c'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" kms-key-id' -l 'kms-key-id' -d 'KMS key (id, URN or alias); omitted means obs/default.' -rfka '(__obsctl_custom_completion ---completion bucket encryption enable -- --kms-key-id (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket encryption enable -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption enable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl bucket encryption disable" -eq 1' -fka '(__obsctl_custom_completion ---completion bucket encryption disable -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion bucket encryption disable -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl bucket encryption disable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl upload" -ge 1' -fka '(__obsctl_custom_completion ---completion upload -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" r recursive' -s 'r' -l 'recursive' -d 'Upload directories with everything below them.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" sse' -l 'sse' -d 'Encryption for the new object(s): kms (SSE-KMS), obs (SSE-OBS) or c (SSE-C). Omitted: the bucket default applies.' -rfka 'kms obs c'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" kms-key-id' -l 'kms-key-id' -d 'KMS key for --sse kms (id, URN or alias); omitted means obs/default.' -rfka '(__obsctl_custom_completion ---completion upload -- --kms-key-id (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" expect-sse' -l 'expect-sse' -d 'Fail (exit 6) unless the stored object is encrypted this way: none, obs, kms, c or any (any encryption).' -rfka 'none obs kms c any'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" sse-c-key-file' -l 'sse-c-key-file' -d 'File holding the SSE-C key: 32 raw bytes, 64 hex characters or base64.' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" sse-c-key-env' -l 'sse-c-key-env' -d 'Environment variable holding the SSE-C key (hex or base64).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" sse-c-key-encoding' -l 'sse-c-key-encoding' -d 'How the SSE-C key is encoded: auto, raw, base64 or hex.' -rfka 'auto raw base64 hex'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" content-type' -l 'content-type' -d 'Content type of the new object(s); guessed from the file extension when omitted.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload"' -l 'metadata' -d 'User metadata KEY=VALUE (repeatable).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" multipart-threshold' -l 'multipart-threshold' -d 'Upload objects larger than this in parts (default 50M). Sizes take K, M, G suffixes (powers of 1024).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" part-size' -l 'part-size' -d 'Part size for multipart uploads (default: by object size, 9M to 50M).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" parallel' -l 'parallel' -d 'Parts uploaded at once.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" checksum' -l 'checksum' -d 'Checksum the server verifies each upload (or part) with: md5 (Content-MD5), crc32c (x-amz-checksum-crc32c, much cheaper) or none. Default: md5 for Huawei OBS (*.myhuaweicloud.com or --signature obs), crc32c elsewhere.' -rfka 'md5 crc32c none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion upload -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl upload" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl download" -eq 1' -fka '(__obsctl_custom_completion ---completion download -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl download" -eq 2' -F
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" r recursive' -s 'r' -l 'recursive' -d 'Download every object under the prefix.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" sse-c-key-file' -l 'sse-c-key-file' -d 'File holding the SSE-C key: 32 raw bytes, 64 hex characters or base64.' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" sse-c-key-env' -l 'sse-c-key-env' -d 'Environment variable holding the SSE-C key (hex or base64).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" sse-c-key-encoding' -l 'sse-c-key-encoding' -d 'How the SSE-C key is encoded: auto, raw, base64 or hex.' -rfka 'auto raw base64 hex'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" part-size' -l 'part-size' -d 'Range size for parallel remote downloads (default 16M). Sizes take K, M, G suffixes.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" parallel' -l 'parallel' -d 'Ranges downloaded at once (remote endpoints).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion download -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl cp" -eq 1' -fka '(__obsctl_custom_completion ---completion cp -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl cp" -eq 2' -fka '(__obsctl_custom_completion ---completion cp -- positional@1 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" r recursive' -s 'r' -l 'recursive' -d 'Copy directories or prefixes with everything below them.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" sse' -l 'sse' -d 'Encryption for the new object(s): kms (SSE-KMS), obs (SSE-OBS) or c (SSE-C). Omitted: the bucket default applies.' -rfka 'kms obs c'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" kms-key-id' -l 'kms-key-id' -d 'KMS key for --sse kms (id, URN or alias); omitted means obs/default.' -rfka '(__obsctl_custom_completion ---completion cp -- --kms-key-id (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" expect-sse' -l 'expect-sse' -d 'Fail (exit 6) unless the stored object is encrypted this way: none, obs, kms, c or any (any encryption).' -rfka 'none obs kms c any'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" sse-c-key-file' -l 'sse-c-key-file' -d 'File holding the SSE-C key: 32 raw bytes, 64 hex characters or base64.' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" sse-c-key-env' -l 'sse-c-key-env' -d 'Environment variable holding the SSE-C key (hex or base64).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" sse-c-key-encoding' -l 'sse-c-key-encoding' -d 'How the SSE-C key is encoded: auto, raw, base64 or hex.' -rfka 'auto raw base64 hex'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" source-sse-c-key-file' -l 'source-sse-c-key-file' -d 'File holding the source object\'s SSE-C key.' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" source-sse-c-key-env' -l 'source-sse-c-key-env' -d 'Environment variable holding the source object\'s SSE-C key.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" source-sse-c-key-encoding' -l 'source-sse-c-key-encoding' -d 'How the source SSE-C key is encoded: auto, raw, base64 or hex.' -rfka 'auto raw base64 hex'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" content-type' -l 'content-type' -d 'Content type of the new object(s); guessed from the file extension when omitted.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp"' -l 'metadata' -d 'User metadata KEY=VALUE (repeatable).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" multipart-threshold' -l 'multipart-threshold' -d 'Upload objects larger than this in parts (default 50M). Sizes take K, M, G suffixes (powers of 1024).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" part-size' -l 'part-size' -d 'Part size for multipart uploads (default: by object size, 9M to 50M).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" parallel' -l 'parallel' -d 'Parts uploaded at once.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" checksum' -l 'checksum' -d 'Checksum the server verifies each upload (or part) with: md5 (Content-MD5), crc32c (x-amz-checksum-crc32c, much cheaper) or none. Default: md5 for Huawei OBS (*.myhuaweicloud.com or --signature obs), crc32c elsewhere.' -rfka 'md5 crc32c none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion cp -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl cp" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl ls" -eq 1' -fka '(__obsctl_custom_completion ---completion ls -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" r recursive' -s 'r' -l 'recursive' -d 'List every object under the prefix instead of rolling up at \'/\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion ls -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl stat" -eq 1' -fka '(__obsctl_custom_completion ---completion stat -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" sse-c-key-file' -l 'sse-c-key-file' -d 'File holding the SSE-C key: 32 raw bytes, 64 hex characters or base64.' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" sse-c-key-env' -l 'sse-c-key-env' -d 'Environment variable holding the SSE-C key (hex or base64).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" sse-c-key-encoding' -l 'sse-c-key-encoding' -d 'How the SSE-C key is encoded: auto, raw, base64 or hex.' -rfka 'auto raw base64 hex'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion stat -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl stat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl rm" -eq 1' -fka '(__obsctl_custom_completion ---completion rm -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" r recursive' -s 'r' -l 'recursive' -d 'Delete every object under the prefix.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion rm -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl rm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms" -eq 1' -fa 'key' -d 'Create, list, describe, enable, disable and schedule deletion of KMS master keys.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'create' -d 'Create a master key (AES-256).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'list' -d 'List master keys with their states.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'describe' -d 'Show one master key.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'enable' -d 'Enable a disabled master key.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'disable' -d 'Disable a master key: uploads and downloads under it fail until it is enabled again.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'schedule-deletion' -d 'Schedule a master key for deletion in 7 to 1096 days. After that date its material is destroyed and its objects are unrecoverable.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key" -eq 1' -fa 'cancel-deletion' -d 'Cancel a scheduled deletion. The key comes back disabled; enable it to use it.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" alias' -l 'alias' -d 'Alias: 1-255 of a-z A-Z 0-9 : / _ -, not ending in /default.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" description' -l 'description' -d 'Free text, up to 255 bytes.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key create -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key list -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key describe" -eq 1' -fka '(__obsctl_custom_completion ---completion kms key describe -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key describe -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key describe" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key enable" -eq 1' -fka '(__obsctl_custom_completion ---completion kms key enable -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key enable -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key enable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key disable" -eq 1' -fka '(__obsctl_custom_completion ---completion kms key disable -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key disable -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key disable" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key schedule-deletion" -eq 1' -fka '(__obsctl_custom_completion ---completion kms key schedule-deletion -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" days' -l 'days' -d 'Days until deletion, 7 to 1096.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key schedule-deletion -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key schedule-deletion" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl kms key cancel-deletion" -eq 1' -fka '(__obsctl_custom_completion ---completion kms key cancel-deletion -- positional@0 (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" output' -l 'output' -d 'Output format on stdout: text, json (stable field names, sizes in bytes, RFC 3339 UTC times) or ndjson (one JSON record per line and object).' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" q quiet' -s 'q' -l 'quiet' -d 'Print only errors and the data asked for: no progress, notes, or report lines such as \'upload: a -> obs://b/a\'.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" progress' -l 'progress' -d 'Transfer progress on stderr: auto (bar on a terminal, else plain), bar, plain (a line per finished file, a summary every 10 s) or none (env OBSCTL_PROGRESS).' -rfka 'auto bar plain none'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" endpoint' -l 'endpoint' -d 'OBS or S3-compatible endpoint URL (env OBSCTL_ENDPOINT). None configured: the embedded local backend.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" region' -l 'region' -d 'Region; alone it means https://obs.REGION.myhuaweicloud.com (env OBSCTL_REGION sets only the region).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" profile' -l 'profile' -d 'Profile in ~/.config/obsctl/config (env OBSCTL_PROFILE).' -rfka '(__obsctl_custom_completion ---completion kms key cancel-deletion -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" signature' -l 'signature' -d 'Signature: obs, v2 or v4. Default: obs for *.myhuaweicloud.com, v4 elsewhere.' -rfka 'obs v2 v4'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" addressing' -l 'addressing' -d 'Bucket addressing: virtual or path. Default: path for IP and localhost endpoints, virtual otherwise.' -rfka 'virtual path'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" ca-bundle' -l 'ca-bundle' -d 'PEM file of CA certificates to trust for the endpoint (env OBSCTL_CA_BUNDLE).' -rF
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" insecure' -l 'insecure' -d 'Do not verify the endpoint\'s TLS certificate (prints a warning on every run).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" retries' -l 'retries' -d 'Retries for 5xx, 429, timeouts and connection resets.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" timeout' -l 'timeout' -d 'Abort a transfer that moves no byte for this many seconds (it is retried).' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" debug' -l 'debug' -d 'Print each HTTP request and response line and header on stderr, with credentials, signatures, tokens and SSE-C keys redacted.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl kms key cancel-deletion" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl config" -eq 1' -fa 'set' -d 'Set one key of a profile.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl config" -eq 1' -fa 'get' -d 'Print one key of a profile (secrets show as hidden).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_positional "obsctl config" -eq 1' -fa 'list' -d 'List profiles and their keys (secrets show as hidden).'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" from-env' -l 'from-env' -d 'Read the value from this environment variable.' -rfka ''
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" from-stdin' -l 'from-stdin' -d 'Read the value from the first line of stdin.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" profile' -l 'profile' -d 'The profile to change (default: OBSCTL_PROFILE, else default).' -rfka '(__obsctl_custom_completion ---completion config set -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" output' -l 'output' -d 'Output format on stdout: text (nothing), json or ndjson.' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config set" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config get" profile' -l 'profile' -d 'The profile (default: OBSCTL_PROFILE, else default).' -rfka '(__obsctl_custom_completion ---completion config get -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config get" output' -l 'output' -d 'Output format on stdout: text, json or ndjson.' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config get" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config get" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config list" profile' -l 'profile' -d 'Only this profile.' -rfka '(__obsctl_custom_completion ---completion config list -- --profile (count (__obsctl_tokens -pc)) (__obsctl_tokens -tC))'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config list" output' -l 'output' -d 'Output format on stdout: text, json or ndjson.' -rfka 'text json ndjson'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config list" version' -l 'version' -d 'Show the version.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl config list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'obsctl' -n '__obsctl_should_offer_completions_for_flags_or_options "obsctl help" version' -l 'version' -d 'Show the version.'
