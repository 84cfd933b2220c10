/** Placeholder until this command lands. */
export async function run(_argv: string[]): Promise<number> {
  console.error('btf-bundle: this command is not implemented yet');
  return 1;
}
