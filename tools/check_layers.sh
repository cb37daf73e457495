#!/usr/bin/env bash
# Fails when a source file includes a public header of a layer above its own
# (DESIGN.md: a folder may include only folders below it).
set -u
root=${1:-.}
cd "$root" || exit 2

# Public header -> layer that owns it.
layer_of_header() {
  case "$1" in
    types.h|status.h|status_codes.h|binary.h|pubsub_msg.h|nodeid.h|ua_struct.h|ua_types_gen.h|ua_nodeids.h) echo types ;;
    uadp.h|uadp_ext.h) echo uadp ;;
    json.h) echo json ;;
    rt.h|loop.h|timer.h|histogram.h|rtsetup.h) echo rt ;;
    transport.h) echo transports ;;
    pubsub.h) echo pubsub ;;
    client.h|server.h|nodes.h|clientserver.h) echo clientserver ;;
    *) echo unknown ;;
  esac
}
# Layer -> layers it may include (besides itself).
allowed() {
  case "$1" in
    types) echo "types" ;;
    uadp) echo "types uadp" ;;
    json) echo "types json" ;;
    rt) echo "types rt" ;;
    transports) echo "types rt transports" ;;
    pubsub) echo "types uadp json rt transports pubsub" ;;
    clientserver) echo "types rt clientserver" ;;
    *) echo "*" ;;
  esac
}

bad=0
for dir in types uadp json rt transports pubsub clientserver; do
  [ -d "$dir" ] || continue
  ok=$(allowed "$dir")
  while IFS= read -r hit; do
    file=${hit%%:*}
    hdr=$(sed -n 's/.*#include *"uagate\/\([^"]*\)".*/\1/p' <<<"$hit")
    [ -n "$hdr" ] || continue
    l=$(layer_of_header "$hdr")
    if [ "$l" = unknown ]; then
      echo "layers: $file includes uagate/$hdr, which no layer owns (add it to tools/check_layers.sh)"
      bad=1
    elif ! grep -qw "$l" <<<"$ok"; then
      echo "layers: $file ($dir) includes uagate/$hdr of layer $l"
      bad=1
    fi
  done < <(grep -rn '#include *"uagate/' "$dir" --include='*.c' --include='*.h')
done
[ $bad -eq 0 ] && echo "layers: every include respects the layering"
exit $bad
