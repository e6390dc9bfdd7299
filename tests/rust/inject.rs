//! Injected actions and the chaos monkey: the same checks as timeline steps,
//! errors that name the field, determinism, and per-model commands.

mod common;

use incident_replay::replay::{replay_with, Replay};
use incident_replay::scenario::chaos::{self, FaultKind};
use incident_replay::scenario::inject::{self, InjectedAction};
use incident_replay::engine::host::Health;
use incident_replay::model::effect::Role;
use incident_replay::scenario::{self, OverrideValue, Overrides};
use incident_replay::trace::event::TraceEvent;

fn actions(lines: &[&str]) -> Vec<InjectedAction> {
    lines.iter().map(|l| inject::parse_text(l).unwrap_or_else(|e| panic!("{e}"))).collect()
}

fn run(name: &str, sets: &[(&str, OverrideValue)], seed: u64, injected: Vec<InjectedAction>) -> Result<Replay, String> {
    let o: Overrides = sets.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    replay_with(&format!("{name}.json"), &common::scenario_text(name), &o, seed, injected).map_err(|e| e.to_string())
}

fn error(name: &str, lines: &[&str]) -> String {
    run(name, &[], 1, actions(lines)).err().expect("the actions should be refused")
}

#[test]
fn bad_actions_are_refused_with_the_field_named() {
    assert_eq!(error("raft-elections", &["1s crash s9"]), "raft-elections.json: actions[0].action.crash.node: no node named `s9`");
    assert!(error("raft-elections", &["1s crash s1", "99h restart s1"]).starts_with("raft-elections.json: actions[1].at: 99h 00m is after the end of the run"));
    assert!(error("raft-elections", &["1s cut s1 s2 planes=wan"]).starts_with("raft-elections.json: actions[0].action.cut.planes[0]: no plane named `wan`"));
    assert!(error("raft-elections", &["1s partition s1,s2/s2,s3"]).contains("actions[0].action.partition.groups[1][0]: `s2` is in two groups"));
    assert!(error("raft-elections", &["1s netem s1 s2 loss=150%"]).contains("actions[0].action.netem.loss: a probability cannot be above 100%"));
    assert!(error("raft-elections", &["1s pause s1 4GB"]).contains("actions[0].action.pause.duration: `4GB` is a size, expected a duration"));
}

#[test]
fn an_action_that_blows_the_event_budget_is_refused_on_actions() {
    // A copy of the file whose budget just fits its own run (and its projection):
    // ten thousand injected notes are ten thousand more events than it has.
    let text = common::scenario_text("raft-elections");
    let o = Overrides::new();
    let loaded = scenario::load("raft-elections.json", &text, &o, 1).unwrap();
    let history = run("raft-elections", &[], 1, vec![]).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["limits"]["events_max"] = serde_json::json!(loaded.resolved.projected_events.max(history.outcome.events) + 100);
    let tight = value.to_string();
    assert!(replay_with("tight.json", &tight, &o, 1, vec![]).is_ok());
    let notes: Vec<InjectedAction> = (0..inject::INJECTED_MAX).map(|i| inject::parse_text(&format!("{}ms note", i)).unwrap()).collect();
    let e = replay_with("tight.json", &tight, &o, 1, notes).err().expect("over budget");
    assert_eq!(e.path, "actions");
    assert!(e.reason.starts_with("with the injected actions, "), "{e}");
}

#[test]
fn too_many_actions_are_refused_before_anything_runs() {
    let lines: Vec<String> = (0..inject::INJECTED_MAX + 1).map(|_| "1s note".to_string()).collect();
    let e = inject::parse_lines("--inject", &lines).err().unwrap();
    assert_eq!(e.path, "actions");
}

#[test]
fn an_actions_file_names_its_own_fields() {
    let e = inject::parse_file("my-actions.json", r#"[{"at": "1s", "action": {"crash": {"nod": "s1"}}}]"#).err().unwrap();
    assert_eq!(e.file, "my-actions.json");
    assert!(e.path.starts_with("[0].action"), "{e}");
    let ok = inject::parse_file("a.json", r#"[{"at": "1s", "action": {"crash": {"node": "s1"}}}]"#).unwrap();
    assert_eq!(inject::to_text(&ok[0]), "1s crash s1");
}

#[test]
fn a_run_with_injected_actions_is_deterministic_and_differs_from_history() {
    let lines = ["3s restart s1", "3.5s cut s2 s3 both", "4s netem s4 s5 both loss=30% delay=5ms", "6s crash s2", "7s heal_all", "8s netem s4 s5 both"];
    let a = run("raft-elections", &[], 4, actions(&lines)).unwrap();
    let b = run("raft-elections", &[], 4, actions(&lines)).unwrap();
    let history = run("raft-elections", &[], 4, vec![]).unwrap();
    assert_eq!(a.outcome.digest, b.outcome.digest);
    assert_eq!(a.timeline_text(), b.timeline_text());
    assert_ne!(a.outcome.digest, history.outcome.digest);
    let text = a.timeline_text();
    assert!(text.contains("injected 0 \"3s restart s1\""), "{text}");
    assert!(text.contains("link s4->s5@raft Degraded"), "{text}");
}

#[test]
fn an_injected_note_changes_nothing_but_its_own_record() {
    let a = run("demo-partition", &[], 2, actions(&["30s note"])).unwrap();
    let history = run("demo-partition", &[], 2, vec![]).unwrap();
    assert_eq!(a.outcome.events, history.outcome.events + 1);
    assert_eq!(a.outcome.split_brain_s, history.outcome.split_brain_s);
    assert_eq!(a.outcome.acked_writes, history.outcome.acked_writes);
}

/// The node active in `group` at `t_us`, if one is, from the trace.
fn active_at(r: &Replay, t_us: u64) -> Option<u32> {
    let mut active = None;
    for e in &r.run.trace.events {
        if e.at_us() > t_us {
            break;
        }
        if let TraceEvent::Role { node, role, .. } = *e {
            if role == Role::Active {
                active = Some(node.0);
            } else if active == Some(node.0) {
                active = None;
            }
        }
    }
    active
}

#[test]
fn crashing_the_leader_elects_a_new_one() {
    // raft-elections crashes its first leader at 1 s; by 5 s another leads.
    let history = run("raft-elections", &[], 1, vec![]).unwrap();
    let leader = active_at(&history, 5_000_000).expect("a leader at 5 s");
    let name = &history.run.node_names[leader as usize];
    let crashed = run("raft-elections", &[], 1, actions(&[&format!("5s crash {name}")])).unwrap();
    let next = active_at(&crashed, 12_000_000).expect("a new leader after the crash");
    assert_ne!(next, leader);
    assert!(crashed.outcome.leader_changes > history.outcome.leader_changes);
}

/// Seconds from `from_us` to `to_us` during which `a` and `b` were both up and active.
fn both_active_s(r: &Replay, a: &str, b: &str, from_us: u64, to_us: u64) -> f64 {
    let id = |n: &str| r.run.node_names.iter().position(|x| x == n).unwrap() as u32;
    let (a, b) = (id(a), id(b));
    let mut state = [(Health::Up, Role::None); 2];
    let (mut last, mut total) = (from_us, 0u64);
    let both = |s: &[(Health, Role); 2]| s.iter().all(|&(h, r)| h == Health::Up && r == Role::Active);
    for e in &r.run.trace.events {
        let t = e.at_us().clamp(from_us, to_us);
        if both(&state) {
            total += t - last;
        }
        last = t;
        let slot = |n: u32| if n == a { Some(0) } else if n == b { Some(1) } else { None };
        match *e {
            TraceEvent::Health { node, health, .. } => slot(node.0).into_iter().for_each(|i| state[i].0 = health),
            TraceEvent::Role { node, role, .. } => slot(node.0).into_iter().for_each(|i| state[i].1 = role),
            _ => {}
        }
    }
    total as f64 / 1e6
}

/// The issue's example: cut both directions of one GitHub pair's heartbeat
/// link at 11:30 (30 min in). With the default settings the passive promotes
/// before its STONITH has confirmed, so for the fence's round both serve; with
/// `fence_before_promote` it waits for the fence and never overlaps. (The
/// history's own split brains come later, with the freeze at 75 min.)
#[test]
fn cutting_a_github_pairs_heartbeat_splits_it_unless_promotion_waits_for_the_fence() {
    let cut = || actions(&["30min cut fs05a fs05b both planes=cluster"]);
    let window = |r: &Replay| both_active_s(r, "fs05a", "fs05b", 30 * 60_000_000, 40 * 60_000_000);
    for seed in [1, 2, 3] {
        let history = run("github-2012", &[], seed, vec![]).unwrap();
        let broken = run("github-2012", &[], seed, cut()).unwrap();
        assert_eq!(window(&history), 0.0, "seed {seed}");
        assert!(window(&broken) > 0.5, "seed {seed}: {}", window(&broken));
        let fenced = [common::on("fence_before_promote")];
        let broken = run("github-2012", &fenced, seed, cut()).unwrap();
        assert_eq!(window(&broken), 0.0, "seed {seed}");
        assert!(active_at(&broken, 40 * 60_000_000).is_some());
    }
}

#[test]
fn commands_are_the_target_models_own_and_take_arguments() {
    let e = error("gitlab-2017", &["1min command db1 maintenance_on"]);
    assert!(e.contains("actions[0].action.command.command: `db1` runs `postgres`: no command `maintenance_on` here (commands: start_load_burst,"), "{e}");
    let e = error("gitlab-2017", &["1min command db1 fill_disk"]);
    assert!(e.contains("needs the argument `bytes`"), "{e}");
    let e = error("gitlab-2017", &["1min command db1 fill_disk bytes=20s"]);
    assert!(e.contains("actions[0].action.command.command.fill_disk.bytes: `20s` is a duration, expected a size"), "{e}");
    let e = error("gitlab-2017", &["1min command db1 fill_disk bytes=1GB size=2GB"]);
    assert!(e.contains("command.command.fill_disk.size: `fill_disk` takes no argument `size` (its arguments: bytes)"), "{e}");
    let e = error("github-2012", &["1min command fs01a,ops recover"]);
    assert!(e.contains("send a command to nodes of one model"), "{e}");
    let s = scenario::parse("gitlab-2017.json", &common::scenario_text("gitlab-2017")).unwrap();
    let pg = s.nodes.iter().find(|n| n.model.name() == "postgres").unwrap();
    let fill = pg.model.commands().iter().find(|c| c.name == "fill_disk").expect("postgres lists fill_disk");
    assert_eq!(fill.args[0].name, "bytes");
}

#[test]
fn filling_the_primarys_disk_stops_its_writes_and_freeing_it_restarts_them() {
    let minute = 60_000_000;
    let history = run("gitlab-2017", &[], 1, vec![]).unwrap();
    assert_eq!(active_at(&history, 11 * minute), Some(0));
    let full = run("gitlab-2017", &[], 1, actions(&["10min command db1 fill_disk bytes=100000GB"])).unwrap();
    assert_eq!(active_at(&full, 11 * minute), None, "a full disk stops the primary");
    let freed = run("gitlab-2017", &[], 1, actions(&["10min command db1 fill_disk bytes=100000GB", "12min command db1 free_disk"])).unwrap();
    assert_eq!(active_at(&freed, 11 * minute), None);
    assert_eq!(active_at(&freed, 13 * minute), Some(0), "freeing the space lets it write again");
}

#[test]
fn the_chaos_monkey_is_deterministic_and_keeps_its_limits() {
    let s = scenario::parse("demo-partition.json", &common::scenario_text("demo-partition")).unwrap();
    let config = chaos::parse_config("seed=9,rate=120,netem=60,duration=5s..20s,max=2").unwrap();
    let a = chaos::for_scenario("demo-partition.json", &s, &config).unwrap();
    let b = chaos::for_scenario("demo-partition.json", &s, &config).unwrap();
    let text = |v: &[InjectedAction]| v.iter().map(inject::to_text).collect::<Vec<_>>();
    assert_eq!(text(&a), text(&b));
    assert!(a.len() > 10, "{}", a.len());
    // Another seed, other faults.
    let other = chaos::for_scenario("demo-partition.json", &s, &chaos::parse_config("seed=10,rate=120,netem=60,duration=5s..20s,max=2").unwrap()).unwrap();
    assert_ne!(text(&a), text(&other));
    // Its faults are ordinary injected actions: they run, the same twice.
    let r1 = run("demo-partition", &[], 1, a.clone()).unwrap();
    let r2 = run("demo-partition", &[], 1, b).unwrap();
    assert_eq!(r1.outcome.digest, r2.outcome.digest);
    // Never more than two faults at once; never a client.
    let mut open: Vec<String> = vec![];
    for line in text(&a) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(!words.iter().any(|w| w.starts_with("client")), "{line}");
        match words[1] {
            "crash" | "cut" => open.push(words[2..4.min(words.len())].join(" ")),
            "restart" | "heal" => open.retain(|o| o != &words[2..4.min(words.len())].join(" ")),
            "netem" if line.contains("loss=") => open.push(words[2..4].join(" ")),
            "netem" => open.retain(|o| o != &words[2..4].join(" ")),
            _ => {}
        }
        assert!(open.len() <= 2, "{line}: {open:?}");
    }
}

#[test]
fn one_kinds_rate_leaves_the_other_kinds_faults_alone() {
    let s = scenario::parse("raft-elections.json", &common::scenario_text("raft-elections")).unwrap();
    let only = |text: &str, kind: &str| -> Vec<String> {
        let c = chaos::parse_config(text).unwrap();
        chaos::for_scenario("raft-elections.json", &s, &c).unwrap().iter().map(inject::to_text).filter(|l| l.contains(kind)).collect()
    };
    // With room for every fault (max high), the pauses do not move when crashes are added.
    // With room for every fault (max high), the pauses keep their times when
    // crashes are added (the target may differ: a crashed node is not free).
    let times = |v: Vec<String>| v.iter().map(|l| l.split(' ').next().unwrap().to_string()).collect::<Vec<_>>();
    let a = times(only("seed=3,pause=600,duration=1s..1s,max=100", "pause"));
    let b = times(only("seed=3,pause=600,crash=900,duration=1s..1s,max=100", "pause"));
    assert!(!a.is_empty());
    assert_eq!(a, b);
    assert!(chaos::parse_config("seed=3,rate=1").unwrap().rates_per_hour.contains_key(&FaultKind::Cut));
}

#[test]
fn chaos_targets_must_exist() {
    let s = scenario::parse("raft-elections.json", &common::scenario_text("raft-elections")).unwrap();
    let e = chaos::for_scenario("raft-elections.json", &s, &chaos::parse_config("rate=5,targets=s1+s9").unwrap()).err().unwrap();
    assert_eq!(e.to_string(), "raft-elections.json: chaos: chaos targets: no node named `s9`");
}

#[test]
fn healing_a_partition_heals_its_links_and_no_other_cut() {
    let lines = ["5s partition s1,s2/s3,s4,s5", "6s cut s4 s5 both", "15s heal_partition s1,s2/s3,s4,s5"];
    let text = run("sandbox-raft", &[], 1, actions(&lines)).unwrap().timeline_text();
    assert!(text.contains("00:00:05.000000 link s1->s3@raft Cut"), "{text}");
    assert!(text.contains("00:00:15.000000 link s1->s3@raft Up"), "{text}");
    assert!(!text.contains("link s4->s5@raft Up"), "the cut inside one side stays cut: {text}");
    assert_eq!(error("sandbox-raft", &["15s heal_partition s1,s9/s3"]), "sandbox-raft.json: actions[0].action.heal_partition.groups[0][1]: no node named `s9`");
}
