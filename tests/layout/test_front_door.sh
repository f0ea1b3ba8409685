#!/bin/sh
# models/api is the front door: elements/ and tools/ include no other header of models/, and
# no LibTorch header (api/'s headers include none, so element and command files compile
# without it); behind it the rooms depend one way. Fails naming each file and include that goes
# around the door or back against the rooms' order.
#   test_front_door.sh SOURCE_ROOT
set -eu
root=$1
cd "$root"
rooms=$(cd models && find . -mindepth 1 -maxdepth 1 -type d ! -name api ! -name zoo | sed 's#^\./##')
[ -n "$rooms" ] || { echo "no rooms found under models/"; exit 1; }
bad=0
for f in $(find elements tools -name '*.cpp' -o -name '*.h' | sort); do
  for room in $rooms; do
    if grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$room/" "$f"; then
      echo "$f includes models/$room directly: use models/api"
      bad=1
    fi
  done
  if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(torch|ATen|c10)/' "$f"; then
    echo "$f includes LibTorch: only models/ may"
    bad=1
  fi
done
# tools/ sits beside elements/, not above it: no command includes an element's header.
element_headers=$(cd elements && ls *.h)
for f in $(find tools -name '*.cpp' -o -name '*.h' | sort); do
  for h in $element_headers; do
    if grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]\(elements/\)\?$h[\">]" "$f"; then
      echo "$f includes the element header $h: tools/ uses models/api (and GST_ELEMENT_REGISTER_DECLARE)"
      bad=1
    fi
  done
done
# api/'s own headers stay LibTorch-free and include only api/ of models/.
for f in models/api/*.h; do
  if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(torch|ATen|c10)/' "$f"; then
    echo "$f includes LibTorch: api headers must not"
    bad=1
  fi
  for room in $rooms; do
    if grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$room/" "$f"; then
      echo "$f includes models/$room: api headers include only api/"
      bad=1
    fi
  done
done
# Behind the door the rooms depend one way: each includes only rooms before it here (and
# api/'s LibTorch-free headers); a room added to models/ must be placed in this order.
order="network io generation inpainting scoring training"
for room in $rooms; do
  case " $order " in *" $room "*) ;; *) echo "models/$room is not in the rooms' order in $0"; bad=1 ;; esac
done
later=$order
for room in $order; do
  later=${later#"$room"}
  later=${later# }
  for next in $later; do
    for f in $(find "models/$room" -name '*.cpp' -o -name '*.h' | sort); do
      if grep -n "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"$next/" "$f"; then
        echo "$f (models/$room) includes models/$next, which comes after it"
        bad=1
      fi
    done
  done
done
[ "$bad" = 0 ] && echo "elements/ and tools/ go through models/api only ($(echo $rooms | wc -w) rooms behind it, one way: $order); tools/ includes no element header"
exit $bad
