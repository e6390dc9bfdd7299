//! The WAL archive: segments the primary's archiver ships in, and the
//! archived WAL a replica's `restore_command` reads back out.

use super::{BackupCatalog, CONTROL_BYTES};
use super::status::state;
use crate::ids::NodeId;
use crate::model::effect::{Cx, Effect};
use crate::model::postgres::PgMsg;

/// Largest archive read served at once (keeps messages within `u32` bytes).
const ARCHIVE_READ_MAX: u64 = 1 << 30;

impl BackupCatalog {
    /// A replica's restore_command: send the archived WAL it lacks, at most
    /// `ARCHIVE_READ_MAX` per request, ending on an archived batch boundary.
    pub(super) fn serve_archive(&mut self, cx: &mut Cx, from: NodeId, received: u64) {
        let Some(i) = self.cfg.replicas.iter().position(|&r| r == from) else { return };
        let start = received.max(self.served[i]);
        let limit = start.saturating_add(ARCHIVE_READ_MAX);
        let j = self.archive_index.partition_point(|&(pos, _)| pos <= limit);
        let Some(&(end_pos, gen_us)) = j.checked_sub(1).and_then(|j| self.archive_index.get(j)) else { return };
        if end_pos > start {
            self.served[i] = end_pos;
            cx.send(from, self.cfg.plane, PgMsg::Wal { end_pos, gen_us }, (end_pos - start) as u32);
        }
    }

    /// A WAL segment from the primary's archiver: store it and acknowledge.
    pub(super) fn on_segment(&mut self, cx: &mut Cx, from: NodeId, end_pos: u64, gen_us: u64) {
        if end_pos <= self.archived_pos {
            return; // a resend of what is archived already
        }
        let first = self.archived_pos == 0;
        (self.archived_pos, self.archived_gen_us) = (end_pos, gen_us);
        self.archive_index.push((end_pos, gen_us));
        cx.send(from, self.cfg.plane, PgMsg::SegmentAck { end_pos }, CONTROL_BYTES);
        if first {
            cx.emit(Effect::Gauge { gauge: self.cfg.gauges.archive, value: state::USABLE });
        }
    }
}
