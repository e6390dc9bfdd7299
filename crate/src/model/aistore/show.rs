//! What an AIStore node shows the viewer (`model/show.rs`): the version of the
//! cluster map (Smap) it holds and the primary that map names, what it is
//! doing about the control plane, the members its map lists (in a split, each
//! island's map lists only its own side), its host's TCP memory pressure (the
//! trigger), the liveness probes that failed and the restarts they caused,
//! and on a target the objects it stores.

use super::*;
use crate::model::show::{peers_mask, NodeShow, Unit, FACT_NONE};

/// `Phase` in order, in the words of AIStore's docs (the candidate pings the
/// old primary before it asks for votes).
const PHASE_WORDS: [&str; 5] = ["following the map", "pinging the old primary", "collecting votes", "discovering maps", "merging islands"];
/// Where the host's TCP memory stands against `tcp_mem` (`tcp_mem.rs`).
const PRESSURE_WORDS: [&str; 3] = ["ok", "under pressure: control messages fail", "full: control messages fail"];

impl AisNode {
    pub(super) fn declare_show(&self) -> NodeShow {
        // In the order the story needs them when only a few lines fit under a node.
        NodeShow::with_roles(["", "proxy", "candidate", "primary", ""])
            .fact("smap_version", "Smap version", Unit::Count)
            .fact("believed_primary", "its Smap's primary", Unit::Node)
            .follows_last()
            .fact("phase", "control plane", Unit::Choice(PHASE_WORDS.to_vec()))
            .fact("tcp_mem", "TCP memory", Unit::Choice(PRESSURE_WORDS.to_vec()))
            .fact("probe_kills", "restarts by the kubelet", Unit::Count)
            .fact("probe_failures", "failed liveness probes in a row", Unit::Count)
            .fact("objects", "objects stored", Unit::Count)
            .fact("smap_members", "its Smap lists", Unit::Peers)
            .watching(&self.cfg.cluster)
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let phase = match self.phase {
            Phase::Steady => 0,
            Phase::Pinging { .. } => 1,
            Phase::Voting => 2,
            Phase::Discovering => 3,
            Phase::Merging => 4,
        };
        let primary = self.cfg.cluster.get(usize::from(self.smap.primary)).map_or(FACT_NONE, |n| i64::from(n.0));
        let members = self.smap.members;
        let pressure = self.tcp.pressure(now_us) as i64;
        let is_target = self.cfg.targets & bit(self.me) != 0;
        out.extend_from_slice(&[
            i64::from(self.smap.version),
            primary,
            phase,
            pressure,
            self.probe_kills,
            i64::from(self.probe_failures),
            if is_target { self.objects.objects.len() as i64 } else { FACT_NONE },
            peers_mask(self.cfg.cluster.len(), |i| i < smap::NODES_MAX && members & (1 << i) != 0),
        ]);
    }
}
