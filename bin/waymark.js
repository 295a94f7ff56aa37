#!/usr/bin/env -S node --max-semi-space-size=16
// The `waymark` command (its Node flags: src/cli/node-flags.ts). Node >= 22.18 runs the TypeScript sources directly (type stripping);
// on an older Node, say how to get a newer one instead of failing with a cryptic error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `waymark: Node.js ${process.versions.node} is too old; Waymark needs 22.18 or newer (24 LTS recommended). ` +
      'Run: eval "$(scripts/ensure-node.sh)"',
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
