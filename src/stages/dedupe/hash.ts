// Small, fast, seeded 32-bit hashes (FNV-1a mixing, MurmurHash3 finalizer). Keys are kept as two independent
// 32-bit halves so a million keys collide with negligible probability without storing strings.

/** MurmurHash3 finalizer: a bijective 32-bit mix. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a string's UTF-16 code units: FNV-1a steps, then the MurmurHash3 finalizer. */
export function hashString(s: string, seed: number): number {
  let h = (seed ^ 0x811c9dc5) | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h ^ s.length);
}

/** Order-dependent combination of two hashes. */
export function combine(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = (h << 13) | (h >>> 19);
  return fmix32((h ^ b) + 0x27d4eb2f);
}

export const SEED_HI = 0x9747b28c;
export const SEED_LO = 0x5bd1e995;

/** A 64-bit key as two 32-bit halves; (0, 0) is reserved for "absent". */
export function key64(s: string): [number, number] {
  const hi = hashString(s, SEED_HI);
  let lo = hashString(s, SEED_LO);
  if (hi === 0 && lo === 0) lo = 1;
  return [hi, lo];
}
