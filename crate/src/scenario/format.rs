//! The scenario file format (`scenarios/*.json`): serde types only. Every struct
//! refuses unknown fields, so a typo is an error rather than a silent default.
//! Numbers with units are written as text (`"90s"`) or as a reference to a
//! parameter (`"$dead_time"`); `resolve.rs` turns them into integers.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::models;
use super::units::Unit;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub meta: Meta,
    /// Tunable numbers, each with a unit, a historical default, a range and a source.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// Mitigations a viewer can switch on or off.
    #[serde(default)]
    pub toggles: BTreeMap<String, Toggle>,
    /// Network planes, e.g. `data`, `cluster`, `mgmt`.
    pub planes: Vec<String>,
    /// Devices (switches) that links pass through.
    #[serde(default)]
    pub devices: Vec<DeviceSpec>,
    pub nodes: Vec<NodeSpec>,
    pub links: Vec<LinkSpec>,
    /// Scripted actions at absolute times, each with narration and a source.
    #[serde(default)]
    pub timeline: Vec<Step>,
    /// What history recorded, with a tolerance, to compare a run against.
    #[serde(default)]
    pub outcomes: Vec<ExpectedOutcome>,
    /// Workshop goals a viewer's settings can meet or miss.
    #[serde(default)]
    pub challenges: Vec<Challenge>,
    /// Safety properties the scenario's mechanisms guarantee (each when its
    /// condition holds), checked on runs with random faults by the property tests.
    #[serde(default)]
    pub invariants: Vec<InvariantSpec>,
    pub limits: Limits,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub title: String,
    /// What the scenario is: the gallery labels and orders its cards by it.
    #[serde(default)]
    pub kind: ScenarioKind,
    /// Calendar date of the incident, `YYYY-MM-DD`.
    pub date: String,
    /// One line for the gallery.
    pub summary: String,
    /// Historical wall-clock time of t = 0, RFC 3339 with offset, e.g. `2012-12-22T19:00:00Z`.
    pub start: String,
    /// IANA time zone for display, e.g. `America/Los_Angeles`.
    pub time_zone: String,
    /// Simulated time the run covers, e.g. `9h30min`.
    pub duration: String,
    #[serde(default)]
    pub sources: Vec<Source>,
}

/// What a scenario is, for the gallery (the simulation does not read it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// A replay of a real outage or of a documented failure, checked against
    /// what was reported (`outcomes`).
    #[default]
    Replay,
    /// An experiment that measures a mechanism over many runs (e.g. how long an election takes).
    Lab,
    /// A small made-up example of one failure.
    Demo,
    /// A healthy system with nothing scripted, to break by hand.
    Sandbox,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short id used by `source` fields elsewhere, e.g. `github-blog`.
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub unit: Unit,
    /// The historical value (or the assumed one; see `source`).
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub description: String,
    /// A source id from `meta.sources`, or `assumption` (say why in `description`).
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Toggle {
    /// The historical setting.
    pub default: bool,
    pub label: String,
    pub description: String,
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceSpec {
    pub name: String,
    #[serde(default)]
    pub label: String,
}

/// A literal with a unit (`"90s"`, `"4GB"`), a plain number, `"$parameter"`,
/// or a sum of these joined by ` + ` (`"$pause_at + $session_timeout + 2s"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Quantity {
    Number(f64),
    Text(String),
}

/// `true`/`false`, `"$toggle"`, `"!$toggle"` (on when the toggle is off), or
/// `"$parameter>=N"` (on when a numeric parameter reaches N, e.g. a fleet size),
/// or several of these joined by `&` (on when all are).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Flag {
    Value(bool),
    Ref(String),
}

impl Default for Flag {
    fn default() -> Self {
        Flag::Value(false)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// Layout hint for the stage, 0..1 across and down.
    #[serde(default)]
    pub x: Option<f64>,
    #[serde(default)]
    pub y: Option<f64>,
    pub model: ModelSpec,
    /// A node can be left out of a run (`"$pairs>=12"` sizes a fleet by a
    /// parameter): it stays on the stage but runs nothing and joins no group.
    #[serde(default = "flag_true")]
    pub enabled: Flag,
}

/// Generates `ModelSpec` and its dispatch from the registry table.
macro_rules! define_model_spec {
    ( $( $(#[$doc:meta])* $key:literal $variant:ident($spec:ty) = $build:path
         $(, msg $mv:ident($mt:ty))? $(, timer $tv:ident($tt:ty))? $(, command $cv:ident($ct:ty))? ; )* ) => {
        /// The protocol a node runs; each variant's fields are documented in `scenario/models/`.
        #[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
        pub enum ModelSpec {
            $( $(#[$doc])* #[serde(rename = $key)] $variant($spec), )*
        }

        impl ModelSpec {
            /// Short name for the browser ("ha_member", "client", ...): the key in scenario files.
            pub fn name(&self) -> &'static str {
                match self {
                    $( ModelSpec::$variant(_) => $key, )*
                }
            }

            /// The operator commands this model takes, with their arguments.
            #[allow(unreachable_code)]
            pub fn commands(&self) -> &'static [crate::model::command::CommandInfo] {
                match self {
                    $( ModelSpec::$variant(_) => {
                        $( return <$ct as crate::model::command::CommandSet>::LIST; )?
                        &[]
                    } )*
                }
            }

            /// Parse command `name` for this model (its arguments through `args`).
            #[allow(unreachable_code, unused_variables)]
            pub fn parse_command(&self, name: &str, args: &mut dyn crate::model::command::ArgReader) -> Result<crate::model::msg::Command, String> {
                match self {
                    $( ModelSpec::$variant(_) => {
                        $( return <$ct as crate::model::command::CommandSet>::parse(name, args).map(crate::model::msg::Command::$cv); )?
                        Err(crate::model::command::unknown(name, &[]))
                    } )*
                }
            }

            /// Build the model; `path` is the node's field path (`nodes[3].model`).
            pub(crate) fn build(
                &self,
                cx: &mut models::BuildCx,
                me: crate::ids::NodeId,
                path: &super::field_path::FieldPath,
            ) -> Result<crate::model::AnyModel, super::error::ScenarioError> {
                match self {
                    $( ModelSpec::$variant(s) => $build(s, cx, me, &path.field($key)), )*
                }
            }
        }
    };
}

crate::model::registry::registry!(define_model_spec);

/// Links between every ordered pair of `nodes` (both directions), or only
/// `nodes[0] -> nodes[1]` when `one_way` is set.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub nodes: Vec<String>,
    pub planes: Vec<String>,
    pub latency: Quantity,
    #[serde(default)]
    pub jitter: Option<Quantity>,
    #[serde(default)]
    pub loss: Option<Quantity>,
    #[serde(default)]
    pub bandwidth: Option<Quantity>,
    /// Devices on the path, in order.
    #[serde(default)]
    pub via: Vec<String>,
    #[serde(default)]
    pub one_way: bool,
    /// A link can exist only with a toggle on (`"$t"`) or off (`"!$t"`): two links
    /// between the same nodes on the same plane with opposite conditions let a
    /// toggle reroute a plane (e.g. around a switch).
    #[serde(default = "flag_true")]
    pub enabled: Flag,
}

fn flag_true() -> Flag {
    Flag::Value(true)
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Time since the start, e.g. `75min` or `$upgrade_at`.
    pub at: Quantity,
    /// Short chapter title for the timeline.
    pub title: String,
    pub action: ActionSpec,
    /// What happens now and why it matters, in one or two plain sentences: shown
    /// while this step is current, and read at story mode's pace (200 words a minute).
    pub narration: String,
    /// Optional details beneath the narration: sourcing caveats, assumptions of
    /// the replay, the model's internal names. Shown smaller, with the sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// Source id from `meta.sources`, or `assumption` (for the narration and its details).
    pub source: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionSpec {
    /// Narration only.
    Note,
    Crash { node: String },
    Restart { node: String },
    Pause { node: String, duration: Quantity },
    PowerOff { node: String },
    PowerOn { node: String },
    /// From now on the node's host clock runs `ppm` parts per million slow
    /// (negative: fast); its timers and the time its model reads follow it.
    ClockSkew { node: String, ppm: i32 },
    /// The node's host clock jumps forward by `by` (backwards with `backwards`),
    /// as an NTP step does; timers due by the new reading fire at once.
    ClockStep { node: String, by: Quantity, #[serde(default)] backwards: bool },
    /// Cut `from -> to` (and back, with `both_ways`) on `planes` (all when empty).
    Cut { from: String, to: String, #[serde(default)] planes: Vec<String>, #[serde(default)] both_ways: bool },
    Heal { from: String, to: String, #[serde(default)] planes: Vec<String>, #[serde(default)] both_ways: bool },
    /// `tc netem` on `from -> to` (and back, with `both_ways`) on `planes` (all
    /// when empty): `loss` (a fraction) and `delay` on top of the link's own;
    /// replaces an earlier netem there; without both it removes it.
    Netem {
        from: String,
        to: String,
        #[serde(default)]
        planes: Vec<String>,
        #[serde(default)]
        both_ways: bool,
        #[serde(default)]
        loss: Option<Quantity>,
        #[serde(default)]
        delay: Option<Quantity>,
    },
    Partition { groups: Vec<Vec<String>>, #[serde(default)] planes: Vec<String> },
    /// Heal the links a `partition` with these groups cut (and only those).
    HealPartition { groups: Vec<Vec<String>>, #[serde(default)] planes: Vec<String> },
    HealAll,
    /// The device drops `drop` of the traffic between `pairs` (all when empty)
    /// on `planes` (all when empty). `carrier_up`: links still look up (gray failure).
    DeviceFault {
        device: String,
        drop: Quantity,
        #[serde(default)]
        planes: Vec<String>,
        #[serde(default)]
        pairs: Vec<[String; 2]>,
        #[serde(default)]
        both_ways: bool,
        carrier_up: bool,
    },
    DeviceHeal { device: String },
    /// An operator command for the nodes' model (their models' `commands` list what there is).
    Command { nodes: Vec<String>, command: CommandSpec },
    /// Stop the run here.
    End,
}

/// An operator command as a file names it: `"maintenance_on"`, or an object with
/// one key, the command, holding its arguments: `{"fill_disk": {"bytes": "20GB"}}`.
/// Argument values are quantities with units, `"$parameter"` references or node names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CommandSpec {
    Name(String),
    WithArgs(BTreeMap<String, BTreeMap<String, Quantity>>),
}

/// One safety property and when it must hold.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InvariantSpec {
    pub check: Invariant,
    /// When the property must hold, e.g. `"$fence_before_promote"` (default: always).
    #[serde(default = "flag_true")]
    pub when: Flag,
    /// Why the mechanism guarantees it.
    #[serde(default)]
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Invariant {
    /// Never two live members of a group accepting writes at once (crashed,
    /// paused or powered-off members do not count until they are up again).
    SingleWriter,
    /// Never two members of a group active in the same term (Raft's election safety).
    SingleLeaderPerTerm,
    /// No acknowledged write is lost or discarded.
    NoLostWrites,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedOutcome {
    /// An outcome metric name, e.g. `degraded_s`.
    pub metric: String,
    /// `fitted` when an input was calibrated to this figure (so agreeing with it
    /// shows only that the calibration worked), `predicted` when no input was
    /// fitted to it (so the mechanism has to produce it).
    pub kind: CheckKind,
    pub value: f64,
    /// Allowed absolute difference between the run and `value`.
    pub tolerance: f64,
    pub source: String,
    #[serde(default)]
    pub note: String,
}

/// Whether a historical figure was used to set an input or is left for the model to produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Fitted,
    Predicted,
}

/// A workshop goal, e.g. "keep split-brain time at zero without more than five
/// minutes of unavailability": every goal must hold in the viewer's run.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub goals: Vec<Goal>,
}

/// One limit on an outcome metric; give `at_most`, `at_least` or both.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// An outcome metric name, e.g. `split_brain_s` or a gauge name.
    pub metric: String,
    #[serde(default)]
    pub at_most: Option<f64>,
    #[serde(default)]
    pub at_least: Option<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// A run that needs more events stops with an error instead of hanging.
    /// At most 100,000,000. Other limits a file cannot change (`scenario/cost.rs`):
    /// 10,000 nodes, 64 planes, 100,000 links, timeline steps × links at most
    /// 10,000,000, 1,024 pairs in a device fault, 1,048,576 events waiting at
    /// once and 20,000,000 trace events while running; durations at most 1 year.
    pub events_max: u64,
    /// Width of the buckets request success rates are counted in, e.g. `10s`.
    pub bucket: String,
    /// Message records kept for drawing; the digest still covers every event.
    /// At most 5,000,000.
    #[serde(default = "default_messages_recorded")]
    pub messages_recorded_max: u64,
}

fn default_messages_recorded() -> u64 {
    2_000_000
}
