// Frame fetching: asks the worker for the frame of each visible run at the
// current time, and for the messages around it (space-time diagram). At most
// one request per slot is in flight; a time asked for meanwhile is fetched
// when the answer arrives (only the latest), so a fast clock never queues work.
import { visibleSlots } from './store.js';
import { errorText } from '../errors.js';
import { MESSAGE } from '../../lib/run-layout.js';

/** While playing, the space-time window is refetched at most this often. */
const MESSAGES_EVERY_MS = 150;
/** The most messages asked for at once. */
const MESSAGES_MAX = 4000;

/** @param p { sim, state, $, draw(), showError(text), alive() } */
export function createFrameFetcher({ sim, state, $, draw, showError, alive }) {
  const busy = { history: false, variant: false };
  const wanted = { history: null, variant: null };
  let messagesBusy = false;
  let messagesAsked = -Infinity;

  /** Fetch what the current time needs, then draw. */
  function request() {
    for (const slot of visibleSlots(state)) requestFrame(slot);
    requestMessages();
    draw();
  }

  /** slot -> called once after the next frame of that slot is drawn (whenDrawn). */
  const drawnHooks = { history: null, variant: null };

  /** The time to draw a slot at: a run whose rest is still being simulated shows at most what it has. */
  function frameTime(slot) {
    const run = slot === 'variant' ? state.variant : state.history;
    return run?.partial ? Math.min(state.tUs, run.readyUs) : state.tUs;
  }

  function requestFrame(slot) {
    if (busy[slot]) { wanted[slot] = state.tUs; return; }
    busy[slot] = true;
    const t = frameTime(slot);
    sim.frame(t, slot).then(({ frame }) => {
      busy[slot] = false;
      if (!alive()) return;
      state.frames[slot] = frame;
      draw();
      const hook = drawnHooks[slot];
      drawnHooks[slot] = null;
      // After draw(): its animation frame was asked for first, so this one runs after the stage is painted.
      if (hook) requestAnimationFrame(hook);
      if (wanted[slot] != null && wanted[slot] !== t) { wanted[slot] = null; requestFrame(slot); }
    }).catch((e) => { busy[slot] = false; if (alive()) showError(errorText(e)); });
  }

  /** Call `fn` once the next frame fetched for `slot` is on the stage (click-to-continue timing). */
  function whenDrawn(slot, fn) {
    drawnHooks[slot] = fn;
  }

  function requestMessages() {
    if (!state.history || $('spacetime').closest('details').open === false) return;
    // While playing, the window slides every frame; a few updates a second are
    // plenty to read, and keep the worker and the main thread free.
    if (state.playing && performance.now() - messagesAsked < MESSAGES_EVERY_MS) return;
    const windowUs = Number($('st-window').value) * 1e6;
    const slot = visibleSlots(state)[0];
    const from = Math.max(0, state.tUs - windowUs * 0.75), to = from + windowUs;
    const key = `${slot}:${Math.round(from / (windowUs / 50))}:${windowUs}`;
    if (key === state.messagesKey || messagesBusy) return;
    messagesBusy = true;
    messagesAsked = performance.now();
    sim.messages(from, to, MESSAGES_MAX, slot).then(({ messages }) => {
      if (!alive()) { messagesBusy = false; return; }
      state.messages = { data: messages, from, to, slot, around: null };
      state.messagesKey = key;
      if (!messages.length) return messagesAround(slot, from, to).then((around) => {
        messagesBusy = false;
        if (alive() && state.messagesKey === key) state.messages.around = around;
        draw();
      });
      messagesBusy = false;
      draw();
    }).catch(() => { messagesBusy = false; });
  }

  /**
   * For an empty window, what the run has around it, so the panel can say why
   * it is empty: { before: any message before `from`, nextUs: when the next one
   * after `to` is sent, or null }.
   */
  async function messagesAround(slot, from, to) {
    const end = Math.max(state.history?.endUs ?? 0, state.variant?.endUs ?? 0);
    const [earlier, later] = await Promise.all([
      from > 0 ? sim.messages(0, from, 1, slot) : { messages: [] },
      to < end ? sim.messages(to, end, 1, slot) : { messages: [] },
    ]);
    return { before: earlier.messages.length > 0, nextUs: later.messages.length ? later.messages[MESSAGE.SENT_US] : null };
  }

  /** Refetch the messages even if the window did not move (settings changed). */
  function refreshMessages() {
    state.messagesKey = '';
    requestMessages();
  }

  return { request, requestMessages, refreshMessages, whenDrawn };
}
