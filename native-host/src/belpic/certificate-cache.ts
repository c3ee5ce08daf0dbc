/**
 * What was read from a card once and cannot change while the card lives:
 * certificates and the document type, keyed by the chip serial number. Kept in
 * memory for the host process only, so a second login reads no file again.
 */
export class BelpicCardCache {
  private readonly cards = new Map<string, Map<string, Uint8Array | null>>();

  /** undefined: never read; null: read, and the card has none. */
  get(serialHex: string, key: string): Uint8Array | null | undefined {
    const value = this.cards.get(serialHex)?.get(key);
    return value === undefined || value === null ? value : value.slice();
  }

  set(serialHex: string, key: string, value: Uint8Array | null): void {
    let card = this.cards.get(serialHex);
    if (!card) this.cards.set(serialHex, (card = new Map()));
    card.set(key, value === null ? null : value.slice());
  }

  clear(): void {
    this.cards.clear();
  }
}

/** The cache shared by every card opened in this process. */
export const processCardCache = new BelpicCardCache();
