# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# The rig for many clients against one evs, shared by the benchmark (tests/bench/evs-scale.sh)
# and the e2e test (tests/e2e/scale.sh). Source it after tests/lib/evcs.sh and evcs_init, then:
#
#   scale_init                  finds evs_load next to evs
#   scale_rig N                 the standard topology with the client's out0 holding enough
#                               198.51.100.x addresses for N clients (evs lets one address
#                               hold 8 half-open SAs and start 4 a second after a burst of 16,
#                               as a gateway must; real clients each have their own address)
#   scale_conf NAME N MAX       the sample configuration with users load00000.. for N
#                               clients, a pool for all of them, max-users MAX; prints its path
#   scale_load NAME N ARGS...   evs_load in the client namespace as NAME (log NAME), N clients
#                               from the rig's addresses; more evs_load options may follow
#   scale_wait_result NAME T    waits up to T s for its "result" line
#   scale_field NAME KEY        a KEY=VALUE of its result lines
#   scale_rss PID               resident memory of PID in KiB
#   scale_cpu_ms PID            CPU time (user + system) of PID in ms
#   scale_sources N             how many source addresses N clients use

SCALE_PASSWORD=load-pw-1
SCALE_FIRST_SOURCE=198.51.100.10
SCALE_PER_ADDRESS=24

scale_sources() {
	local s=$((($1 + SCALE_PER_ADDRESS - 1) / SCALE_PER_ADDRESS))
	((s <= 240)) || s=240 # 198.51.100.10 .. .249
	((s >= 1)) || s=1
	printf '%s' "$s"
}

# the load generator of the build evcs_init found
scale_init() {
	SCALE_LOAD_BIN=$(dirname -- "$EVS_BIN")/../tests/bench/evs_load
	[[ -x $SCALE_LOAD_BIN ]] || fail "no load generator $SCALE_LOAD_BIN (build the evs_load target)"
}

scale_rig() {
	local n=$1 s i batch
	rig_topology_std
	s=$(scale_sources "$n")
	batch=$RIG_DIR/client-addrs.batch
	: >"$batch"
	for ((i = 0; i < s; i++)); do
		printf 'address add 198.51.100.%d/24 dev out0\n' "$((10 + i))" >>"$batch"
	done
	rig_exec client ip -batch "$batch" || fail "cannot add $s source addresses to the client"
	rig_note "client: $s source addresses from $SCALE_FIRST_SOURCE for $n clients"
}

scale_conf() {
	local name=$1 n=$2 max=$3 out i users
	users=$RIG_DIR/$name.users
	: >"$users"
	for ((i = 0; i < n + 8; i++)); do
		printf 'username load%05d secret %s\n' "$i" "$SCALE_PASSWORD" >>"$users"
	done
	# a pool of 10.98.0.1 - 10.98.63.254 (16,382 addresses), max-users as asked; the users
	# go after the sample's own
	out=$(evs_conf_variant "$name" \
		"s/^ip local pool quizware-pool .*/ip local pool quizware-pool 10.98.0.1 10.98.63.254/" \
		"s/^ pool quizware-pool\$/ pool quizware-pool\\n max-users $max/" \
		"/^username natalie /r $users")
	printf '%s' "$out"
}

scale_load() {
	local name=$1 n=$2 key pw
	shift 2
	key=$(evc_secret load-key "$EVC_GROUP_KEY")
	pw=$(evc_secret load-pw "$SCALE_PASSWORD")
	rig_spawn "$name" client "$SCALE_LOAD_BIN" --server "$RIG_GW_ADDR" \
		--source "$SCALE_FIRST_SOURCE" --sources "$(scale_sources "$n")" --clients "$n" \
		--group "$EVC_GROUP" --key-file "$key" --password-file "$pw" "$@"
}

scale_wait_result() {
	wait_for_log -p "$(rig_pid "$1")" "${RIG_LOGS[$1]}" '^result ' "$2" "$1 to print its result"
}

scale_field() {
	grep -o -E "(^| )$2=[^ ]*" "${RIG_LOGS[$1]}" | head -n 1 | cut -d= -f2
}

scale_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# scale_cpu_ms PID: user + system CPU time of PID so far, in milliseconds
scale_cpu_ms() {
	local line rest
	read -r line <"/proc/$1/stat"
	rest=${line##*) }
	# shellcheck disable=SC2086 # split the stat fields on purpose
	set -- $rest
	printf '%s' "$(((${12} + ${13}) * 1000 / $(getconf CLK_TCK)))"
}
