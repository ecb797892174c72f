#!/usr/bin/env bash
# screenshots.sh - run every scenario in tmux at 80x24 (the size a student's
# terminal has), press a few keys as a person would, and write
# screenshots/NAME.txt (capture-pane -p) and screenshots/NAME.png (the same
# screen with its colours, capture-pane -e, drawn by ImageMagick in DejaVu
# Sans Mono through scripts/ansi2mvg.py).  Also: the picker, echo-herd after
# Ctrl+C, the help overlay, and a wide (160x45) view of everything.
# epollviz is exec'd as the pane's own process, so no launcher shell shows
# in the process-group table.
#
# usage: scripts/screenshots.sh [BIN] [OUTDIR]      (make screenshots)
# Every wait polls the screen for the text it needs, with a deadline.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-./epollviz}")
OUT=${2:-screenshots}
SCN=$(realpath scenarios)
W=80 H=24 # every screenshot but the wide one
SOCK=epollviz-shots
CONVERT=/usr/bin/convert
[ -x "$CONVERT" ] || CONVERT=convert
mkdir -p "$OUT"

tm() { tmux -L "$SOCK" "$@"; }

stop_server() {
	tm kill-server 2>/dev/null || true
	while tm has-session 2>/dev/null; do sleep 0.1; done
}
trap stop_server EXIT

# start COLS ROWS ARGS...: a fresh server running epollviz ARGS
start() {
	local cols=$1 rows=$2
	shift 2
	stop_server
	tm -f /dev/null new-session -d -x "$cols" -y "$rows" \
		"cd '$(dirname "$BIN")' && exec env LC_ALL=C.UTF-8 LANGUAGE=${SHOT_LANGUAGE:-} EPOLLVIZ_SCENARIOS='$SCN' ./$(basename "$BIN") $*" \; \
		set-option -g remain-on-exit on >/dev/null
}

# wait_for REGEX [SECONDS]: poll the screen until it matches
wait_for() {
	local re=$1 deadline=$((SECONDS + ${2:-10}))
	while ! tm capture-pane -p 2>/dev/null | grep -Eq -- "$re"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "screenshots: timed out waiting for /$re/" >&2
			tm capture-pane -p >&2 || true
			return 1
		fi
		sleep 0.1
	done
}

keys() { tm send-keys "$@"; }

# select_echo_herd: Down in the picker until echo-herd is selected (its place
# depends on the scenarios there are)
select_echo_herd() {
	for _ in $(seq 1 20); do
		tm capture-pane -p | grep -q '▶ echo-herd' && break
		keys Down
		sleep 0.1
	done
	wait_for '▶ echo-herd'
}

# shot NAME COLS ROWS: write NAME.txt and NAME.png from the current screen
shot() {
	local name=$1 cols=$2 rows=$3 tmp
	tmp=$(mktemp)
	tm capture-pane -p > "$OUT/$name.txt"
	tm capture-pane -p -e -N > "$tmp"
	python3 scripts/ansi2mvg.py "$cols" "$rows" < "$tmp" > "$tmp.mvg"
	# A terminal has few colours: a palette PNG is a quarter of the size, and looks the same.
	"$CONVERT" "mvg:$tmp.mvg" -colors 128 +dither "PNG8:$OUT/$name.png"
	rm -f "$tmp" "$tmp.mvg"
	echo "screenshots: $OUT/$name.txt $OUT/$name.png"
}

# How many clients the Connections panel says were started.
started() { tm capture-pane -p | grep -oE 'clients [0-9]+ started' | head -1 | grep -oE '[0-9]+'; }

# The race echo-none is about is the kernel's to give: one client at a time
# (an empty queue before each, so a woken worker can find nothing) until a
# worker loses one, at most a dozen.
lose_a_race() {
	for n in $(seq 3 14); do
		tm capture-pane -p | grep -Eq 'lost [1-9]' && return
		keys c; wait_for "clients $n started"
		wait_for ' 0 rec/s'
	done
}

# The keys that show each scenario at its best, and what to wait for.
drive() {
	case $1 in
	echo-herd-one-cpu | echo-herd-two-cpus)
		wait_for 'listening :[0-9]+'
		for i in 1 2 3 4 5 6; do keys c; wait_for "clients $i started"; wait_for ' 0 rec/s'; done
		;;
	notes-as-written)
		# A client that gives up kills its worker with SIGPIPE while it holds the semaphore.
		wait_for 'listening :[0-9]+'
		keys c; wait_for 'clients 1 started'
		keys z; wait_for 'T +epollviz echo-server'
		keys a; wait_for 'clients 2 started'
		keys f; wait_for ' 0 rec/s'
		keys c; wait_for 'clients 3 started'
		wait_for '[1-9] failed'
		;;
	et-before-add) wait_for 'timed out' ;;
	echo-herd | echo-drain | echo-level | echo-none | echo-exclusive | echo-reuseport)
		wait_for 'listening :[0-9]+'
		keys c; wait_for 'clients 1 started'
		keys c; wait_for 'clients 2 started'
		if [ "$1" = echo-none ]; then lose_a_race; fi
		n=$(($(started) + 20))
		keys b; wait_for "clients $n started"
		wait_for ' 0 rec/s' # the burst is over: nothing more comes in
		;;
	echo-shared-epoll)
		wait_for 'listening :[0-9]+'
		for i in 1 2 3 4 5; do keys c; wait_for "clients $i started"; done
		wait_for ' 0 rec/s'
		;;
	everything)
		wait_for 'waiting for a writer'
		wait_for 'listening :[0-9]+'
		keys c; wait_for 'clients 1 started'
		wait_for ' 0 rec/s'
		keys C-c; wait_for '^▶ +[0-9]+ .* Ss\+ +epollviz session'
		keys w; wait_for 'reads 1 '
		;;
	fifo-hup-naive)
		wait_for 'waiting for a writer'
		keys W; wait_for 'open: fd'
		keys h; wait_for 'HUP storm|last storm'
		;;
	fifo-hup-fixed)
		wait_for 'waiting for a writer'
		keys W; wait_for 'open: fd'
		keys w; wait_for 'reads 1 '
		keys h; wait_for 'hang-ups 1'
		keys w; wait_for 'reads 2 '
		;;
	regular-file) wait_for 'EPERM' ;;
	two-instances) wait_for 'kcmp' ;;
	triggers) wait_for 'timed out' ;;
	ctl-errors) wait_for 'EBADF' ;;
	*) wait_for 'Process groups' ;;
	esac
	# Let the frame after the last record land (frames are at most 33 ms apart).
	sleep 0.3
}

start "$W" "$H"
wait_for 'pick a scenario'
select_echo_herd
shot picker "$W" "$H"

for name in $("$BIN" --list | awk '{print $1}'); do
	start "$W" "$H" "$name"
	wait_for 'Process groups'
	drive "$name"
	shot "$name" "$W" "$H"
	if [ "$name" = echo-herd ]; then
		keys C-c
		wait_for '^▶ +[0-9]+ .* Ss\+ +epollviz session'
		keys 8
		wait_for 'the session leader takes the'
		sleep 0.3
		shot echo-herd-ctrl-c "$W" "$H"
		keys 8 '?'
		wait_for 'Help: what each panel'
		sleep 0.2
		shot help "$W" "$H"
	fi
done

start 160 45 everything
wait_for 'Process groups'
drive everything
shot everything-wide 160 45

# Your own program: the example echo server under the preload tracer, three clients.
start "$W" "$H" run -- "$(realpath build/examples/echo-server)"
wait_for 'listening :[0-9]+'
for i in 1 2 3; do keys c; wait_for "clients $i started"; wait_for ' 0 rec/s'; done
shot run-echo-server "$W" "$H"

# The kernel's own view (k): the dup that keeps a closed fd registered, and one
# instance shared by two pids.
start "$W" "$H" ctl-errors
wait_for 'EBADF'
keys k
wait_for 'kernel-only'
sleep 0.6
shot ctl-errors-kernel "$W" "$H"
start "$W" "$H" echo-shared-epoll
wait_for 'listening :[0-9]+'
keys k
wait_for 'kernel instance'
sleep 0.6
shot echo-shared-epoll-kernel "$W" "$H"

# A recording replayed at full speed to its end.
start "$W" "$H" replay "$(realpath scenarios/recordings/echo-herd-burst.rec)"
wait_for 'replay of echo-herd'
keys '>'
wait_for 'END'
sleep 0.3
shot replay "$W" "$H"

# The accept contest: every strategy under one load, the table filled in.
start "$W" "$H" contest --rate 500 --duration 2s
wait_for '6 of 6 done' 120
shot contest "$W" "$H"

# The same screens in Russian (the catalogue po/ru.po; LANGUAGE=ru with
# C.UTF-8's character types, so no Russian locale is needed for them).
SHOT_LANGUAGE=ru
start "$W" "$H"
wait_for 'выберите сценарий'
select_echo_herd
shot picker-ru "$W" "$H"
start "$W" "$H" echo-herd
wait_for 'Группы процессов'
for i in 1 2 3; do keys c; wait_for "$i клиент"; done
keys b
wait_for '23 клиента запущено'
sleep 0.5
shot echo-herd-ru "$W" "$H"
keys C-c
wait_for '^▶ +[0-9]+ .* Ss\+ +epollviz session'
keys 8
wait_for 'лидер сеанса возвращает себе'
sleep 0.3
shot echo-herd-ctrl-c-ru "$W" "$H"
