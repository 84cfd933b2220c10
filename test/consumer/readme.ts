/**
 * The README's tested snippets: a fenced block right after `<!-- consumer-test: NAME -->` is what the consumer
 * tests write (NAME is the file, relative to the app) or run (`pack`), so the README and the tests cannot drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../e2e/bundlers.js';

const MARKED_BLOCK = /<!-- consumer-test: (\S+) -->\n```\w*\n([\s\S]*?)```/g;

/** The marked snippets of the repository README, by name. */
export function readmeSnippets(): Map<string, string> {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const snippets = new Map<string, string>();
  for (const [, name, code] of readme.matchAll(MARKED_BLOCK)) {
    if (snippets.has(name!)) throw new Error(`README.md: two snippets named ${name}`);
    snippets.set(name!, code!);
  }
  return snippets;
}

/** The snippet `name` (an error naming it when the README lost it). */
export function snippet(snippets: Map<string, string>, name: string): string {
  const code = snippets.get(name);
  if (code === undefined) throw new Error(`README.md has no snippet marked <!-- consumer-test: ${name} -->`);
  return code;
}
