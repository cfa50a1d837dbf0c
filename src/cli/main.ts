// The `simdnn` command: info | demo | bench.
import { demo, info } from './demo.js';

const cmd = process.argv[2] ?? 'demo';
const commands: Record<string, () => Promise<void>> = { info, demo, bench: demo };
const run = commands[cmd];
if (!run) {
  console.error(`usage: simdnn [info | demo | bench]\n  info   the tier picked on this machine and why\n  demo   capabilities and a softmax benchmark table per tier`);
  process.exit(2);
}
run().catch((e) => { console.error(e); process.exit(1); });
