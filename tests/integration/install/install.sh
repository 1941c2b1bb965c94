#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# README "Install": scripts/install builds a release into a prefix of its
# own and installs the binary, the man page, the Persian catalog and the
# bash and zsh completions where those shells look, with no test hooks
# compiled in; the
# installed binary speaks Persian with no variable pointing at its
# translations, also once its prefix has moved; --uninstall removes what
# was installed. Build folder and prefix are in the scratch folder: nothing
# lands in the source tree or in /usr/local.
. "$(dirname "$0")/../lib/lib.sh"
unset POSHTIBAN_LOCALEDIR LANGUAGE LC_ALL LC_MESSAGES LANG

prefix=$scratch/prefix
build=$scratch/build-release
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" "$SOURCE_ROOT/meson.build" | head -n 1)
tree_before=$(git -C "$SOURCE_ROOT" status --porcelain --untracked-files=all 2>/dev/null)
usr_local_before=$(ls -d /usr/local/bin/poshtiban /usr/local/share/man/man1/poshtiban.1 \
    /usr/local/share/locale/fa/LC_MESSAGES/poshtiban.mo 2>/dev/null)
release_before=$(ls -d "$SOURCE_ROOT/build-release" 2>/dev/null)

install_pt() { # install_pt ARGS...: scripts/install; sets out, err, status
    out=$("$SOURCE_ROOT/scripts/install" "$@" --build-dir "$build" </dev/null 2>"$scratch/stderr") &&
        status=0 || status=$?
    err=$(cat "$scratch/stderr")
}

install_pt --prefix "$prefix"
expect_eq "install exits 0 ($err)" 0 "$status"
case $out in *"installed poshtiban $version into $prefix"*) ;; *) fail "install says what and where: [$out]" ;; esac
case $out in *"$prefix/bin is not on your PATH"*"export PATH="*) ;; *) fail "a PATH hint for a prefix off PATH: [$out]" ;; esac
expect_eq "the PATH hint is one line" 1 "$(printf '%s\n' "$out" | grep -c PATH)"
expect_eq "a release build" release "$(meson introspect "$build" --buildoptions |
    "$PY" -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"))')"

pt=$prefix/bin/poshtiban
expect_eq "installed --version" "poshtiban $version" "$("$pt" --version 2>&1)"
man=$prefix/share/man/man1/poshtiban.1
mo=$prefix/share/locale/fa/LC_MESSAGES/poshtiban.mo
check "the man page is installed" cmp -s "$SOURCE_ROOT/data/poshtiban.1" "$man"
check "the Persian catalog is installed" test -s "$mo"
# Completion where the shells look (README, "Help and completion"): bash-completion's
# loader finds it through XDG_DATA_DIRS, zsh's fpath has vendor-completions.
bash_comp=$prefix/share/bash-completion/completions/poshtiban
zsh_comp=$prefix/share/zsh/vendor-completions/_poshtiban
check "the bash completion is installed" cmp -s "$SOURCE_ROOT/data/completion/poshtiban.bash" "$bash_comp"
check "the zsh completion is installed" cmp -s "$SOURCE_ROOT/data/completion/_poshtiban" "$zsh_comp"
if [ -f /usr/share/bash-completion/bash_completion ]; then
    expect_eq "bash-completion loads it from the prefix" "complete -F _poshtiban poshtiban" \
        "$(XDG_DATA_DIRS=$prefix/share bash --norc --noprofile -c \
            '. /usr/share/bash-completion/bash_completion; __load_completion poshtiban; complete -p poshtiban' 2>&1)"
else
    fail "bash-completion is not installed (scripts/setup installs it)"
fi
# The loaded function, asked by the installed binary on PATH.
expect_eq "the installed bash completion completes" "restore" "$(PATH=$prefix/bin:$PATH bash --norc --noprofile -c \
    '. "$1"; COMP_WORDS=(poshtiban resto); COMP_CWORD=1; _poshtiban poshtiban resto poshtiban; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$bash_comp" 2>&1)"
if command -v zsh >/dev/null; then
    zsh -fc 'print -l $fpath' | grep -qx /usr/share/zsh/vendor-completions ||
        fail "zsh looks in share/zsh/vendor-completions"
    expect_eq "zsh's compinit takes it from the prefix" _poshtiban "$(zsh -fc \
        'fpath=("$1" $fpath); autoload -U compinit && compinit -u -D; print -r -- $_comps[poshtiban]' \
        _ "$prefix/share/zsh/vendor-completions" 2>&1)"
else
    fail "zsh is not installed (scripts/setup installs it)"
fi
# A release has no test hooks: not one of their names is in the binary.
expect_eq "no test hook in the installed binary" "" \
    "$(strings "$pt" | grep -E 'POSHTIBAN_TEST_|POSHTIBAN_TUI_TIMING')"
check "(the test build has them, so the check can see them)" \
    sh -c "strings '$POSHTIBAN' | grep -q POSHTIBAN_TEST_NOW"

# Installing again, with the prefix on PATH: no hint this time.
out=$(PATH=$prefix/bin:$PATH "$SOURCE_ROOT/scripts/install" --prefix "$prefix" --build-dir "$build" 2>&1) &&
    status=0 || status=$?
expect_eq "installing again exits 0 ($out)" 0 "$status"
case $out in *"not on your PATH"*) fail "no PATH hint when the prefix is on PATH: [$out]" ;; esac

proj=$scratch/proj
make_project "$proj"
cd "$proj" || exit 1
"$pt" create >/dev/null 2>&1 </dev/null || fail "the installed binary takes a backup"
fa_stats() { # fa_stats BINARY: `--lang fa stats`; sets out, err, status
    out=$("$1" --lang fa stats </dev/null 2>"$scratch/stderr") && status=0 || status=$?
    err=$(cat "$scratch/stderr")
}
fa_stats "$pt"
expect_eq "stats --lang fa exits 0 ($err)" 0 "$status"
case $out in *"پشتیبان‌ها"*"کامل‌شده"*) ;; *) fail "the installed binary speaks Persian: [$out]" ;; esac
expect_eq "nothing on stderr in Persian" "" "$err"
out=$("$pt" --lang en stats </dev/null 2>&1)
case $out in *"Backups: 1 (1 completed"*) ;; *) fail "and English in English: [$out]" ;; esac

# A copy of the prefix somewhere else, for after the uninstall.
cp -a "$prefix" "$scratch/moved"

install_pt --uninstall --prefix "$prefix"
expect_eq "uninstall exits 0 ($err)" 0 "$status"
case $out in *"removed poshtiban from $prefix"*) ;; *) fail "uninstall says what it removed: [$out]" ;; esac
check "the binary is gone" test ! -e "$pt"
check "the man page is gone" test ! -e "$man"
check "the catalog is gone" test ! -e "$mo"
check "the completions are gone" test ! -e "$bash_comp" -a ! -e "$zsh_comp"
expect_eq "nothing else was left in the prefix" "" "$(find "$prefix" -mindepth 1 -not -type d)"
install_pt --uninstall --prefix "$prefix"
expect_eq "uninstalling again exits 0 ($err)" 0 "$status"
case $out in *"not installed in $prefix"*) ;; *) fail "uninstalling again says there was nothing: [$out]" ;; esac

# The moved prefix: the binary finds the catalog beside its bin/, the
# configured prefix no longer exists.
fa_stats "$scratch/moved/bin/poshtiban"
expect_eq "moved: stats --lang fa exits 0 ($err)" 0 "$status"
case $out in *"پشتیبان‌ها"*"کامل‌شده"*) ;; *) fail "a moved prefix still speaks Persian, with the catalog beside its bin/: [$out] [$err]" ;; esac

cd / || exit 1
expect_eq "the source tree is as it was" "$tree_before" \
    "$(git -C "$SOURCE_ROOT" status --porcelain --untracked-files=all 2>/dev/null)"
expect_eq "no build-release in the source tree" "$release_before" "$(ls -d "$SOURCE_ROOT/build-release" 2>/dev/null)"
expect_eq "nothing in /usr/local" "$usr_local_before" "$(ls -d /usr/local/bin/poshtiban \
    /usr/local/share/man/man1/poshtiban.1 /usr/local/share/locale/fa/LC_MESSAGES/poshtiban.mo 2>/dev/null)"
finish
