#!/bin/sh
# Installs the Debian packages a target needs, and nothing else.
# Usage: scripts/deps.sh build|test|lint|screenshots|fuzz|bench
# As root it runs apt-get; otherwise it prints the exact command and fails,
# so that `make` stops with a message instead of a compiler error.
set -eu

need=""
optional=""
want() { # want PACKAGE CHECK-COMMAND...
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then need="$need $pkg"; fi
}
# want_optional PACKAGE CHECK...: installed when we can; its tests skip, saying so, when not.
want_optional() {
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then optional="$optional $pkg"; fi
}
has_pc() { pkg-config --exists "$1" 2>/dev/null; }
has_cmd() { command -v "$1" >/dev/null 2>&1; }
has_nginx() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }
has_redis() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }
has_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

build() {
	want gcc has_cmd gcc
	want make has_cmd make
	want gettext has_cmd msgfmt   # the message catalogues (po/*.po)
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
	# The Russian screen tests build ru_RU.UTF-8 from its source with localedef (no root needed).
	want locales test -f /usr/share/i18n/locales/ru_RU
	# Real third-party epoll servers for `attach` and `run` (never started as a service).
	want_optional nginx has_nginx
	want_optional redis-server has_redis
	;;
screenshots)
	build
	want tmux has_cmd tmux
	# The package, not just a `convert` on PATH (a stand-in may shadow it).
	want imagemagick has_deb imagemagick
	want python3 has_cmd python3
	want fonts-dejavu-core test -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
	;;
lint)
	want cppcheck has_cmd cppcheck
	want clang-tidy has_cmd clang-tidy
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
	# The nginx rows (never started as a service); skipped, saying so, without it.
	want_optional nginx has_nginx
	# The perf trace rows; skipped, saying so, where perf trace does not work.
	want_optional linux-perf has_cmd perf
	;;
*) echo "usage: $0 build|test|lint|screenshots|fuzz|bench" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ] && [ -n "$optional" ]; then
	echo "epollviz: optional packages missing:$optional (their tests will be skipped);" >&2
	echo "epollviz: install them with:  sudo apt-get install -y --no-install-recommends$optional" >&2
	optional=""
fi
need="$need$optional"
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
# Packages with a service (nginx) must not start it: a policy-rc.d that says
# no, unless the machine already has one; removed again if we made it.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
fi
status=0
apt-get install -y -qq --no-install-recommends $need >&2 || {
	apt-get update >&2 && apt-get install -y -qq --no-install-recommends $need >&2
} || status=$?
[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
exit $status
