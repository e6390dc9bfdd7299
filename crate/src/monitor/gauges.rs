//! Summaries of the model-defined gauges (replication lag, data deleted, ...):
//! the last and the largest value of each, over all nodes.

use serde::{Deserialize, Serialize};

use crate::trace::event::TraceEvent;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GaugeSummary {
    pub name: String,
    pub last: i64,
    pub max: i64,
    pub min: i64,
}

pub fn measure(events: &[TraceEvent], names: &[String]) -> Vec<GaugeSummary> {
    let mut out: Vec<GaugeSummary> = names.iter().map(|n| GaugeSummary { name: n.clone(), ..GaugeSummary::default() }).collect();
    let mut seen = vec![false; names.len()];
    for e in events {
        if let TraceEvent::Gauge { gauge, value, .. } = *e {
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
        let r = measure(&events, &["lag".into(), "other".into()]);
        assert_eq!((r[0].last, r[0].max, r[0].min), (2, 9, 2));
        assert_eq!((r[1].last, r[1].max, r[1].min), (-3, -3, -3));
    }
}
