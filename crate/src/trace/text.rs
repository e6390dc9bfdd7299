//! The golden text timeline: one line per state change, readable in a diff.
//! Acknowledgements are too many to list; they show up in the outcome line.

use super::event::{Trace, TraceEvent};
use crate::engine::time::format_clock;
use crate::engine::host::Health;

/// Names for the text timeline: nodes, timeline steps, links and gauges by id.
pub struct Names<'a> {
    pub nodes: &'a [String],
    pub steps: &'a [String],
    pub links: &'a [String],
    pub gauges: &'a [String],
}

pub fn timeline(trace: &Trace, names: &Names) -> String {
    let (node_names, step_titles, link_names) = (names.nodes, names.steps, names.links);
    let mut out = String::new();
    let name = |i: usize| node_names.get(i).map_or("?", String::as_str);
    let mut last_gauge: Vec<((crate::ids::NodeId, u16), i64)> = vec![];
    let mut i = 0;
    while i < trace.events.len() {
        let e = &trace.events[i];
        i += 1;
        let line = match *e {
            TraceEvent::Health { at_us: 0, health: Health::Up, .. } => continue,
            TraceEvent::Health { at_us, node, health } => format!("{} {} host {}", format_clock(at_us), name(node.index()), health.name()),
            TraceEvent::Role { at_us, node, group, role, epoch } => format!(
                "{} {} group={} role={} epoch={}",
                format_clock(at_us),
                name(node.index()),
                group.0,
                role.name(),
                epoch
            ),
            TraceEvent::Link { at_us, link, status } => format!(
                "{} link {} {:?}",
                format_clock(at_us),
                link_names.get(link.index()).map_or("?", String::as_str),
                status
            ),
            TraceEvent::Step { at_us, index } => format!(
                "{} step {} \"{}\"",
                format_clock(at_us),
                index,
                step_titles.get(index as usize).map_or("?", String::as_str)
            ),
            TraceEvent::Acked { .. } => continue,
            // Gauges change often; the text keeps only changes of a tenth or more.
            TraceEvent::Gauge { at_us, node, gauge, value } => {
                let key = (node, gauge);
                let last = last_gauge.iter().find(|(k, _)| *k == key).map(|&(_, v)| v);
                if last.is_some_and(|l: i64| (value - l).abs() * 10 < l.abs().max(1)) {
                    continue;
                }
                last_gauge.retain(|(k, _)| *k != key);
                last_gauge.push((key, value));
                let g = names.gauges.get(usize::from(gauge)).map_or("?", String::as_str);
                format!("{} {} {} = {}", format_clock(at_us), name(node.index()), g, value)
            }
            TraceEvent::DataLost { at_us, node, from_us, to_us, writes } => format!(
                "{} {} lost {} acknowledged writes made from {} to {}",
                format_clock(at_us),
                name(node.index()),
                writes,
                format_clock(from_us),
                format_clock(to_us)
            ),
            TraceEvent::Discarded { at_us, node, .. } => {
                // One line per truncation: the writes a node throws away at one instant.
                let mut count = 1;
                while let Some(TraceEvent::Discarded { at_us: t, node: n, .. }) = trace.events.get(i) {
                    if (*t, *n) != (at_us, node) {
                        break;
                    }
                    count += 1;
                    i += 1;
                }
                format!("{} {} discarded {count} divergent writes", format_clock(at_us), name(node.index()))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
