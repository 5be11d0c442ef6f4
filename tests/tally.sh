# tests/tally.sh: the tally every test runner keeps, sourced by tests/check
# and tests/lab/linux-intel so that both count KTAP the same way. Needs $top
# (the source tree). Ends with tally_line's "N passed, N failed[, N skipped]".
# shellcheck shell=bash

passed=0 failed=0 skipped=0
failures=()

record() {	# record PASS|FAIL|SKIP NAME
	case "$1" in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)); failures+=("$2"); echo "FAIL: $2" ;;
	SKIP) skipped=$((skipped + 1)); echo "SKIP: $2" ;;
	esac
}

# count GROUP < KTAP: record every leaf result under GROUP; it returns
# how many there were in $counted.
count() {
	local res name
	counted=0
	while read -r res name; do
		record "$res" "$1: $name"
		counted=$((counted + 1))
	done < <("${top:?}/tests/ktap-count")
	[ "$counted" -gt 0 ] || record FAIL "$1: no results at all"
}

# block FILE NAME: the KTAP between the lab's markers for NAME.
block() {
	tr -d '\r' <"$1" | sed -n "/^MINIVM-KTAP-BEGIN $2\$/,/^MINIVM-KTAP-END $2\$/p" | sed '1d;$d'
}

# count_block GROUP LOG NAME: count block NAME of the console LOG under
# GROUP; a block that began and never ended (the guest died or timed out
# inside it) fails too.
count_block() {
	local text
	# Not "block | count": count must run in this shell to keep its tallies.
	count "$1" < <(block "$2" "$3")
	# The console once, into a variable: "tr <log | grep -q" under pipefail
	# fails whenever grep finds its line and exits before tr's last write
	# (SIGPIPE), and so reported a block as cut short that was not (CI, once).
	text=$(tr -d '\r' <"$2" 2>/dev/null)
	if grep -qx "MINIVM-KTAP-BEGIN $3" <<<"$text" &&
		! grep -qx "MINIVM-KTAP-END $3" <<<"$text"; then
		record FAIL "$1: cut short after $(block "$2" "$3" | grep -cE '^(not )?ok ') results"
	fi
}

tally_line() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
}
