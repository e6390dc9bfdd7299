//! The primary's tick: WAL generated from the workload, retention (keep
//! segments, slots, archive), streaming to replicas, and disk usage.

use super::*;

impl Postgres {
    pub(super) fn primary_tick(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        let rate = self.cfg.wal_rate + self.burst_rate.unwrap_or(0);
        let demand = Self::over(rate, self.cfg.tick_us);
        let mut write = demand;
        // Synchronous commit: a commit returns only once a replica has its WAL, so
        // the primary cannot get further ahead than what is in flight.
        let sync_floor = self.peers.iter().filter(|p| p.connected && !p.broken && p.basebackup.is_none()).map(|p| p.received).min();
        if self.cfg.sync_commit {
            if let Some(floor) = sync_floor {
                write = write.min((floor + self.cfg.send_window.min(demand)).saturating_sub(self.insert));
                self.writes_delayed += demand - write;
                Self::gauge(cx, self.cfg.gauges.writes_delayed, self.writes_delayed);
                let wait_us = if self.insert > floor { now.saturating_sub(self.written_at(floor + 1)) } else { 0 };
                Self::gauge(cx, self.cfg.gauges.commit_wait_ms, wait_us / 1_000);
            }
        }
        self.insert += write;
        self.history.push((now, self.insert));

        // Retention: what the primary keeps, and which replicas fell off it.
        let oldest_local = self.oldest_local();
        let mut kept = self.insert - oldest_local;
        for i in 0..self.peers.len() {
            let p = &mut self.peers[i];
            if !p.connected || p.broken || p.basebackup.is_some() {
                continue;
            }
            if !self.cfg.slot && p.sent < oldest_local {
                p.broken = true;
                let (needed, archived) = (p.sent, self.cfg.archive);
                cx.send(self.cfg.replicas[i], self.cfg.plane, PgMsg::WalGone { needed, archived }, CONTROL_BYTES);
                // With an archive the replica reads the gap from there and reconnects;
                // without one it needs a rebuild: that is "replication broken".
                if !archived && !self.broken_reported {
                    self.broken_reported = true;
                    Self::gauge(cx, self.cfg.gauges.broken_at_s, now / US_PER_S);
                }
                continue;
            }
            if self.cfg.slot {
                kept = kept.max(self.insert - p.received);
            }
        }
        let disk_used = self.cfg.data_bytes + kept + self.filler_bytes;
        Self::gauge(cx, self.cfg.gauges.wal_kept, kept);
        Self::gauge(cx, self.cfg.gauges.disk_used, disk_used);
        if disk_used > self.cfg.disk_bytes {
            // PANIC: could not write WAL. The primary stops until someone frees space.
            self.writes_stopped_at = Some(now);
            self.set_state(cx, PgState::DiskFull);
            return;
        }

        for i in 0..self.peers.len() {
            let p = &self.peers[i];
            if !p.connected || p.broken || p.basebackup.is_some() {
                continue;
            }
            let received = p.received;
            let sent = p.sent;
            let lag = self.insert - received;
            Self::gauge(cx, self.cfg.gauges.lag_bytes[i], lag);
            let lag_us = if lag == 0 { 0 } else { now.saturating_sub(self.written_at(received + 1)) };
            Self::gauge(cx, self.cfg.gauges.lag_s[i], lag_us / US_PER_S);
            // Stream whole ticks of WAL, so each message knows when its end was written.
            let target = self.insert.min(received + self.cfg.send_window);
            let j = self.history.partition_point(|&(_, pos)| pos <= target);
            if let Some(&(gen_us, end_pos)) = j.checked_sub(1).and_then(|j| self.history.get(j)) {
                if end_pos > sent {
                    let bytes = (end_pos - sent).min(u64::from(u32::MAX)) as u32;
                    cx.send(self.cfg.replicas[i], self.cfg.plane, PgMsg::Wal { end_pos, gen_us }, bytes);
                    self.peers[i].sent = end_pos;
                }
            }
        }

        if self.cfg.archive {
            if let Some(catalog) = self.cfg.catalog {
                let seg = self.cfg.segment_bytes.max(1);
                let complete = self.insert / seg * seg;
                if complete > self.archive_sent {
                    let bytes = (complete - self.archive_sent).min(u64::from(u32::MAX)) as u32;
                    let gen_us = self.written_at(complete);
                    cx.send(catalog, self.cfg.plane, PgMsg::Segment { end_pos: complete, gen_us }, bytes);
                    self.archive_sent = complete;
                }
            }
        }
    }

    /// The oldest WAL still on the primary's disk: `wal_keep_segments` worth, and
    /// with archiving also everything not yet archived (it is never recycled first).
    pub(super) fn oldest_local(&self) -> u64 {
        let mut oldest = self.insert - self.cfg.wal_keep_bytes.min(self.insert);
        if self.cfg.archive {
            oldest = oldest.min(self.archived);
        }
        oldest
    }

    pub(super) fn send_chunk(&mut self, cx: &mut Cx, i: usize) {
        let Some(bb) = self.peers[i].basebackup.as_mut() else { return };
        if !bb.copying || bb.sent >= self.cfg.data_bytes {
            return;
        }
        let bytes = self.cfg.basebackup_chunk.min(self.cfg.data_bytes - bb.sent);
        bb.sent += bytes;
        let chunk = PgMsg::BaseBackupChunk { done: bb.sent, start_pos: bb.start_pos, start_gen_us: bb.start_gen_us };
        cx.send(self.cfg.replicas[i], self.cfg.plane, chunk, bytes.min(u64::from(u32::MAX)) as u32);
    }
}
