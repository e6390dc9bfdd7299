//! The Cloudflare 2020 replay over seeds 1-10: the historical run shows the
//! recorded failure (no stable etcd leader for the six minutes, node 1
//! campaigning, node 2 backing node 3, one database failover, the rebuild
//! cascade) in at least 9 of 10 seeds, and each mitigation moves the outcome in
//! the direction its mechanism predicts (fact sheet §3f, §5.2) over the same
//! seeds. `cargo test --release --test cloudflare -- --nocapture` prints the
//! per-seed tables.

mod common;

use common::{num, on, run_with};
use incident_replay::model::effect::Role;
use incident_replay::monitor::Outcome;
use incident_replay::replay::Replay;
use incident_replay::scenario::OverrideValue;
use incident_replay::trace::event::TraceEvent;

const NAME: &str = "cloudflare-2020";
const SEEDS: std::ops::RangeInclusive<u64> = 1..=10;
/// The switch misbehaves from 14:43 to about 14:49 (timeline steps at 3 and 9 min).
const FAULT_US: (u64, u64) = (180_000_000, 540_000_000);

fn off(name: &str) -> (&str, OverrideValue) {
    (name, OverrideValue::Flag(false))
}

/// What one run shows, in the terms of the record.
#[derive(Clone, Debug)]
struct Seed {
    seed: u64,
    /// Time during the fault with no etcd member acting as leader.
    leaderless_s: f64,
    /// Longest single stretch during the fault with no etcd leader.
    longest_leaderless_s: f64,
    /// Last etcd leadership change after the fault began, seconds into it.
    churn_until_s: f64,
    leader_changes: u32,
    /// Times etcd got a leader again after having none, during the fault.
    leaderships: u32,
    /// Longest stretch in which none of the manager's etcd writes went through.
    write_gap_s: f64,
    node1_elections: f64,
    /// Share of the fault's leader time each etcd node led (nodes 1, 2, 3).
    leader_share: [f64; 3],
    failovers: f64,
    /// Database members that went into a full rebuild or a resync.
    rebuilds: usize,
    impact_s: f64,
    min_success_pct: f64,
    outcome: Outcome,
}

fn m(o: &Outcome, name: &str) -> f64 {
    o.metric(name).unwrap_or_else(|| panic!("no metric {name}"))
}

fn node(r: &Replay, name: &str) -> u32 {
    r.scenario.nodes.iter().position(|n| n.name == name).unwrap_or_else(|| panic!("no node {name}")) as u32
}

fn group(r: &Replay, name: &str) -> u16 {
    r.groups.iter().position(|g| g == name).unwrap_or_else(|| panic!("no group {name}")) as u16
}

fn summarise(r: &Replay, seed: u64) -> Seed {
    let etcd = group(r, "etcd");
    let db = group(r, "auth-db");
    let etcd_nodes = [node(r, "etcd1"), node(r, "etcd2"), node(r, "etcd3")];
    let mut leader: Option<usize> = None;
    let mut since = FAULT_US.0;
    let mut led_us = [0u64; 3];
    let mut churn_until_us = FAULT_US.0;
    let mut rebuilds = 0;
    let mut roles = [Role::Passive; 3];
    let mut leaderships = 0;
    let mut longest_leaderless_us = 0;
    for e in &r.run.trace.events {
        let TraceEvent::Role { at_us, node, group, role, .. } = *e else { continue };
        if group.0 == db && role == Role::Rebuilding {
            rebuilds += 1;
        }
        let Some(i) = etcd_nodes.iter().position(|&n| n == node.0) else { continue };
        if group.0 != etcd {
            continue;
        }
        roles[i] = role;
        let now_leader = (0..3).find(|&k| roles[k] == Role::Active);
        if now_leader == leader {
            continue;
        }
        let t = at_us.clamp(FAULT_US.0, FAULT_US.1);
        match leader {
            Some(l) => led_us[l] += t - since,
            None => longest_leaderless_us = longest_leaderless_us.max(t - since),
        }
        since = t;
        leader = now_leader;
        if (FAULT_US.0..=FAULT_US.1 + 60_000_000).contains(&at_us) {
            churn_until_us = at_us;
            if leader.is_some() && (FAULT_US.0..FAULT_US.1).contains(&at_us) {
                leaderships += 1;
            }
        }
    }
    match leader {
        Some(l) => led_us[l] += FAULT_US.1 - since.min(FAULT_US.1),
        None => longest_leaderless_us = longest_leaderless_us.max(FAULT_US.1 - since.min(FAULT_US.1)),
    }
    let led_total = led_us.iter().sum::<u64>().max(1) as f64;
    let o = r.outcome.clone();
    let etcd_group = o.groups.iter().find(|g| g.name == "etcd").expect("etcd group");
    Seed {
        seed,
        leaderless_s: (FAULT_US.1 - FAULT_US.0) as f64 / 1e6 - led_total / 1e6,
        longest_leaderless_s: longest_leaderless_us as f64 / 1e6,
        churn_until_s: (churn_until_us - FAULT_US.0) as f64 / 1e6,
        leader_changes: etcd_group.leader_changes,
        leaderships,
        write_gap_s: m(&o, "etcd_write_gap_s_max"),
        node1_elections: m(&o, "etcd1_elections_max"),
        leader_share: led_us.map(|u| u as f64 / led_total),
        failovers: m(&o, "db_failovers_max"),
        rebuilds,
        impact_s: o.request_impact_s,
        min_success_pct: o.success_rate_min_pct,
        outcome: o,
    }
}

/// Seeds 1-10 with these settings, two at a time.
fn over_seeds(label: &str, sets: &[(&str, OverrideValue)]) -> Vec<Seed> {
    let seeds: Vec<u64> = SEEDS.collect();
    let mut out: Vec<Seed> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .chunks(seeds.len().div_ceil(2))
            .map(|chunk| s.spawn(move || chunk.iter().map(|&seed| summarise(&run_with(NAME, sets, seed), seed)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("run thread")).collect()
    });
    out.sort_by_key(|s| s.seed);
    eprintln!("{label}:");
    eprintln!("  seed | leaderless s | longest leaderless s | churn until s | leaders elected | leader changes | longest write gap s | node-1 elections | led by 1/2/3 % | failovers | rebuilds | impact s | min success %");
    for s in &out {
        eprintln!(
            "  {:>4} | {:>12.0} | {:>20.1} | {:>13.0} | {:>15} | {:>14} | {:>19} | {:>16} | {:>4.0}/{:>3.0}/{:>3.0} | {:>9} | {:>8} | {:>8.0} | {:>6.1}",
            s.seed,
            s.leaderless_s,
            s.longest_leaderless_s,
            s.churn_until_s,
            s.leaderships,
            s.leader_changes,
            s.write_gap_s,
            s.node1_elections,
            100.0 * s.leader_share[0],
            100.0 * s.leader_share[1],
            100.0 * s.leader_share[2],
            s.failovers,
            s.rebuilds,
            s.impact_s,
            s.min_success_pct
        );
    }
    out
}

fn count(runs: &[Seed], f: impl Fn(&Seed) -> bool) -> usize {
    runs.iter().filter(|s| f(s)).count()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    (v[(v.len() - 1) / 2] + v[v.len() / 2]) / 2.0
}

/// The postmortem's picture, seed by seed.
fn recorded(s: &Seed) -> bool {
    // Leaders keep being deposed and re-elected until the switch recovers, with
    // stretches of no leader adding up to more than half a minute, and the
    // manager's writes failing for longer than its 30 s lease.
    let no_stable_leader = s.churn_until_s >= 300.0 && s.leaderships >= 5 && s.leaderless_s >= 30.0 && s.write_gap_s > 30.0;
    let node1_campaigns_and_never_leads = s.node1_elections >= 100.0 && s.leader_share[0] == 0.0;
    let node2_backs_node3 = s.leader_share[2] > s.leader_share[1];
    let cascade = s.failovers == 1.0 && s.rebuilds == 2;
    let impact = (s.min_success_pct - 75.0).abs() <= 10.0 && (s.impact_s - 23_580.0).abs() <= 1_200.0;
    no_stable_leader && node1_campaigns_and_never_leads && node2_backs_node3 && cascade && impact
}

#[test]
fn history_shows_the_recorded_failure_in_nine_of_ten_seeds() {
    let h = over_seeds("historical", &[]);
    let ok = count(&h, recorded);
    assert!(ok >= 9, "recorded behaviour in {ok} of 10 seeds");
    // The cascade comes from the leaderless minutes, not from a capacity setting.
    assert!(h.iter().all(|s| s.outcome.events < 1_900_000), "event budget");
}

/// What the model predicts where it falls short of the record (no leader for
/// about six minutes): every leaderless stretch is brief, because node 3 is level
/// with node 1's term after each deposition and node 2's lease lapses within an
/// election timeout, so it is voted back in within seconds. The failover comes
/// from the run of depositions lasting the whole fault, not from one long
/// leaderless stretch (docs/cloudflare-2020.md, "Looking for a mechanism").
#[test]
fn leaderless_stretches_are_brief_but_the_depositions_last_the_fault() {
    let h = over_seeds("historical (leaderless stretches)", &[]);
    for s in &h {
        assert!(s.longest_leaderless_s < 30.0, "seed {}: a {} s stretch without a leader outlasts the manager's lease", s.seed, s.longest_leaderless_s);
        assert!(s.churn_until_s >= 300.0 && s.write_gap_s > 30.0, "seed {}: the depositions stop early or the writes get through", s.seed);
    }
}

#[test]
fn the_cascade_does_not_depend_on_database_capacity() {
    for cap in [2.0, 2.2, 2.5] {
        let runs = over_seeds(&format!("db_capacity {cap}"), &[num("db_capacity", cap)]);
        assert!(count(&runs, |s| s.failovers == 1.0) >= 9, "db_capacity {cap}");
    }
}

#[test]
fn prevote_alone_is_refused_while_node_1_lags_but_guarantees_nothing() {
    // CheckQuorum off, PreVote on. The fact sheet (§5.2) expects PreVote alone
    // not to help, reasoning from equal logs. Here node 1 hears one packet in
    // ten, so its log lags and node 2 refuses its pre-votes on the log check
    // (a refused pre-vote raises no term): the churn mostly stops. Whenever
    // node 1 has caught up, node 2 grants (no lease without CheckQuorum) and
    // a leader that cannot hear its followers does not step down, so some
    // seeds still fail over; with CheckQuorum as well, none does.
    let h = over_seeds("historical", &[]);
    let p = over_seeds("PreVote alone", &[on("raft_prevote"), off("raft_check_quorum")]);
    let b = over_seeds("PreVote + CheckQuorum", &[on("raft_prevote")]);
    assert!(median(p.iter().map(|s| s.node1_elections).collect()) < median(h.iter().map(|s| s.node1_elections).collect()) / 10.0);
    let failed_over = |runs: &[Seed]| count(runs, |s| s.failovers >= 1.0);
    eprintln!("failover in: history {}, PreVote alone {}, PreVote + CheckQuorum {} of 10", failed_over(&h), failed_over(&p), failed_over(&b));
    assert!(failed_over(&p) < failed_over(&h));
    assert!(failed_over(&p) >= failed_over(&b));
    assert!(p.iter().any(|s| s.node1_elections > 0.0), "node 1 still raises a term when its log has caught up");
}

#[test]
fn prevote_with_check_quorum_keeps_node_3_leading() {
    // Node 2 hears leader 3, so it refuses node 1's pre-votes (the lease), and a
    // refused pre-vote raises nobody's term: nothing ever deposes node 3.
    let b = over_seeds("PreVote + CheckQuorum", &[on("raft_prevote")]);
    for s in &b {
        assert_eq!(s.leader_changes, 0, "seed {}", s.seed);
        assert_eq!(m(&s.outcome, "etcd_term_max"), 1.0, "seed {}: no term rises", s.seed);
        assert_eq!(s.failovers, 0.0, "seed {}", s.seed);
        assert_eq!(s.impact_s, 0.0, "seed {}", s.seed);
    }
}

#[test]
fn a_promotion_delay_longer_than_the_outage_stops_the_cascade() {
    let d = over_seeds("promotion delay 600 s", &[num("promotion_delay", 600.0)]);
    for s in &d {
        assert!(s.leaderless_s >= 30.0, "seed {}: etcd churns as before", s.seed);
        assert_eq!(s.failovers, 0.0, "seed {}", s.seed);
        assert!(s.min_success_pct > 99.0, "seed {}", s.seed);
    }
}

#[test]
fn waiting_for_a_stable_etcd_stops_the_cascade() {
    let w = over_seeds("wait for a stable etcd", &[on("wait_stable_etcd")]);
    assert!(w.iter().all(|s| s.failovers == 0.0 && s.impact_s == 0.0));
}

#[test]
fn fixing_the_rebuild_defect_keeps_the_replicas() {
    // The failover still happens; replicas resync in a minute instead of
    // rebuilding for hours, so the impact shrinks from hours to minutes.
    // (In some seeds the clients' retry order against the new primary keeps
    // latency above twice the best bucket's for hours, which the impact
    // measure counts: seed 10 after the common-random-numbers change.)
    let h = over_seeds("historical", &[]);
    let r = over_seeds("rebuild defect fixed", &[off("full_rebuild_defect")]);
    for (hs, rs) in h.iter().zip(&r) {
        assert!(rs.failovers >= 1.0, "seed {}: the failover still happens", rs.seed);
        assert!(rs.min_success_pct > hs.min_success_pct, "seed {}", rs.seed);
        assert_eq!(rs.outcome.groups_all_down, 0, "seed {}", rs.seed);
    }
    let short = h.iter().zip(&r).filter(|(hs, rs)| rs.impact_s < hs.impact_s / 10.0).count();
    assert!(short >= 9, "impact cut to a tenth in {short} of 10 seeds");
}

#[test]
fn a_longer_election_timeout_rides_out_the_lossy_link() {
    // 5 s = 50 heartbeats; node 1 missing all of them at a 90% drop rate is rare.
    let h = over_seeds("historical", &[]);
    let t = over_seeds("election timeout 5 s", &[num("etcd_election_timeout", 5000.0), num("etcd_election_timeout_max", 9900.0)]);
    assert!(count(&t, |s| s.failovers == 0.0) > count(&h, |s| s.failovers == 0.0));
    assert!(median(t.iter().map(|s| s.leaderless_s).collect()) < median(h.iter().map(|s| s.leaderless_s).collect()));
}

#[test]
fn a_heartbeat_longer_than_the_election_timeout_breaks_raft_timing() {
    // Broadcast time << election timeout is Raft's timing requirement; a 1.5 s
    // heartbeat against a 1.0-1.9 s timeout makes followers time out with no
    // fault at all.
    let h = run_with(NAME, &[], 1).outcome;
    let t = run_with(NAME, &[num("etcd_heartbeat", 1500.0)], 1).outcome;
    assert!(t.leader_changes > 10 * h.leader_changes, "{} vs {}", t.leader_changes, h.leader_changes);
}

#[test]
fn client_backoff_buys_no_capacity_and_adds_latency() {
    // With two of three members rebuilding for hours the primary is short of
    // capacity whatever the clients do: backoff spreads the same retries out,
    // so the success rate stays put and successful retries wait longer.
    let h = run_with(NAME, &[], 1).outcome;
    let b = run_with(NAME, &[on("client_backoff")], 1).outcome;
    assert!((b.success_rate_pct - h.success_rate_pct).abs() < 1.0, "{} vs {}", b.success_rate_pct, h.success_rate_pct);
    assert!(b.latency_mean_ms > h.latency_mean_ms, "{} vs {}", b.latency_mean_ms, h.latency_mean_ms);
}

/// Prints the per-bucket request series: `cargo test --release --test cloudflare -- --ignored --nocapture`
/// (`SEED=N` for another seed, `NO_DEFECT=1` with the rebuild defect fixed).
#[test]
#[ignore]
fn print_buckets() {
    let seed = std::env::var("SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let sets = if std::env::var_os("NO_DEFECT").is_some() { vec![off("full_rebuild_defect")] } else { vec![] };
    let r = run_with(NAME, &sets, seed);
    for (i, b) in r.run.trace.buckets.iter().enumerate() {
        let total = b.ok + b.failed;
        let mean = if b.ok > 0 { b.latency_sum_us as f64 / f64::from(b.ok) / 1e3 } else { 0.0 };
        println!("{:>4} min  ok {:>4} failed {:>4}  success {:>5.1}%  mean {:>7.0} ms", i * 5, b.ok, b.failed, 100.0 * f64::from(b.ok) / f64::from(total.max(1)), mean);
    }
}
