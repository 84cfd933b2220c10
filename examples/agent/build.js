/** Bundles the agent with esbuild: dist/agent.js (runtime and BTF bundle inlined) + the .bpf.o next to it. */
import * as esbuild from 'esbuild';
import btfBundle from 'unplugin-btf-bundle/esbuild';
import { agentBundleOptions } from './options.js';

await esbuild.build({
  entryPoints: { agent: 'src/agent.js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  // koffi loads its native addon at run time: it stays a dependency, resolved from node_modules
  external: ['koffi'],
  logLevel: 'info',
  plugins: [btfBundle(agentBundleOptions)],
});
