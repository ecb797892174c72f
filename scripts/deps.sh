#!/bin/sh
# Installs the Debian packages a target needs, and nothing else.
# Usage: scripts/deps.sh build|test|screenshots|fuzz|bench
# As root it runs apt-get; otherwise it prints the exact command and fails,
# so that `make` stops with a message instead of a compiler error.
set -eu

need=""
want() { # want PACKAGE CHECK-COMMAND...
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then need="$need $pkg"; fi
}
has_pc() { pkg-config --exists "$1" 2>/dev/null; }
has_cmd() { command -v "$1" >/dev/null 2>&1; }
has_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

build() {
	want gcc has_cmd gcc
	want make has_cmd make
	want pkgconf has_cmd pkg-config
	if has_cmd pkg-config; then want libncurses-dev has_pc ncursesw; else need="$need libncurses-dev"; fi
}

case "${1:-build}" in
build) build ;;
test)
	build
	if has_cmd pkg-config; then
		want libcriterion-dev has_pc criterion
		want libjansson-dev has_pc jansson
	else
		need="$need libcriterion-dev libjansson-dev"
	fi
	want tmux has_cmd tmux
	want procps has_cmd ps
	;;
screenshots)
	build
	want tmux has_cmd tmux
	# The package, not just a `convert` on PATH (a stand-in may shadow it).
	want imagemagick has_deb imagemagick
	want python3 has_cmd python3
	want fonts-dejavu-core test -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
	;;
fuzz)
	build
	want clang has_cmd clang
	want libclang-rt-14-dev has_deb libclang-rt-14-dev
	;;
bench)
	build
	want strace has_cmd strace
	want tmux has_cmd tmux
	;;
*) echo "usage: $0 build|test|screenshots|fuzz|bench" >&2; exit 2 ;;
esac

[ -z "$need" ] && exit 0
need=$(echo $need | tr ' ' '\n' | sort -u | tr '\n' ' ')
cmd="apt-get install -y --no-install-recommends $need"
if [ "$(id -u)" -ne 0 ]; then
	echo "epollviz: missing Debian packages:$need" >&2
	echo "epollviz: install them with:  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "epollviz: installing missing Debian packages:$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends $need >&2 || {
	apt-get update >&2 && apt-get install -y --no-install-recommends $need >&2
}
