#!/bin/bash

__obsctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__obsctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__obsctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__obsctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_obsctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    bucket|upload|download|cat|cp|mv|sync|ls|stat|rm|presign|multipart|kms|config|serve|help)
        # Offer subcommand argument completions
        "_obsctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'bucket upload download cat cp mv sync ls stat rm presign multipart kms config serve help' -- "${cur}"))
        ;;
    esac
}

_obsctl_bucket() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|delete|encryption)
        # Offer subcommand argument completions
        "_obsctl_bucket_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list delete encryption' -- "${cur}"))
        ;;
    esac
}

_obsctl_bucket_create() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--location --storage-class --sse --kms-key-id --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--location')
        return
        ;;
    '--storage-class')
        __obsctl_add_completions -W 'standard'$'\n''warm'$'\n''cold'$'\n''deep-archive'
        return
        ;;
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket create -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket create -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_bucket_list() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket list -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_bucket_delete() {
    repeating_flags=()
    non_repeating_flags=(--force -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket delete -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket delete -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_bucket_encryption() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    show|enable|disable|report|apply)
        # Offer subcommand argument completions
        "_obsctl_bucket_encryption_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'show enable disable report apply' -- "${cur}"))
        ;;
    esac
}

_obsctl_bucket_encryption_show() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption show -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption show -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_bucket_encryption_enable() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--sse --kms-key-id --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption enable -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption enable -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption enable -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_bucket_encryption_disable() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption disable -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption disable -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_bucket_encryption_report() {
    repeating_flags=()
    non_repeating_flags=(--list -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--require --kms-key-id --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--require')
        __obsctl_add_completions -W 'none'$'\n''obs'$'\n''kms'$'\n''c'$'\n''any'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption report -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption report -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption report -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_bucket_encryption_apply() {
    repeating_flags=()
    non_repeating_flags=(--dry-run -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude)
    non_repeating_options=(--sse --kms-key-id --sse-c-key-file --sse-c-key-env --sse-c-key-encoding --source-sse-c-key-file --source-sse-c-key-env --source-sse-c-key-encoding --multipart-threshold --part-size --parallel --checksum --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'$'\n''c'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption apply -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--source-sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--source-sse-c-key-env')
        return
        ;;
    '--source-sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--multipart-threshold')
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--checksum')
        __obsctl_add_completions -W 'md5'$'\n''crc32c'$'\n''none'
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption apply -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion bucket encryption apply -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_upload() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--metadata --include --exclude)
    non_repeating_options=(--sse --kms-key-id --expect-sse --sse-c-key-file --sse-c-key-env --sse-c-key-encoding --content-type --cache-control --content-disposition --content-encoding --content-language --expires --multipart-threshold --part-size --parallel --checksum --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'$'\n''c'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion upload -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--expect-sse')
        __obsctl_add_completions -W 'none'$'\n''obs'$'\n''kms'$'\n''c'$'\n''any'
        return
        ;;
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-disposition')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--content-language')
        return
        ;;
    '--expires')
        return
        ;;
    '--multipart-threshold')
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--checksum')
        __obsctl_add_completions -W 'md5'$'\n''crc32c'$'\n''none'
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion upload -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion upload -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_download() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude)
    non_repeating_options=(--sse-c-key-file --sse-c-key-env --sse-c-key-encoding --part-size --parallel --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion download -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion download -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __obsctl_add_completions -f
        return
        ;;
    esac
}

_obsctl_cat() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--sse-c-key-file --sse-c-key-env --sse-c-key-encoding --part-size --parallel --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cat -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cat -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_cp() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive --dry-run -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude --metadata)
    non_repeating_options=(--sse --kms-key-id --expect-sse --sse-c-key-file --sse-c-key-env --sse-c-key-encoding --source-sse-c-key-file --source-sse-c-key-env --source-sse-c-key-encoding --content-type --cache-control --content-disposition --content-encoding --content-language --expires --multipart-threshold --part-size --parallel --checksum --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'$'\n''c'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cp -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--expect-sse')
        __obsctl_add_completions -W 'none'$'\n''obs'$'\n''kms'$'\n''c'$'\n''any'
        return
        ;;
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--source-sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--source-sse-c-key-env')
        return
        ;;
    '--source-sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-disposition')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--content-language')
        return
        ;;
    '--expires')
        return
        ;;
    '--multipart-threshold')
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--checksum')
        __obsctl_add_completions -W 'md5'$'\n''crc32c'$'\n''none'
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cp -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cp -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion cp -- positional@1 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_mv() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive --dry-run -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude --metadata)
    non_repeating_options=(--sse --kms-key-id --expect-sse --sse-c-key-file --sse-c-key-env --sse-c-key-encoding --source-sse-c-key-file --source-sse-c-key-env --source-sse-c-key-encoding --content-type --cache-control --content-disposition --content-encoding --content-language --expires --multipart-threshold --part-size --parallel --checksum --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'$'\n''c'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion mv -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--expect-sse')
        __obsctl_add_completions -W 'none'$'\n''obs'$'\n''kms'$'\n''c'$'\n''any'
        return
        ;;
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--source-sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--source-sse-c-key-env')
        return
        ;;
    '--source-sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-disposition')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--content-language')
        return
        ;;
    '--expires')
        return
        ;;
    '--multipart-threshold')
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--checksum')
        __obsctl_add_completions -W 'md5'$'\n''crc32c'$'\n''none'
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion mv -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion mv -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion mv -- positional@1 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_sync() {
    repeating_flags=()
    non_repeating_flags=(--delete --dry-run --size-only -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude --metadata)
    non_repeating_options=(--sse --kms-key-id --expect-sse --sse-c-key-file --sse-c-key-env --sse-c-key-encoding --source-sse-c-key-file --source-sse-c-key-env --source-sse-c-key-encoding --content-type --cache-control --content-disposition --content-encoding --content-language --expires --multipart-threshold --part-size --parallel --checksum --jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--sse')
        __obsctl_add_completions -W 'kms'$'\n''obs'$'\n''c'
        return
        ;;
    '--kms-key-id')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion sync -- --kms-key-id "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--expect-sse')
        __obsctl_add_completions -W 'none'$'\n''obs'$'\n''kms'$'\n''c'$'\n''any'
        return
        ;;
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--source-sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--source-sse-c-key-env')
        return
        ;;
    '--source-sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--content-type')
        return
        ;;
    '--metadata')
        return
        ;;
    '--cache-control')
        return
        ;;
    '--content-disposition')
        return
        ;;
    '--content-encoding')
        return
        ;;
    '--content-language')
        return
        ;;
    '--expires')
        return
        ;;
    '--multipart-threshold')
        return
        ;;
    '--part-size')
        return
        ;;
    '--parallel')
        return
        ;;
    '--checksum')
        __obsctl_add_completions -W 'md5'$'\n''crc32c'$'\n''none'
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion sync -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion sync -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    2)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion sync -- positional@1 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_ls() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion ls -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion ls -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_stat() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--sse-c-key-file --sse-c-key-env --sse-c-key-encoding --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--sse-c-key-file')
        __obsctl_add_completions -f
        return
        ;;
    '--sse-c-key-env')
        return
        ;;
    '--sse-c-key-encoding')
        __obsctl_add_completions -W 'auto'$'\n''raw'$'\n''base64'$'\n''hex'
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion stat -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion stat -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_rm() {
    repeating_flags=()
    non_repeating_flags=(-r --recursive --dry-run -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=(--include --exclude)
    non_repeating_options=(--jobs --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--include')
        return
        ;;
    '--exclude')
        return
        ;;
    '--jobs')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion rm -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion rm -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_presign() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--expires --method --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--expires')
        return
        ;;
    '--method')
        __obsctl_add_completions -W 'get'$'\n''put'
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion presign -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion presign -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_multipart() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|abort)
        # Offer subcommand argument completions
        "_obsctl_multipart_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list abort' -- "${cur}"))
        ;;
    esac
}

_obsctl_multipart_list() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion multipart list -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion multipart list -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_multipart_abort() {
    repeating_flags=()
    non_repeating_flags=(--all -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--upload-id --older-than --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--upload-id')
        return
        ;;
    '--older-than')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion multipart abort -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion multipart abort -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    key|policy|audit)
        # Offer subcommand argument completions
        "_obsctl_kms_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'key policy audit' -- "${cur}"))
        ;;
    esac
}

_obsctl_kms_key() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|describe|enable|disable|schedule-deletion|cancel-deletion)
        # Offer subcommand argument completions
        "_obsctl_kms_key_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list describe enable disable schedule-deletion cancel-deletion' -- "${cur}"))
        ;;
    esac
}

_obsctl_kms_key_create() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--alias --description --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--alias')
        return
        ;;
    '--description')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key create -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_kms_key_list() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key list -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_kms_key_describe() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key describe -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key describe -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms_key_enable() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key enable -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key enable -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms_key_disable() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key disable -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key disable -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms_key_schedule-deletion() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--days --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--days')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key schedule-deletion -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key schedule-deletion -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms_key_cancel-deletion() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key cancel-deletion -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms key cancel-deletion -- positional@0 "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_obsctl_kms_policy() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    show)
        # Offer subcommand argument completions
        "_obsctl_kms_policy_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'show' -- "${cur}"))
        ;;
    esac
}

_obsctl_kms_policy_show() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms policy show -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_kms_audit() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    verify)
        # Offer subcommand argument completions
        "_obsctl_kms_audit_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'verify' -- "${cur}"))
        ;;
    esac
}

_obsctl_kms_audit_verify() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion kms audit verify -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_config() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    set|get|list|import)
        # Offer subcommand argument completions
        "_obsctl_config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'set get list import' -- "${cur}"))
        ;;
    esac
}

_obsctl_config_set() {
    repeating_flags=()
    non_repeating_flags=(--from-stdin -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--from-env --profile --output)
    __obsctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--from-env')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion config set -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    esac
}

_obsctl_config_get() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--profile --output)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion config get -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    esac
}

_obsctl_config_list() {
    repeating_flags=()
    non_repeating_flags=(-q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--profile --output)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion config list -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    esac
}

_obsctl_config_import() {
    repeating_flags=()
    non_repeating_flags=(--force -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--profile --from-profile --output)
    __obsctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion config import -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--from-profile')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __obsctl_add_completions -W 'obsutil'$'\n''aws'
        return
        ;;
    esac
}

_obsctl_serve() {
    repeating_flags=()
    non_repeating_flags=(--tls-self-signed --allow-plain-http -q --quiet --local --insecure --debug --version -h --help)
    repeating_options=()
    non_repeating_options=(--listen --kms-listen --tls-cert --tls-key --credentials-file --access-log --body-timeout --header-timeout --output --progress --endpoint --region --kms-endpoint --project-id --iam-endpoint --profile --signature --addressing --ca-bundle --retries --timeout)
    __obsctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--listen')
        return
        ;;
    '--kms-listen')
        return
        ;;
    '--tls-cert')
        __obsctl_add_completions -f
        return
        ;;
    '--tls-key')
        __obsctl_add_completions -f
        return
        ;;
    '--credentials-file')
        __obsctl_add_completions -f
        return
        ;;
    '--access-log')
        __obsctl_add_completions -f
        return
        ;;
    '--body-timeout')
        return
        ;;
    '--header-timeout')
        return
        ;;
    '--output')
        __obsctl_add_completions -W 'text'$'\n''json'$'\n''ndjson'
        return
        ;;
    '--progress')
        __obsctl_add_completions -W 'auto'$'\n''bar'$'\n''plain'$'\n''none'
        return
        ;;
    '--endpoint')
        return
        ;;
    '--region')
        return
        ;;
    '--kms-endpoint')
        return
        ;;
    '--project-id')
        return
        ;;
    '--iam-endpoint')
        return
        ;;
    '--profile')
        __obsctl_add_completions -W "$(__obsctl_custom_complete ---completion serve -- --profile "${COMP_CWORD}" "$(__obsctl_cursor_index_in_current_word)")"
        return
        ;;
    '--signature')
        __obsctl_add_completions -W 'obs'$'\n''v2'$'\n''v4'
        return
        ;;
    '--addressing')
        __obsctl_add_completions -W 'virtual'$'\n''path'
        return
        ;;
    '--ca-bundle')
        __obsctl_add_completions -f
        return
        ;;
    '--retries')
        return
        ;;
    '--timeout')
        return
        ;;
    esac
}

_obsctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __obsctl_offer_flags_options -1
}

complete -o filenames -F _obsctl obsctl
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
        if ((i > 0)) && [[ -z "${spaces}" ]] && [[ "${word}" == :* || "${words[${#words[@]} - 1]}" == *: ]]; then
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
