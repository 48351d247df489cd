// Redraws a page when new blocks arrive (the proposal, vault and sale pages): each head
// `newHeads` brings schedules one redraw, at most one every MIN_REDRAW_MS however fast blocks
// come, never two at once (heads arriving meanwhile make one more afterwards), and none once
// the page has changed; and one when the live connection opens or comes back, since heads
// may have come while it was not there. A redraw that fails keeps what is shown (the error
// goes to the console) and the next head tries again.

/** The least time between two redraws of a page. */
export const MIN_REDRAW_MS = 1000;

/** Calls `draw()` again after new heads, as above; `ctx` is the view's (`alive`, `onHead`, `onLive`). */
export function redrawOnHeads(ctx, draw, minMs = MIN_REDRAW_MS) {
  let running = false;
  let again = false;
  let timer;
  let last = performance.now();
  async function run() {
    running = true;
    try {
      await draw();
    } catch (error) {
      console.error(error);
    } finally {
      running = false;
      last = performance.now();
      if (again) {
        again = false;
        schedule();
      }
    }
  }
  function schedule() {
    if (!ctx.alive() || timer !== undefined) return;
    if (running) {
      again = true;
      return;
    }
    const wait = Math.max(0, minMs - (performance.now() - last));
    timer = setTimeout(() => {
      timer = undefined;
      if (ctx.alive()) run();
    }, wait);
  }
  ctx.onHead(schedule);
  ctx.onLive?.(schedule);
}
