/**
 * The agent's plugin options. The snapshot is a BTFHub-layout directory of kernel BTFs: the repository's sample
 * snapshot, or `AGENT_BTF_SNAPSHOT` (the e2e test points it at a snapshot holding the running kernel's BTF).
 */
import { fileURLToPath } from 'node:url';

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** @type {import('unplugin-btf-bundle').BtfBundleOptions} */
export const agentBundleOptions = {
  snapshot: process.env.AGENT_BTF_SNAPSHOT ?? repo('sample-snapshot'),
  // the objects are the app's `*.bpf.o` imports (src/agent.js)
};
