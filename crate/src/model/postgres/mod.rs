//! A PostgreSQL node as a fluid model: WAL is a byte position that advances at a
//! rate, not one event per write. Every `tick` the primary turns its workload
//! (normal load, plus an abuse burst switched on and off from the timeline) into
//! WAL, keeps some of it on disk, streams it to its replicas over a link with
//! bandwidth (the link queues by bytes, so a burst faster than the link becomes
//! lag), and optionally archives finished segments to backup storage.
//!
//! Retention decides whether a lagging replica survives: without a replication
//! slot or an archive the primary keeps only `wal_keep_segments` × segment size
//! behind its insert position; when the WAL a replica still needs is older than
//! that, streaming cannot resume and the replica must be rebuilt with
//! `pg_basebackup` (a full copy over the same link). A slot keeps WAL for the
//! replica instead, at the cost of primary disk; an archive lets the replica read
//! what it missed from object storage; synchronous commit makes writes wait for
//! the replica, so the primary cannot run ahead of the link.
//!
//! The operator's actions arrive as commands: rebuild a broken replica, and the
//! `rm -rf` of a data directory, which deletes at a rate until it is interrupted.
//! Every node reports its state and the newest data it could recover to to the
//! backup catalog (`backup_catalog.rs`), which runs the recovery.

use std::collections::VecDeque;

pub mod guard;
mod msg;
mod primary;
mod replica;
mod show;

pub use msg::{PgMsg, PgTimer};

use super::effect::{Cx, Effect, Epoch, Role};
use super::msg::Command;
use super::Model;
use crate::engine::time::US_PER_S;
use crate::ids::{GroupId, NodeId, PlaneId};

const CONTROL_BYTES: u32 = 128;

/// What a node holds, as the catalog and the stage see it (also its gauge value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum PgState {
    /// Not part of this run (a mitigation that is switched off).
    Off = 0,
    /// Accepting writes.
    Primary = 1,
    /// Replica receiving WAL.
    Streaming = 2,
    /// Replica whose needed WAL is gone: a consistent but stale copy.
    Broken = 3,
    /// Data directory wiped, base backup copying.
    Rebuilding = 4,
    /// Data directory deleted (or being deleted).
    Destroyed = 5,
    /// Primary stopped because retained WAL filled its disk.
    DiskFull = 6,
    /// Serving writes again after a restore or a promotion.
    Restored = 7,
}

/// Gauge ids, resolved by the scenario builder.
#[derive(Clone, Debug, Default)]
pub struct PgGauges {
    pub state: u16,
    pub data_left: u16,
    pub wal_kept: u16,
    pub disk_used: u16,
    pub broken_at_s: u16,
    pub commit_wait_ms: u16,
    pub writes_delayed: u16,
    /// `rm -rf` commands the destructive-command guard refused on this host.
    pub delete_refused: u16,
    /// Per replica (same order as `replicas`): WAL not yet received, bytes and seconds.
    pub lag_bytes: Vec<u16>,
    pub lag_s: Vec<u16>,
}

#[derive(Clone, Debug)]
pub struct PgConfig {
    pub group: GroupId,
    /// A node switched off by a toggle takes no part (no role, no events).
    pub enabled: bool,
    /// The primary this replica follows; `None` for the primary.
    pub primary: Option<NodeId>,
    pub replicas: Vec<NodeId>,
    /// Backup storage and catalog: gets status, archived WAL.
    pub catalog: Option<NodeId>,
    pub plane: PlaneId,
    pub tick_us: u64,
    pub data_bytes: u64,
    pub disk_bytes: u64,
    pub wal_rate: u64,
    pub burst_wal_rate: u64,
    pub wal_keep_bytes: u64,
    pub segment_bytes: u64,
    pub slot: bool,
    pub sync_commit: bool,
    pub archive: bool,
    /// WAL a walsender keeps in flight beyond the replica's acknowledgment.
    pub send_window: u64,
    pub basebackup_wait_us: u64,
    pub basebackup_chunk: u64,
    pub delete_rate: u64,
    pub apply_rate: u64,
    pub apply_delay_us: u64,
    /// A guard on destructive commands (a prompt showing host and role, a
    /// wrapper or a second person): `rm -rf` of a serving primary's data is refused.
    pub delete_guard: bool,
    pub gauges: PgGauges,
}

/// The primary's view of one replica.
#[derive(Clone, Debug, Default)]
struct Peer {
    /// A walsender exists only once the replica has connected.
    connected: bool,
    sent: u64,
    received: u64,
    broken: bool,
    basebackup: Option<BaseBackup>,
}

#[derive(Clone, Copy, Debug, Default)]
struct BaseBackup {
    start_pos: u64,
    start_gen_us: u64,
    sent: u64,
    copying: bool,
}

#[derive(Clone, Debug)]
pub struct Postgres {
    cfg: PgConfig,
    me: NodeId,
    state: PgState,
    burst: bool,
    // Primary.
    insert: u64,
    /// (time, insert position) at every tick: maps WAL positions to the time they were written.
    history: Vec<(u64, u64)>,
    peers: Vec<Peer>,
    archive_sent: u64,
    archived: u64,
    broken_reported: bool,
    writes_delayed: u64,
    // Replica.
    received: u64,
    received_gen_us: u64,
    applied: u64,
    /// Received WAL not yet replayed: (end position, generated at).
    unapplied: VecDeque<(u64, u64)>,
    basebackup_done: u64,
    /// Reading missed WAL from the archive (restore_command) until streaming resumes.
    from_archive: bool,
    // Either.
    data_left: u64,
    deleting_since: Option<u64>,
    deletion_over: bool,
    /// Deletions the destructive-command guard refused here.
    delete_refusals: u64,
    /// When this primary last accepted writes, if it stopped (disk full, deletion).
    writes_stopped_at: Option<u64>,
}

impl Postgres {
    pub fn new(me: NodeId, cfg: PgConfig, end_us: u64) -> Postgres {
        let ticks = (end_us / cfg.tick_us.max(1)).min(10_000_000) as usize + 2;
        let is_primary = cfg.primary.is_none();
        Postgres {
            state: PgState::Off,
            burst: false,
            insert: 0,
            history: Vec::with_capacity(if is_primary { ticks } else { 0 }),
            peers: vec![Peer::default(); cfg.replicas.len()],
            archive_sent: 0,
            archived: 0,
            broken_reported: false,
            writes_delayed: 0,
            received: 0,
            received_gen_us: 0,
            applied: 0,
            unapplied: VecDeque::with_capacity(if is_primary { 0 } else { ticks }),
            basebackup_done: 0,
            from_archive: false,
            data_left: cfg.data_bytes,
            deleting_since: None,
            deletion_over: false,
            delete_refusals: 0,
            writes_stopped_at: None,
            me,
            cfg,
        }
    }

    pub fn state(&self) -> PgState {
        self.state
    }

    pub fn data_left(&self) -> u64 {
        self.data_left
    }

    fn set_state(&mut self, cx: &mut Cx, state: PgState) {
        if self.state != state {
            self.state = state;
            cx.emit(Effect::Gauge { gauge: self.cfg.gauges.state, value: state as i64 });
        }
        let role = match state {
            PgState::Off => return,
            PgState::Primary | PgState::Restored => Role::Active,
            PgState::Streaming | PgState::Broken => Role::Passive,
            PgState::Rebuilding | PgState::Destroyed => Role::Rebuilding,
            PgState::DiskFull => Role::Passive,
        };
        cx.emit(Effect::Role { group: self.cfg.group, role, epoch: Epoch::new(1, self.me) });
    }

    fn gauge(cx: &mut Cx, gauge: u16, value: u64) {
        cx.emit(Effect::Gauge { gauge, value: value.min(i64::MAX as u64) as i64 });
    }

    /// Bytes a rate (bytes per second) produces in `us` microseconds.
    fn over(rate: u64, us: u64) -> u64 {
        (u128::from(rate) * u128::from(us) / u128::from(US_PER_S)).min(u128::from(u64::MAX / 4)) as u64
    }

    /// When the primary had written WAL up to `pos` (the first tick at or past it).
    fn written_at(&self, pos: u64) -> u64 {
        let i = self.history.partition_point(|&(_, p)| p < pos);
        self.history.get(i).map_or(0, |&(t, _)| t)
    }

    fn begin(&mut self, cx: &mut Cx) {
        if !self.cfg.enabled {
            return;
        }
        if self.cfg.primary.is_none() {
            self.history.push((cx.now_us, 0));
            self.set_state(cx, PgState::Primary);
        } else {
            self.set_state(cx, PgState::Streaming);
            // Connect: the primary starts a walsender for this replica.
            if let Some(primary) = self.cfg.primary {
                cx.send(primary, self.cfg.plane, PgMsg::Ack { received: 0, applied: 0 }, CONTROL_BYTES);
            }
        }
        cx.set_timer(PgTimer::Tick, self.cfg.tick_us);
    }

    fn tick(&mut self, cx: &mut Cx) {
        match self.state {
            PgState::Primary => self.primary_tick(cx),
            PgState::Streaming | PgState::Broken => self.replica_tick(cx),
            _ => {}
        }
        self.report(cx);
        cx.set_timer(PgTimer::Tick, self.cfg.tick_us);
    }

    fn report(&mut self, cx: &mut Cx) {
        let Some(catalog) = self.cfg.catalog else { return };
        let status = match self.state {
            PgState::Primary | PgState::Restored => PgMsg::Status { state: self.state, pos: self.insert, point_us: cx.now_us, pending: 0 },
            PgState::Destroyed => PgMsg::Status {
                state: self.state,
                pos: self.insert,
                point_us: self.writes_stopped_at.or(self.deleting_since).unwrap_or(cx.now_us),
                pending: self.data_left,
            },
            state => PgMsg::Status {
                state,
                pos: self.received,
                point_us: self.received_gen_us,
                pending: self.received - self.applied,
            },
        };
        cx.send(catalog, self.cfg.plane, status, CONTROL_BYTES);
    }

    fn message(&mut self, cx: &mut Cx, from: NodeId, msg: PgMsg) {
        let peer = self.cfg.replicas.iter().position(|&r| r == from);
        match msg {
            PgMsg::Wal { end_pos, gen_us } => {
                if self.state == PgState::Streaming && end_pos > self.received {
                    if Some(from) == self.cfg.primary {
                        self.from_archive = false;
                    }
                    self.received = end_pos;
                    self.received_gen_us = gen_us;
                    self.unapplied.push_back((end_pos, gen_us));
                }
            }
            PgMsg::Ack { received, .. } => {
                let oldest_local = self.oldest_local();
                if let Some(p) = peer.and_then(|i| self.peers.get_mut(i)) {
                    p.connected = true;
                    p.received = p.received.max(received);
                    // A replica that caught up from the archive reconnects to streaming.
                    if p.broken && p.basebackup.is_none() && self.cfg.archive && p.received >= oldest_local {
                        (p.broken, p.sent) = (false, p.received);
                    }
                }
            }
            PgMsg::SegmentAck { end_pos } => self.archived = self.archived.max(end_pos),
            PgMsg::WalGone { archived, .. } => {
                if self.state == PgState::Streaming {
                    if archived && self.cfg.catalog.is_some() {
                        self.from_archive = true;
                    } else {
                        self.set_state(cx, PgState::Broken);
                    }
                }
            }
            PgMsg::BaseBackupRequest => {
                if self.state != PgState::Primary {
                    return;
                }
                if let Some(p) = peer.and_then(|i| self.peers.get_mut(i)) {
                    p.connected = true;
                    p.broken = true;
                    p.basebackup = Some(BaseBackup { start_pos: self.insert, start_gen_us: cx.now_us, sent: 0, copying: false });
                    // pg_basebackup first waits for a checkpoint and prints nothing.
                    cx.set_timer(PgTimer::BaseBackupStart, self.cfg.basebackup_wait_us);
                }
            }
            PgMsg::BaseBackupAck { done } => {
                let (PgState::Primary, Some(i)) = (self.state, peer) else { return };
                if done >= self.cfg.data_bytes {
                    if let Some(bb) = self.peers[i].basebackup.take() {
                        let p = &mut self.peers[i];
                        (p.sent, p.received, p.broken) = (bb.start_pos, bb.start_pos, false);
                    }
                } else {
                    self.send_chunk(cx, i);
                }
            }
            PgMsg::BaseBackupChunk { done, start_pos, start_gen_us } => {
                if self.state != PgState::Rebuilding {
                    return;
                }
                self.basebackup_done = done;
                if let Some(primary) = self.cfg.primary {
                    cx.send(primary, self.cfg.plane, PgMsg::BaseBackupAck { done }, CONTROL_BYTES);
                }
                if done >= self.cfg.data_bytes {
                    (self.received, self.applied, self.received_gen_us) = (start_pos, start_pos, start_gen_us);
                    self.data_left = self.cfg.data_bytes;
                    self.set_state(cx, PgState::Streaming);
                }
            }
            PgMsg::Restore { .. } => {
                self.deletion_over = true;
                self.data_left = self.cfg.data_bytes;
                self.set_state(cx, PgState::Restored);
            }
            // For the backup catalog.
            PgMsg::Segment { .. } | PgMsg::Status { .. } => {}
        }
    }

    fn command(&mut self, cx: &mut Cx, command: Command) {
        if !self.cfg.enabled {
            return;
        }
        match command {
            Command::StartLoadBurst => self.burst = true,
            Command::StopLoadBurst => self.burst = false,
            Command::RebuildReplica if self.state == PgState::Broken => {
                // Wipe the stale copy and start pg_basebackup from the primary.
                (self.received, self.applied, self.received_gen_us, self.basebackup_done) = (0, 0, 0, 0);
                self.unapplied.clear();
                self.data_left = 0;
                self.set_state(cx, PgState::Rebuilding);
                if let Some(primary) = self.cfg.primary {
                    cx.send(primary, self.cfg.plane, PgMsg::BaseBackupRequest, CONTROL_BYTES);
                }
            }
            Command::DeleteDataDirectory if guard::delete_data_directory(self.cfg.delete_guard, self.state) == guard::Verdict::Refused => {
                // The command reached this host and was stopped here: count it, so
                // the replay shows the slip happened and what stopped it.
                self.delete_refusals += 1;
                Self::gauge(cx, self.cfg.gauges.delete_refused, self.delete_refusals);
            }
            Command::DeleteDataDirectory if self.deleting_since.is_none() && self.data_left > 0 => {
                self.deleting_since = Some(cx.now_us);
                self.set_state(cx, PgState::Destroyed);
                // Whatever was being served stops with the files.
                self.peers.iter_mut().for_each(|p| p.basebackup = None);
                let rate = self.cfg.delete_rate.max(1);
                let us = (u128::from(self.data_left) * u128::from(US_PER_S)).div_ceil(u128::from(rate)).min(u128::from(u64::MAX / 4)) as u64;
                cx.set_timer(PgTimer::DeletionDone, us);
            }
            Command::StopDeletion => self.stop_deletion(cx),
            _ => {}
        }
    }

    fn stop_deletion(&mut self, cx: &mut Cx) {
        let Some(since) = self.deleting_since else { return };
        if self.deletion_over {
            return;
        }
        self.deletion_over = true;
        cx.cancel_timer(PgTimer::DeletionDone);
        let deleted = Self::over(self.cfg.delete_rate, cx.now_us - since);
        self.data_left = self.data_left.saturating_sub(deleted);
        // Keep the record of the deletion even if nothing is left.
        Self::gauge(cx, self.cfg.gauges.data_left, self.data_left);
        self.report(cx);
    }
}

impl Model for Postgres {
    type Msg = PgMsg;
    type Timer = PgTimer;
    type Command = Command;

    fn start(&mut self, cx: &mut Cx) {
        Self::gauge(cx, self.cfg.gauges.data_left, if self.cfg.enabled { self.data_left } else { 0 });
        self.begin(cx);
    }

    fn restart(&mut self, cx: &mut Cx) {
        if self.cfg.enabled {
            cx.set_timer(PgTimer::Tick, self.cfg.tick_us);
        }
    }

    fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: PgMsg) {
        self.message(cx, from, msg);
    }

    fn on_timer(&mut self, cx: &mut Cx, timer: PgTimer) {
        match timer {
            PgTimer::Tick => self.tick(cx),
            PgTimer::DeletionDone => self.stop_deletion(cx),
            PgTimer::BaseBackupStart => {
                for i in 0..self.peers.len() {
                    if let Some(bb) = self.peers[i].basebackup.as_mut() {
                        bb.copying = true;
                        // Two chunks in flight keep the link busy while acks return.
                        self.send_chunk(cx, i);
                        self.send_chunk(cx, i);
                    }
                }
            }
        }
    }

    fn on_command(&mut self, cx: &mut Cx, command: Command) {
        self.command(cx, command);
    }

    fn show(&self) -> crate::model::show::NodeShow {
        self.declare_show()
    }

    fn facts(&self, _now_us: u64, out: &mut Vec<i64>) {
        self.push_facts(out);
    }
}
