/**
 * A tiny seeded PRNG (mulberry32) for the demo org. Hand-written on purpose: the demo must stay byte-identical
 * across installs and library upgrades, and 20 lines of a well-known generator are easier to pin than a
 * dependency whose sequence could change between versions; it is also faster than a general-purpose library.
 */
export class DemoRandom {
  private state: number;

  constructor(seed: number) {
    // Mix the seed once so that nearby seeds (1, 2, 3) start far apart.
    this.state = (Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A new array with the items in a random order (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** A version-4-shaped UUID drawn from this generator (not cryptographic; ids only need to be unique and stable). */
  uuid(): string {
    const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    const a = hex(this.next() * 4294967296);
    const b = hex(this.next() * 4294967296);
    const c = hex(this.next() * 4294967296);
    const d = hex(this.next() * 4294967296);
    const variant = '89ab'[Math.floor(this.next() * 4)] as string;
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}
