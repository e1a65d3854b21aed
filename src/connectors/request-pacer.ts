/**
 * Throughput pacing of connectors that make one request per message (http, mm7, telnyx,
 * twilio): requests go out at most `perSecond` a second, each given the next free slot.
 */
export class RequestPacer {
  private nextSlot = 0;

  constructor(private readonly perSecond: number | undefined) {}

  /** Waits for the next request slot when a rate is set; `onWait` is told when it must wait. */
  async wait(onWait: () => void): Promise<void> {
    const t = this.perSecond;
    if (!t) return;
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + 1000 / t;
    if (at > now) {
      onWait();
      await new Promise((r) => setTimeout(r, at - now));
    }
  }
}
