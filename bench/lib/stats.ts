/** The median of `xs` (the upper one of the two middle values for an even count); `xs` is not modified. */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
