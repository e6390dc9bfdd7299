//! Scenario specs of the fencing and recovery actors around fileserver pairs:
//! fence devices and the quorum witness (`model/fencing/`) and the operators'
//! runbook (`model/fileserver/ops_team.rs`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::BuildCx;
use crate::ids::NodeId;
use crate::model::fencing::device::{FenceConfig, FenceDevice};
use crate::model::fileserver::ops_team::{OpsConfig, OpsTeam};
use crate::model::fencing::witness::{Witness, WitnessConfig};
use crate::model::AnyModel;
use crate::scenario::error::ScenarioError;
use crate::scenario::field_path::FieldPath;
use crate::scenario::format::Quantity;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FenceDeviceSpec {
    /// Nodes whose power it controls.
    pub targets: Vec<String>,
    /// From a request's arrival to the power cut.
    pub action_delay: Quantity,
    /// Plane it answers on.
    pub plane: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WitnessSpec {
    pub pairs: Vec<[String; 2]>,
    pub plane: String,
    /// Silence after which the witness lends its vote to the other member.
    pub dead_time: Quantity,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpsTeamSpec {
    /// Fileserver pairs, in the order the team walks them.
    pub pairs: Vec<[String; 2]>,
    /// Plane the team reaches fileservers on.
    pub plane: String,
    /// Clients (frontends) stopped while the site is in maintenance.
    #[serde(default)]
    pub clients: Vec<String>,
    pub client_plane: String,
    /// Group name of the site (unavailable while in maintenance).
    pub site_group: String,
    /// Time to check every pair's state after `recover`.
    pub survey_time: Quantity,
    /// Per broken pair: boot what is off, read the logs, name the last primary.
    pub check_time: Quantity,
    /// Per broken pair: watch the resync before moving on.
    pub resync_time: Quantity,
}

fn pairs(cx: &BuildCx, list: &[[String; 2]], path: &FieldPath) -> Result<Vec<[NodeId; 2]>, ScenarioError> {
    let mut out = vec![];
    for (i, [a, b]) in list.iter().enumerate() {
        let a = cx.node(a, &path.index(i).index(0))?;
        let b = cx.node(b, &path.index(i).index(1))?;
        if a == b {
            return Err(cx.err(path.index(i), "a pair needs two different nodes"));
        }
        // Pairs left out of the run (a smaller fleet) are not watched or repaired.
        if !cx.is_dormant(a) && !cx.is_dormant(b) {
            out.push([a, b]);
        }
    }
    Ok(out)
}

pub fn build_fence_device(s: &FenceDeviceSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let targets = cx.nodes(&s.targets, &p.field("targets"))?;
    if targets.is_empty() {
        return Err(cx.err(p.field("targets"), "a fence device needs at least one target"));
    }
    let cfg = FenceConfig {
        targets,
        action_delay_us: cx.values.micros(&s.action_delay, &p.field("action_delay"))?,
        plane: cx.plane(&s.plane, &p.field("plane"))?,
    };
    Ok(Box::new(FenceDevice::new(cfg)))
}

pub fn build_witness(s: &WitnessSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let cfg = WitnessConfig {
        pairs: pairs(cx, &s.pairs, &p.field("pairs"))?,
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        dead_time_us: cx.positive_micros(&s.dead_time, &p.field("dead_time"))?,
    };
    Ok(Box::new(Witness::new(cfg)))
}

pub fn build_ops_team(s: &OpsTeamSpec, cx: &mut BuildCx, _me: NodeId, p: &FieldPath) -> Result<AnyModel, ScenarioError> {
    let pairs = pairs(cx, &s.pairs, &p.field("pairs"))?;
    if s.pairs.is_empty() {
        return Err(cx.err(p.field("pairs"), "name at least one pair"));
    }
    let clients = cx.nodes(&s.clients, &p.field("clients"))?.into_iter().filter(|&c| !cx.is_dormant(c)).collect();
    let cfg = OpsConfig {
        pairs,
        plane: cx.plane(&s.plane, &p.field("plane"))?,
        clients,
        client_plane: cx.plane(&s.client_plane, &p.field("client_plane"))?,
        site_group: cx.group(&s.site_group),
        survey_time_us: cx.values.micros(&s.survey_time, &p.field("survey_time"))?,
        check_time_us: cx.values.micros(&s.check_time, &p.field("check_time"))?,
        resync_time_us: cx.values.micros(&s.resync_time, &p.field("resync_time"))?,
    };
    Ok(Box::new(OpsTeam::new(cfg)))
}
