#!/usr/bin/env bash
# The exported playbook, checked by Ansible's own tools: `ansible-playbook --syntax-check` and
# `ansible-lint --profile production`, for two exports (the guide's defaults on the simulated
# Spark, and a finished practice run with other values whose Ollama listens on all interfaces,
# so the bridge network and no mosh). Ansible comes from PyPI (requirements.txt, pinned) into a
# venv cached outside the clone, keyed by the requirements' hash, so CI installs it once.
#
#   Tests/ansible/lint.sh [PHASE0_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-$(cd "$repo" && swift build --show-bin-path)/phase0}
[[ -x $bin ]] || { echo "no phase0 binary at $bin: swift build first" >&2; exit 2; }

key=$( (cat "$here/requirements.txt"; python3 --version) | sha256sum | cut -c1-12)
venv=${XDG_CACHE_HOME:-$HOME/.cache}/phase0/venv-ansible-$key
if [[ ! -x $venv/bin/ansible-lint ]]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  rm -rf "$venv.tmp"
  python3 -m venv "$venv.tmp"
  "$venv.tmp/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  rm -rf "$venv"
  mv "$venv.tmp" "$venv"
  # The venv's scripts name their interpreter by path: rebuild them for the final location.
  sed -i "1s|$venv.tmp|$venv|" "$venv"/bin/*
fi
export PATH=$venv/bin:$PATH

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_STATE_HOME=$work/state ANSIBLE_LOCAL_TEMP=$work/ansible-tmp
mkdir -p "$HOME"
"$bin" export ansible "$work/guide-values" --practice >/dev/null
cat >"$work/answers.json" <<'JSON'
{"swapSize": "96G", "swappiness": "5", "tmuxSession": "agent", "webuiPort": "3100", "installMosh": "no",
 "unplugLidClosed": "yes", "unplugPhoneChat": "yes", "unplugTmuxIntact": "yes"}
JSON
# The built-in scenario ollama-all-interfaces (Steps/Teaching/Scenarios), with Open WebUI's first
# account registered: a -y run never passes Step 3 without one (issue 9).
cat >"$work/scenario.json" <<'JSON'
{"ollamaListen": "0.0.0.0:11434", "webuiAccounts": 1}
JSON
"$bin" run --practice --scenario "$work/scenario.json" -y --answers "$work/answers.json" >"$work/run.log" 2>&1 ||
  { tail -n 20 "$work/run.log"; exit 1; }
"$bin" export ansible "$work/other-values" --practice >/dev/null

passed=0 failed=0
for dir in "$work/guide-values" "$work/other-values"; do
  name=$(basename "$dir")
  if (cd "$dir" && ansible-playbook -i inventory.example.ini playbook.yml --syntax-check) >"$work/$name.syntax" 2>&1; then
    echo "PASS ansible/$name/syntax-check"; passed=$((passed + 1))
  else
    echo "FAIL ansible/$name/syntax-check"; cat "$work/$name.syntax"; failed=$((failed + 1))
  fi
  if (cd "$dir" && ansible-lint --nocolor --profile production playbook.yml </dev/null) >"$work/$name.lint" 2>&1; then
    echo "PASS ansible/$name/ansible-lint (profile production)"; passed=$((passed + 1))
  else
    echo "FAIL ansible/$name/ansible-lint"; grep -v "^ *[│╭╰]" "$work/$name.lint" | head -n 60; failed=$((failed + 1))
  fi
done
if grep -q -- '--network=host' "$work/guide-values/playbook.yml" &&
  grep -q 'host.docker.internal:host-gateway' "$work/other-values/playbook.yml" &&
  ! grep -q 'Step 1 |' "$work/other-values/playbook.yml" &&
  grep -q 'phase0_swap_size: "96G"' "$work/other-values/playbook.yml"; then
  echo "PASS ansible/variants: each export follows its answers (network, mosh, sizes)"; passed=$((passed + 1))
else
  echo "FAIL ansible/variants: the two exports do not differ as their answers do"; failed=$((failed + 1))
fi
echo "ansible: $(ansible-playbook --version 2>/dev/null | sed -n 1p), $(ansible-lint --nocolor --version 2>/dev/null | sed -n 1p)"
echo "$passed passed, $failed failed"
((failed == 0))
