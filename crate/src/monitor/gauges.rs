//! Summaries of the model-defined gauges (replication lag, data deleted, ...):
//! the last and the largest value of each, over all nodes, and the sum of
//! each node's last value (for per-node counts such as a target's objects).
//! Each carries the unit its model declared when it registered the gauge, so
//! the page and the CLI label and format it without reading the name.

use serde::{Deserialize, Serialize};

use super::metrics::Unit;
use crate::trace::event::TraceEvent;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GaugeSummary {
    pub name: String,
    #[serde(default)]
    pub unit: Unit,
    pub last: i64,
    pub max: i64,
    pub min: i64,
    /// Sum over nodes of each node's last value (as a metric: `NAME_total`).
    #[serde(default)]
    pub total: i64,
}

/// `names[i]` and `units[i]` are gauge `i`'s (a missing unit reads as a count).
pub fn measure(events: &[TraceEvent], names: &[String], units: &[Unit]) -> Vec<GaugeSummary> {
    let mut out: Vec<GaugeSummary> = names
        .iter()
        .enumerate()
        .map(|(i, n)| GaugeSummary { name: n.clone(), unit: units.get(i).copied().unwrap_or_default(), ..GaugeSummary::default() })
        .collect();
    let mut seen = vec![false; names.len()];
    let mut last_by_node: std::collections::BTreeMap<(u16, u32), i64> = std::collections::BTreeMap::new();
    for e in events {
        if let TraceEvent::Gauge { gauge, value, node, .. } = *e {
            last_by_node.insert((gauge, node.0), value);
            let g = usize::from(gauge);
            let Some(s) = out.get_mut(g) else { continue };
            if !seen[g] {
                seen[g] = true;
                s.max = value;
                s.min = value;
            }
            s.last = value;
            s.max = s.max.max(value);
            s.min = s.min.min(value);
        }
    }
    for ((gauge, _), value) in last_by_node {
        if let Some(s) = out.get_mut(usize::from(gauge)) {
            s.total += value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NodeId;

    #[test]
    fn last_max_and_min_per_gauge() {
        let g = |at_us, gauge, value| TraceEvent::Gauge { at_us, node: NodeId(0), gauge, value };
        let events = [g(0, 0, 5), g(1, 1, -3), g(2, 0, 9), g(3, 0, 2)];
        let r = measure(&events, &["lag".into(), "other".into()], &[Unit::Bytes]);
        assert_eq!((r[0].unit, r[1].unit), (Unit::Bytes, Unit::Count), "declared, else a count");
        assert_eq!((r[0].last, r[0].max, r[0].min), (2, 9, 2));
        assert_eq!((r[1].last, r[1].max, r[1].min), (-3, -3, -3));
        assert_eq!(r[0].total, 2, "one node: its last value");
        let by_node = |node, value| TraceEvent::Gauge { at_us: 0, node: NodeId(node), gauge: 0, value };
        let r = measure(&[by_node(0, 4), by_node(1, 7), by_node(0, 5)], &["objects".into()], &[Unit::Count]);
        assert_eq!(r[0].total, 12, "each node's last value, summed");
    }
}
