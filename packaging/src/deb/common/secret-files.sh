# Sourced by the start scripts of hc-gateway and hc-keycloak.

# fail WHO MESSAGE: one line on standard error, then exit 78 (EX_CONFIG: the unit does not restart).
fail() {
    echo "$1: $2" >&2
    exit 78
}

# load_secret_files WHO: HC_SECRET_FILES lists NAME=/path pairs (space-separated); each file must exist,
# be readable by this user, not by others, and not be empty; its content (without the final newline)
# becomes the environment variable NAME. Secrets so never sit in the unit, the environment file or ps.
load_secret_files() {
    for pair in ${HC_SECRET_FILES:-}; do
        name=${pair%%=*}
        file=${pair#*=}
        case $name in
            ''|*[!A-Z0-9_]*) fail "$1" "HC_SECRET_FILES: '$pair' is not NAME=/path/to/file" ;;
        esac
        [ -e "$file" ] || fail "$1" "secret file $file ($name) is missing"
        [ -r "$file" ] || fail "$1" "secret file $file ($name) is not readable by user $(id -un)"
        mode=$(stat -L -c %a "$file")
        case $mode in
            *[!0]) fail "$1" "secret file $file ($name) is readable by others (mode $mode): chmod 0640 $file" ;;
        esac
        [ -s "$file" ] || fail "$1" "secret file $file ($name) is empty"
        value=$(cat "$file")
        export "$name=$value"
    done
    unset HC_SECRET_FILES
}
