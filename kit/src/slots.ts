/** The two caps on long-lived work (live streams): each holder's share, and everyone's together. */
export interface SlotLimits {
  overall: number;
  perHolder: number;
}

/** Which cap a request ran into, with its value, for the refusal's message. */
export interface SlotRefusal {
  limit: 'overall' | 'per holder';
  max: number;
}

/** A slot in use; release() gives it back (once; later calls do nothing). */
export interface Slot {
  release(): void;
}

/**
 * Counted slots, overall and per holder (an API key, a session): a request takes one for as long
 * as its stream lasts, or is told which cap is reached. Holders are counted only while they hold
 * a slot, so the map never outgrows the overall cap.
 */
export class Slots {
  private total = 0;
  private readonly byHolder = new Map<string, number>();

  constructor(readonly limits: SlotLimits) {}

  get size(): number {
    return this.total;
  }

  /** A slot for `holder` (undefined: counted against the overall cap only), or the cap that refuses it. */
  take(holder: string | undefined): Slot | SlotRefusal {
    if (this.total >= this.limits.overall) return { limit: 'overall', max: this.limits.overall };
    const held = holder === undefined ? 0 : (this.byHolder.get(holder) ?? 0);
    if (holder !== undefined && held >= this.limits.perHolder)
      return { limit: 'per holder', max: this.limits.perHolder };
    this.total += 1;
    if (holder !== undefined) this.byHolder.set(holder, held + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        if (holder === undefined) return;
        const left = (this.byHolder.get(holder) ?? 1) - 1;
        if (left === 0) this.byHolder.delete(holder);
        else this.byHolder.set(holder, left);
      },
    };
  }
}

export function isRefusal(taken: Slot | SlotRefusal): taken is SlotRefusal {
  return 'limit' in taken;
}
