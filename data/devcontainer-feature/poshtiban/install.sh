#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The poshtiban dev container Feature (README, "Codespaces"): runs as root
# while the image is built. Installs what poshtiban needs from apt, builds a
# release from the `source` option, installs it, installs cron, and puts the
# two scripts the container runs at every start in PREFIX/libexec/poshtiban.
#
# Options arrive as environment variables, named as in
# devcontainer-feature.json in capitals: SOURCE, REF, PROJECT, CRONTAB, WATCH.
# Two more are for tests and for use outside a dev container: PREFIX
# (default /usr/local, where devcontainer-feature.json expects the scripts)
# and BUILD_DIR (a build folder kept between runs; default a temporary one).
# Running it again rebuilds and reinstalls; nothing is added twice.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
SOURCE=${SOURCE:-}
REF=${REF:-}
PROJECT=${PROJECT:-.}
CRONTAB=${CRONTAB:-true}
WATCH=${WATCH:-false}
PREFIX=${PREFIX:-/usr/local}
BUILD_DIR=${BUILD_DIR:-}

say() { echo "poshtiban feature: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

[ "$(id -u)" = 0 ] || die "install.sh must run as root (dev container tools run it so while building the image)"
command -v apt-get >/dev/null || die "this Feature needs a Debian or Ubuntu image (no apt-get here)"
case $CRONTAB in true | false) ;; *) die "option crontab is true or false, not '$CRONTAB'" ;; esac
case $WATCH in true | false) ;; *) die "option watch is true or false, not '$WATCH'" ;; esac
case $PREFIX in /*) ;; *) die "PREFIX must be an absolute path, not '$PREFIX'" ;; esac
case $PROJECT in *$'\n'*) die "option project holds a line break" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/poshtiban-feature.XXXXXX")
trap 'rm -rf "$work"' EXIT

# quietly: the output shows only when a step fails.
quietly() {
    if ! "$@" >"$work/log" 2>&1; then
        cat "$work/log" >&2
        die "failed: $*"
    fi
}

is_url() {
    case $1 in
        http://* | https://* | ssh://* | git://* | file://*) return 0 ;;
        [!/.]*@*:*) return 0 ;; # git@host:owner/repo.git
        *) return 1 ;;
    esac
}

is_poshtiban() { [ -f "$1/meson.build" ] && grep -q "^project('poshtiban'" "$1/meson.build"; }

# Where the source is, before anything is installed: a wrong option fails fast.
src=
if [ -z "$SOURCE" ]; then
    is_poshtiban "$here/source" ||
        die "no source: set the Feature's option \"source\" to a git URL of poshtiban, or to a poshtiban checkout inside the Feature's folder (for instance a git submodule at .devcontainer/poshtiban/source)"
    src=$here/source
elif is_url "$SOURCE"; then
    src=$work/source
else
    case $SOURCE in /*) src=$SOURCE ;; *) src=$here/$SOURCE ;; esac
    [ -d "$src" ] || die "source '$SOURCE' is neither a git URL nor a folder (looked at $src; at image build time only the Feature's own folder is there)"
    is_poshtiban "$src" || die "source '$SOURCE' is not a poshtiban checkout (no meson.build of project poshtiban in $src)"
    src=$(cd "$src" && pwd)
    [ -z "$REF" ] || say "option ref ($REF) applies to a git URL only; building $src as it is"
fi

packages=(
    gcc libc6-dev meson ninja-build pkg-config gettext
    libsqlite3-dev libjansson-dev libarchive-dev zlib1g-dev libzstd-dev libssl-dev libncurses-dev
    libfribidi-dev libicu-dev libcurl4-openssl-dev
    ca-certificates cron
)
is_url "$SOURCE" && packages+=(git)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quietly apt-get update -q
    quietly apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if is_url "$SOURCE"; then
    say "fetching $SOURCE${REF:+ ($REF)}"
    quietly git clone -q --depth 1 ${REF:+--branch "$REF"} -- "$SOURCE" "$src"
    is_poshtiban "$src" || die "$SOURCE is not a poshtiban repository (no meson.build of project poshtiban)"
fi

# Older releases (Ubuntu 22.04 and before) have an older meson than the
# project asks for: then a newer one from PyPI, in a virtual environment.
meson=meson
need=$(sed -n "s/.*meson_version: *'>= *\([0-9.]*\)'.*/\1/p" "$src/meson.build" | head -n 1)
if [ -n "$need" ] && ! dpkg --compare-versions "$(meson --version)" ge "$need"; then
    say "meson $(meson --version) is older than the $need poshtiban needs; installing meson $need or newer from PyPI"
    for p in python3-venv python3-pip; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            quietly apt-get install -y -q --no-install-recommends "$p"
    done
    quietly python3 -m venv "$work/meson"
    quietly "$work/meson/bin/pip" install -q "meson>=$need"
    meson=$work/meson/bin/meson
fi

build=${BUILD_DIR:-$work/build}
options=(--prefix="$PREFIX" -Dbuildtype=release -Dtests=false -Dwerror=false)
say "building poshtiban from $src"
if [ -f "$build/build.ninja" ]; then
    quietly "$meson" configure "$build" "${options[@]}"
else
    rm -rf "$build"
    quietly "$meson" setup "$build" "$src" "${options[@]}"
fi
quietly "$meson" compile -C "$build"
quietly "$meson" install -C "$build" --no-rebuild

# The scripts the container runs at every start, and the options they read.
libexec=$PREFIX/libexec/poshtiban
install -d -m 0755 "$libexec"
install -m 0755 "$here/devcontainer-start" "$libexec/devcontainer-start"
install -m 0755 "$here/devcontainer-entrypoint" "$libexec/devcontainer-entrypoint"
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
    echo "# The options of the poshtiban dev container Feature, written by its install.sh."
    echo "POSHTIBAN=$(sq "$PREFIX/bin/poshtiban")"
    echo "PROJECT=$(sq "$PROJECT")"
    echo "CRONTAB=$(sq "$CRONTAB")"
    echo "WATCH=$(sq "$WATCH")"
} >"$libexec/devcontainer.conf"
chmod 0644 "$libexec/devcontainer.conf"

version=$("$PREFIX/bin/poshtiban" --version) || die "the installed $PREFIX/bin/poshtiban does not run"
say "installed $version into $PREFIX; at every start: cron, and poshtiban auto for the workspace"
