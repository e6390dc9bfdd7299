//! One replay from start to finish: load a scenario, run it, measure it, and
//! answer the questions the faces (CLI, WASM) ask. Both faces go through here,
//! so they cannot disagree.

use crate::engine::run::{Run, RunError};
use crate::monitor::{self, Outcome};
use crate::scenario::inject::{self, InjectedAction};
use crate::scenario::{self, Overrides, Scenario, ScenarioError};
use crate::trace::event::TraceEvent;
use crate::trace::facts::FactFrames;
use crate::trace::frame::{FrameBuffer, FrameSources};
use crate::trace::keyframe::Keyframes;
use crate::trace::text;

/// What one node was over a run (`Replay::states_taken`): bit `k` of `roles`
/// is `Role` code `k`, of `healths` `Health` code `k`, of `role_words[r]` the
/// `k`th word of its role fact, shown while it held `Role` code `r`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatesTaken {
    pub roles: u32,
    pub healths: u32,
    pub role_words: [u32; 5],
    pub group: Option<u16>,
}

pub struct Replay {
    pub file: String,
    pub scenario: Scenario,
    pub groups: Vec<String>,
    pub gauges: Vec<String>,
    /// Each gauge's unit, in `gauges` order (declared where the model registers it).
    pub gauge_units: Vec<crate::monitor::metrics::Unit>,
    /// Actions added to the file's timeline (`scenario/inject.rs`), in their order.
    pub injected: Vec<InjectedAction>,
    /// The scenario's invariants in force with these parameter values.
    pub invariants: Vec<crate::scenario::format::Invariant>,
    pub run: Run,
    pub keyframes: Keyframes,
    /// Shown facts, seekable (`model/show.rs`).
    pub fact_frames: FactFrames,
    pub outcome: Outcome,
    /// The seed the outcome is measured with (`advance` measures again).
    seed: u64,
    frame: FrameBuffer,
}

/// Load and run a scenario to its end. Budget overruns come back as a
/// `ScenarioError` on `limits.events_max`, naming the file like any input error.
pub fn replay(file: &str, text: &str, overrides: &Overrides, seed: u64) -> Result<Replay, ScenarioError> {
    replay_until(file, text, overrides, seed, None, Vec::new())
}

/// `replay` with injected actions. A run the actions push over the event budget
/// is refused with an error on `actions` (the file alone fits, or it would have
/// been refused before), and nothing is kept.
pub fn replay_with(file: &str, text: &str, overrides: &Overrides, seed: u64, injected: Vec<InjectedAction>) -> Result<Replay, ScenarioError> {
    replay_until(file, text, overrides, seed, None, injected)
}

/// `replay_with`, stopped at `until_us` of simulated time (the scenario's end if
/// `None` or later): the engine stops there, and the outcome measures the run so far.
pub fn replay_until(
    file: &str,
    text: &str,
    overrides: &Overrides,
    seed: u64,
    until_us: Option<u64>,
    injected: Vec<InjectedAction>,
) -> Result<Replay, ScenarioError> {
    let loaded = scenario::load_with(file, text, overrides, seed, &injected)?;
    let groups = loaded.resolved.groups;
    let gauges = loaded.resolved.gauges;
    let invariants = loaded.resolved.invariants;
    let mut run = Run::new(loaded.resolved.setup);
    run.run_until(until_us.unwrap_or(u64::MAX)).map_err(|e| run_error(file, &injected, &e))?;
    let keyframes = Keyframes::build(&run.trace.events, run.node_count(), run.network.links.len());
    let fact_slots = run.shows.iter().map(|s| s.facts.len()).max().unwrap_or(0);
    let fact_frames = FactFrames::build(&run.trace.facts, run.node_count(), fact_slots);
    let outcome = monitor::compute(&run.trace, run.node_count(), &groups, &gauges, &loaded.resolved.gauge_units, &loaded.scenario.outcomes, &loaded.scenario.challenges, seed);
    Ok(Replay { file: file.to_string(), gauge_units: loaded.resolved.gauge_units, scenario: loaded.scenario, groups, gauges, injected, invariants, run, keyframes, fact_frames, outcome, seed, frame: FrameBuffer::default() })
}

/// Only the outcome of a whole run, as `replay_with(..).outcome` would give it:
/// what an edit costs the page's worker (`wasm::run_outcome`) and what each
/// seed of a spread or sweep costs. It skips what only playback reads: the
/// shown facts and fingerprints (`Run::outcome_only`), keyframes and fact frames. The outcome,
/// digest included, is the same (`tests/rust/determinism.rs` checks every scenario).
pub fn outcome(file: &str, text: &str, overrides: &Overrides, seed: u64, injected: &[InjectedAction]) -> Result<Outcome, ScenarioError> {
    let scenario::Loaded { scenario: s, resolved: r, .. } = scenario::load_with(file, text, overrides, seed, injected)?;
    let mut run = Run::new(r.setup).outcome_only();
    run.run_to_end().map_err(|e| run_error(file, injected, &e))?;
    Ok(monitor::compute(&run.trace, run.node_count(), &r.groups, &r.gauges, &r.gauge_units, &s.outcomes, &s.challenges, seed))
}

/// A run's error as a `ScenarioError`: on the injected actions when there are
/// any (the file alone fits, or it would have been refused before), else on the limits.
fn run_error(file: &str, injected: &[InjectedAction], e: &RunError) -> ScenarioError {
    if injected.is_empty() {
        budget_error(file, e)
    } else {
        ScenarioError::new(file, "actions", format!("with the injected actions, {e}"))
    }
}

pub fn budget_error(file: &str, e: &RunError) -> ScenarioError {
    let path = match e {
        RunError::EventBudget { .. } => "limits.events_max",
        RunError::PendingBudget { .. } | RunError::TraceBudget { .. } => "limits",
    };
    ScenarioError::new(file, path, e.to_string())
}

impl Replay {
    /// Simulated time the run has reached (µs): the end once `finished`.
    pub fn reached_us(&self) -> u64 {
        self.run.trace.end_us
    }

    /// Whether the run has reached the end of the scenario (or an `end` action).
    pub fn finished(&self) -> bool {
        self.run.trace.end_us >= self.run.end_us()
    }

    /// Run a replay stopped part-way (`replay_until`) on to `until_us`. The
    /// engine goes on where it stopped, so a run continued part by part has the
    /// same trace and digest as one run to the end; keyframes and facts take in
    /// the new events, and the outcome is measured again once the run is finished.
    pub fn advance(&mut self, until_us: u64) -> Result<(), ScenarioError> {
        self.run.run_until(until_us).map_err(|e| run_error(&self.file, &self.injected, &e))?;
        self.keyframes.extend(&self.run.trace.events);
        self.fact_frames.extend(&self.run.trace.facts);
        if self.finished() {
            let s = &self.scenario;
            self.outcome = monitor::compute(&self.run.trace, self.run.node_count(), &self.groups, &self.gauges, &self.gauge_units, &s.outcomes, &s.challenges, self.seed);
        }
        Ok(())
    }

    /// Check every invariant in force; `Err` lists each one that failed and where.
    pub fn check_invariants(&self) -> Result<(), Vec<String>> {
        let failed: Vec<String> = self
            .invariants
            .iter()
            .filter_map(|&inv| monitor::invariants::check(inv, &self.run.trace, &self.run.node_names, &self.groups).err())
            .collect();
        if failed.is_empty() { Ok(()) } else { Err(failed) }
    }

    /// The frame at `t_us` as a flat buffer (layout in `trace/frame.rs`).
    pub fn frame(&mut self, t_us: u64) -> &[f32] {
        let sources = FrameSources {
            keyframes: &self.keyframes,
            facts: &self.fact_frames,
            node_count: self.run.node_count(),
            link_count: self.run.network.links.len(),
            group_count: self.groups.len(),
        };
        let len = self.frame.fill(&self.run.trace, &sources, t_us);
        &self.frame.data[..len]
    }

    /// `from->to@plane` for every link, in link-id order.
    pub fn link_names(&self) -> Vec<String> {
        let net = &self.run.network;
        net.links
            .iter()
            .map(|l| format!("{}->{}@{}", self.run.node_names[l.from.index()], self.run.node_names[l.to.index()], net.planes[l.plane.index()]))
            .collect()
    }

    /// Shaded stretches for the timeline: flat `[shade, start_us, end_us]`
    /// (mirrored in `www/lib/run-layout.js`, as are the other flat arrays here)
    /// (shades in `monitor::groups::Shade`; 3 = a window of lost data, 4 = clients impaired,
    /// 5 = the instant data was destroyed).
    pub fn shades(&self) -> Vec<f64> {
        let trace = &self.run.trace;
        let g = monitor::groups::measure(&trace.events, self.run.node_count(), self.groups.len(), trace.end_us);
        let mut out: Vec<f64> = g.intervals.iter().flat_map(|i| [i.shade as u8 as f64, i.start_us as f64, i.end_us as f64]).collect();
        let w = monitor::writes::measure(&trace.events, &g.node_group, self.groups.len());
        if let Some((from, to)) = w.lost_window_us {
            out.extend_from_slice(&[3.0, from as f64, to.max(from + 1) as f64]);
        }
        // 5 = data destroyed: the instant the lost data went (a mark, one µs wide).
        if let Some(t) = data_destroyed_at_us(&trace.events) {
            out.extend_from_slice(&[5.0, t as f64, (t + 1) as f64]);
        }
        // 4 = clients impaired: the span `request_impact_s` measures.
        if let Some((first, last)) = monitor::impact::impaired_buckets(&trace.buckets) {
            let width = trace.bucket_us.max(1);
            let to = ((last as u64 + 1) * width).min(trace.end_us);
            out.extend_from_slice(&[4.0, (first as u64 * width) as f64, to as f64]);
        }
        out
    }

    /// Times of everything worth stopping at (faults, role and health changes,
    /// link changes, timeline steps), sorted and without repeats. A link that
    /// keeps flapping between Up and Degraded is one moment (`story_moments_us`).
    pub fn moments(&self) -> Vec<f64> {
        story_moments_us(&self.run.trace.events, self.run.network.links.len()).into_iter().map(|t| t as f64).collect()
    }

    /// What each node was over the run, for the stage's legend and layout
    /// (one entry per node): the roles and healths it took, the words of its
    /// role fact it showed, and the group it played a role in.
    pub fn states_taken(&self) -> Vec<StatesTaken> {
        let mut out = vec![StatesTaken::default(); self.run.node_count()];
        for e in &self.run.trace.events {
            match *e {
                TraceEvent::Role { node, role, group, .. } => {
                    let n = &mut out[node.index()];
                    n.roles |= 1 << (role as u8);
                    n.group.get_or_insert(group.0);
                }
                TraceEvent::Health { node, health, .. } => out[node.index()].healths |= 1 << (health as u8),
                _ => {}
            }
        }
        // Each role word goes with the generic role the node held when it showed it.
        let mut roles_over_time: Vec<Vec<(u64, u8)>> = vec![Vec::new(); out.len()];
        for e in &self.run.trace.events {
            if let TraceEvent::Role { at_us, node, role, .. } = *e {
                roles_over_time[node.index()].push((at_us, role as u8));
            }
        }
        for c in &self.run.trace.facts {
            let i = c.node.index();
            if self.run.shows[i].role_fact == Some(usize::from(c.fact)) && (0..32).contains(&c.value) {
                let held = &roles_over_time[i];
                let k = held.partition_point(|&(t, _)| t <= c.at_us);
                let role = k.checked_sub(1).map_or(0, |k| held[k].1);
                out[i].role_words[usize::from(role)] |= 1 << c.value;
            }
        }
        out
    }

    /// Every report of gauge `gauge`: flat `[t_us, node, value]`.
    pub fn gauge_series(&self, gauge: u16) -> Vec<f64> {
        self.run
            .trace
            .events
            .iter()
            .filter_map(|e| match *e {
                TraceEvent::Gauge { at_us, node, gauge: g, value } if g == gauge => Some([at_us as f64, f64::from(node.0), value as f64]),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Recorded messages in the air at some point of `[from_us, to_us]`, at most
    /// `max` of them (the earliest): flat `[sent_us, end_us, from, to, plane, kind, fate]`.
    pub fn messages(&self, from_us: u64, to_us: u64, max: usize) -> Vec<f64> {
        let msgs = &self.run.trace.messages;
        let look_back = self.run.trace.flight_max_us.max(crate::trace::frame::DROP_SHOW_US);
        let first = msgs.partition_point(|m| m.sent_us + look_back < from_us);
        msgs[first..]
            .iter()
            .take_while(|m| m.sent_us <= to_us)
            .filter(|m| m.end_us.max(m.sent_us) >= from_us)
            .take(max)
            .flat_map(|m| {
                [m.sent_us as f64, m.end_us as f64, f64::from(m.from.0), f64::from(m.to.0), f64::from(m.plane), f64::from(m.kind), f64::from(m.fate as u8)]
            })
            .collect()
    }

    /// The golden text timeline plus the outcome's headline figures.
    pub fn timeline_text(&self) -> String {
        let titles: Vec<String> = self.scenario.timeline.iter().map(|s| s.title.clone()).collect();
        let links = self.link_names();
        let injected: Vec<String> = self.injected.iter().map(inject::to_text).collect();
        let names = text::Names { nodes: &self.run.node_names, steps: &titles, injected: &injected, links: &links, gauges: &self.gauges };
        let mut t = text::timeline(&self.run.trace, &names);
        let o = &self.outcome;
        t.push_str(&format!(
            "outcome: split_brain_s={:.3} unavailable_s={:.3} degraded_s={:.3} leader_changes={} acked={} lost={} divergent={} success={:.2}% rpo_s={:.3} rto_s={:.3} events={} digest={}\n",
            o.split_brain_s, o.unavailable_s, o.degraded_s, o.leader_changes, o.acked_writes, o.lost_writes, o.divergent_writes, o.success_rate_pct, o.rpo_s, o.rto_s, o.events, o.digest
        ));
        t
    }
}

/// How long a link must stay steady before its next Up↔Degraded change is a
/// story moment again.
const LINK_STEADY_US: u64 = 60_000_000;

/// The story moments of a trace (see `Replay::moments`), in µs. Link changes
/// between Up and Degraded are debounced: a replication link that queues and
/// drains every WAL batch (GitLab's db1→db2) flips every few seconds, and one
/// stop per flip would stretch the story to half an hour, so such a change
/// counts only when the link has been steady for `LINK_STEADY_US` since its
/// last change. A change to or from Cut or Gray is a fault or its repair and
/// always counts, however soon after the last one. Links start Up, as in
/// `keyframe::Snapshot::initial`.
pub fn story_moments_us(events: &[TraceEvent], link_count: usize) -> Vec<u64> {
    use crate::net::LinkStatus;
    let flapping_pair = |a: LinkStatus, b: LinkStatus| matches!(a, LinkStatus::Up | LinkStatus::Degraded) && matches!(b, LinkStatus::Up | LinkStatus::Degraded);
    // Per link: its status and when it last changed (None: never yet).
    let mut links: Vec<(LinkStatus, Option<u64>)> = vec![(LinkStatus::Up, None); link_count];
    let times: Vec<u64> = events
        .iter()
        .filter_map(|e| match *e {
            TraceEvent::Link { at_us, link, status } => {
                let Some((was, last_change_us)) = links.get_mut(link.index()) else { return Some(at_us) };
                let debounced = flapping_pair(*was, status) && last_change_us.is_some_and(|p| at_us.saturating_sub(p) < LINK_STEADY_US);
                *was = status;
                *last_change_us = Some(at_us);
                (!debounced).then_some(at_us)
            }
            TraceEvent::Health { at_us, .. }
            | TraceEvent::Role { at_us, .. }
            | TraceEvent::Step { at_us, .. }
            | TraceEvent::Injected { at_us, .. }
            | TraceEvent::DataLost { at_us, .. } => Some(at_us),
            _ => None,
        })
        .collect();
    crate::order::sorted_set(times)
}

/// When acknowledged data was actually destroyed: the failure a restore from
/// backup could not undo (`DataLost`'s `to_us`: GitLab's `rm -rf`), or the
/// first discard of a write a client had been told was stored (a rollback, a
/// resync over a divergent log), whichever came first. The window of writes
/// lost (shade 3) is when they were *made*; this is when they went.
pub fn data_destroyed_at_us(events: &[TraceEvent]) -> Option<u64> {
    let mut acked = std::collections::BTreeSet::new();
    let mut first: Option<u64> = None;
    for e in events {
        let at = match *e {
            TraceEvent::Acked { write_id, .. } => {
                acked.insert(write_id);
                continue;
            }
            TraceEvent::Discarded { at_us, write_id, .. } if acked.contains(&write_id) => at_us,
            TraceEvent::DataLost { to_us, writes, .. } if writes > 0 => to_us,
            _ => continue,
        };
        first = Some(first.map_or(at, |f| f.min(at)));
    }
    first
}

#[cfg(test)]
mod tests {
    use super::{story_moments_us, LINK_STEADY_US};
    use crate::ids::LinkId;
    use crate::net::LinkStatus::{self, Cut, Degraded, Gray, Up};
    use crate::trace::event::TraceEvent;

    const S: u64 = 1_000_000;

    fn link(at_s: u64, link: u32, status: LinkStatus) -> TraceEvent {
        TraceEvent::Link { at_us: at_s * S, link: LinkId(link), status }
    }

    /// Link 0 queueing and draining every 10 s WAL batch for two minutes.
    fn flapping(from_s: u64, to_s: u64) -> Vec<TraceEvent> {
        (from_s..to_s).step_by(10).enumerate().map(|(i, t)| link(t, 0, if i % 2 == 0 { Degraded } else { Up })).collect()
    }

    #[test]
    fn a_link_flapping_between_up_and_degraded_is_one_moment() {
        let events = flapping(100, 220);
        assert_eq!(events.len(), 12);
        assert_eq!(story_moments_us(&events, 1), vec![100 * S]);
    }

    #[test]
    fn a_flapping_link_counts_again_after_it_has_been_steady() {
        let mut events = flapping(100, 140); // last flip at 130 s
        let again_s = 130 + LINK_STEADY_US / S;
        events.push(link(again_s, 0, Degraded));
        events.push(link(again_s + 5, 0, Up));
        assert_eq!(story_moments_us(&events, 1), vec![100 * S, again_s * S]);
    }

    #[test]
    fn a_cut_inside_the_flapping_window_is_its_own_moment_and_so_is_its_repair() {
        let mut events = flapping(100, 150);
        events.push(link(155, 0, Cut));
        events.push(link(158, 0, Up));
        events.extend(flapping(160, 200));
        // The cut and its repair count; the flapping around them does not.
        assert_eq!(story_moments_us(&events, 1), vec![100 * S, 155 * S, 158 * S]);
    }

    #[test]
    fn a_gray_failure_and_its_heal_count_however_close_together() {
        let events = vec![link(10, 0, Degraded), link(15, 0, Gray), link(20, 0, Up), link(25, 0, Degraded), link(30, 0, Gray), link(31, 0, Degraded)];
        // 25 s: Up→Degraded within 60 s of the heal is flapping; 30 s and 31 s leave or enter Gray.
        assert_eq!(story_moments_us(&events, 1), vec![10 * S, 15 * S, 20 * S, 30 * S, 31 * S]);
    }

    #[test]
    fn each_link_is_debounced_on_its_own() {
        let events = vec![link(10, 0, Degraded), link(12, 1, Degraded), link(14, 0, Up), link(16, 1, Up)];
        assert_eq!(story_moments_us(&events, 2), vec![10 * S, 12 * S]);
    }
}
