// The player's state: one plain object, and the facts derived from it. Every
// module of the player reads and writes this object (and nothing hidden), so
// what the player knows is written down here, in one place.
import { buildWarp } from '../../timeline/warp.js';
import { STEP, stepTimes } from '../../lib/run-layout.js';
import { storyPlan, wordCount } from './story.js';

export function createState() {
  return {
    /** The scenario: file name without .json, its text, and the core's description of it. */
    name: null, json: null, scenario: null,
    /** The viewer's seed and settings (values that differ from history). */
    seed: 1, sets: {},
    /** Injected actions in the core's text form (`30s crash s1`), and the last list a run accepted. */
    actions: [], acceptedActions: [],
    /** The two runs from the worker (sim/client.js): history, and the viewer's version or null. */
    history: null, variant: null,
    /** What the stage shows ('variant' | 'history' | 'both'), the time (µs), playback. */
    view: 'variant', tUs: 0, playing: false, speed: 1,
    /** Story mode: playback paced by the narration (app/player/story.js); off = free play on the time-warp. */
    story: true,
    /** The story-mode plan for the current runs (story.js), rebuilt by deriveTimes. */
    storyPlan: null,
    /** Which of several chapters at one time is shown: { chapter, tUs } (see chapterShown). */
    chapterAt: null,
    presenter: false,
    /** The latest frame per slot, and the messages around the current time. */
    frames: { history: null, variant: null },
    messages: null, messagesKey: '',
    /** Derived from the runs (deriveTimes): chapter and moment times, the time-warp. */
    chapterTimes: [], moments: [], warp: null,
    /** Node and device positions on the stage. */
    layout: null,
    params: null, pendingRun: null, runBusy: false,
    charts: null, chartsDefault: null,
    linkProblems: [],
    /** Bumped whenever runs or colours change: the cached layers repaint. */
    version: 0,
  };
}

/** The end of the longer of the two runs, µs. */
export function endUs(state) {
  return Math.max(state.history?.endUs ?? 0, state.variant?.endUs ?? 0);
}

/** The run slots on screen, the main one first. */
export function visibleSlots(state) {
  const variantSlot = state.variant ? 'variant' : 'history';
  if (state.view === 'both') return state.variant ? ['variant', 'history'] : ['history'];
  return [state.view === 'history' ? 'history' : variantSlot];
}

export function runOf(state, slot) {
  return slot === 'variant' ? state.variant : state.history;
}

/**
 * The chapter on screen: the position in `history.steps` (0-based, one per
 * step that happened) of the latest step at or before the time. Chapters that
 * share a time: unpinned, the last of them (in file order, the order the core
 * applied them) is shown, as it is the one that holds from then on; the chapter
 * keys, a click and story mode's holds pin each of them in turn
 * (`state.chapterAt`) until time reaches a later chapter or a seek elsewhere.
 */
export function chapterShown(state) {
  const times = state.chapterTimes;
  let last = -1;
  for (let i = 0; i < times.length; i++) if (times[i] <= state.tUs) last = i;
  const pinned = state.chapterAt;
  if (pinned && pinned.chapter >= 0 && pinned.chapter <= last && times[pinned.chapter] === times[last]) return pinned.chapter;
  return last;
}

/** The scenario timeline index of chapter `chapter` (a position in history.steps), or -1. */
export function stepIndexOf(state, chapter) {
  return chapter >= 0 ? state.history.steps[chapter * STEP.STRIDE + STEP.INDEX] : -1;
}

/** The sorted union of time lists (numbers in µs). */
export function mergeTimes(...lists) {
  return Float64Array.from(new Set(lists.flatMap((l) => [...l]))).sort();
}

/** Derived once per run pair: the moments of both runs (for "next event" and
 *  the timeline) and the time-warp built from them and the chapters. */
export function deriveTimes(state) {
  state.chapterTimes = stepTimes(state.history.steps);
  state.moments = state.variant ? mergeTimes(state.history.moments, state.variant.moments) : state.history.moments;
  state.warp = buildWarp(mergeTimes(state.moments, state.chapterTimes), endUs(state));
  state.storyPlan = storyPlan({ chapters: storyChapters(state), moments: state.moments, endUs: endUs(state) });
}

/** The chapters as story mode reads them: time, and the words of the narration's story text. */
export function storyChapters(state) {
  return state.chapterTimes.map((tUs, chapter) => ({ tUs, words: wordCount(state.scenario.timeline[stepIndexOf(state, chapter)]?.narration) }));
}

/** Formatters by time zone: making an Intl.DateTimeFormat costs about a millisecond
 *  (tens on a cold start), and the clock is formatted several times per frame. */
const clockFormats = new Map();

function clockFormat(timeZone) {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
    clockFormats.set(timeZone, format);
  }
  return format;
}

/** Make (and use once) the scenario's clock formatter ahead of the first frame: its first use loads time-zone data. */
export function warmClock(meta) {
  try { clockFormat(meta.time_zone).format(new Date(Date.parse(meta.start))); } catch { /* formatClock reports it */ }
}

/** "Sep 10, 12:15:03 PDT" in the scenario's own clock. */
export function formatClock(state, tUs) {
  const meta = state.scenario?.meta;
  if (!meta) return '';
  const wall = new Date(Date.parse(meta.start) + tUs / 1000);
  return clockFormat(meta.time_zone).format(wall);
}
