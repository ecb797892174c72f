#!/bin/sh
# Usage: scripts/check-style.sh FILE.c...
# House style that a compiler does not check (make lint runs this):
#  - every function definition (its name at the start of a line, its
#    return type on the line before, as tmux writes them) has a comment
#    just above it: a one-line /* Sentence. */ or the end of a block;
#  - a function other files can call is named after its file: FILE.c's
#    are FILE_something (util.c, the shared helpers, and main are exempt);
#  - no line ends in blanks.
# Prints FILE:LINE: what is wrong, for each; exits 1 if anything was found.
set -u
[ $# -gt 0 ] || { echo "usage: $0 FILE.c..." >&2; exit 2; }
awk '
FNR == 1 {
	p2 = ""; p1 = ""
	base = FILENAME; sub(/.*\//, "", base); sub(/\.c$/, "", base)
}
/[ \t]+$/ { printf "%s:%d: blanks at the end of the line\n", FILENAME, FNR; bad = 1 }
/^[A-Za-z_][A-Za-z0-9_]*\(/ && p1 ~ /^[A-Za-z_]/ && p1 !~ /[;{}=]/ {
	if (p2 !~ /\*\/[ \t]*$/) {
		name = $0; sub(/\(.*/, "", name)
		printf "%s:%d: %s has no comment above it\n", FILENAME, FNR, name
		bad = 1
	}
	name = $0; sub(/\(.*/, "", name)
	if (p1 !~ /^static/ && base != "util" && name != "main" && name != base && index(name, base "_") != 1) {
		printf "%s:%d: %s is called from other files but not named %s_...\n", FILENAME, FNR, name, base
		bad = 1
	}
}
{ p2 = p1; p1 = $0 }
END { exit bad }
' "$@"
