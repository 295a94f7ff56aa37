/**
 * Node flags the `waymark` command runs with: the shebang of bin/waymark.js and the `waymark` npm
 * script carry them (a test keeps the three equal), and bench/import runs its import with them.
 *
 * Why a 16 MB young generation: Node 24 sizes it from the heap limit (far larger on a machine with
 * plenty of memory), so a streamed import's short-lived rows pile up before V8 collects them. A
 * million-row import peaked at 335–345 MB of RSS with the default and 177 MB with this flag, in
 * the same time (docs/performance.md). V8 reads it only at start-up, hence a flag.
 */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=16'] as const;
