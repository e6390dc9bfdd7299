//! What an operator can tell a PostgreSQL node, with arguments where the
//! command needs them, and how the node carries them out.

use super::*;
use crate::model::command::{required, unknown, ArgInfo, ArgKind, ArgReader, CommandInfo, CommandSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgCommand {
    /// A burst of WAL-heavy writes starts; `wal_rate` replaces the configured burst rate.
    StartLoadBurst { wal_rate: Option<u64> },
    StopLoadBurst,
    /// If its replication is broken: wipe the data directory and `pg_basebackup` from the primary.
    RebuildReplica,
    /// `rm -rf` of the data directory starts (subject to the destructive-command guard).
    DeleteDataDirectory,
    /// The deletion is interrupted (Ctrl-C).
    StopDeletion,
    /// Something else writes `bytes` to the node's disk (a log, a dump): the
    /// primary's disk check counts it with the data and the retained WAL.
    FillDisk { bytes: u64 },
    /// The filler is removed; a primary stopped by a full disk starts again.
    FreeDisk,
}

impl CommandSet for PgCommand {
    const LIST: &'static [CommandInfo] = &[
        CommandInfo {
            name: "start_load_burst",
            description: "A burst of WAL-heavy writes starts on the primary.",
            args: &[ArgInfo { name: "wal_rate", kind: ArgKind::Rate, description: "WAL the burst adds (default: the scenario's burst rate)", optional: true }],
        },
        CommandInfo { name: "stop_load_burst", description: "The burst of writes ends.", args: &[] },
        CommandInfo { name: "rebuild_replica", description: "A broken replica: wipe its data directory and pg_basebackup from the primary.", args: &[] },
        CommandInfo { name: "delete_data_directory", description: "rm -rf of the data directory starts (the guard, if on, refuses it on a primary).", args: &[] },
        CommandInfo { name: "stop_deletion", description: "The deletion is interrupted.", args: &[] },
        CommandInfo {
            name: "fill_disk",
            description: "Fill the disk: other files take this much space (the primary stops writing when data + WAL + filler pass the disk size).",
            args: &[ArgInfo { name: "bytes", kind: ArgKind::Bytes, description: "space the other files take", optional: false }],
        },
        CommandInfo { name: "free_disk", description: "Remove the filler; a primary stopped by a full disk starts again.", args: &[] },
    ];

    fn parse(name: &str, args: &mut dyn ArgReader) -> Result<Self, String> {
        Ok(match name {
            "start_load_burst" => PgCommand::StartLoadBurst { wal_rate: args.bytes_per_s("wal_rate")? },
            "stop_load_burst" => PgCommand::StopLoadBurst,
            "rebuild_replica" => PgCommand::RebuildReplica,
            "delete_data_directory" => PgCommand::DeleteDataDirectory,
            "stop_deletion" => PgCommand::StopDeletion,
            "fill_disk" => PgCommand::FillDisk { bytes: required(args.bytes("bytes"), "bytes")? },
            "free_disk" => PgCommand::FreeDisk,
            other => return Err(unknown(other, Self::LIST)),
        })
    }
}

impl Postgres {
    pub(super) fn command(&mut self, cx: &mut Cx, command: PgCommand) {
        if !self.cfg.enabled {
            return;
        }
        match command {
            PgCommand::StartLoadBurst { wal_rate } => self.burst_rate = Some(wal_rate.unwrap_or(self.cfg.burst_wal_rate)),
            PgCommand::StopLoadBurst => self.burst_rate = None,
            PgCommand::RebuildReplica => {
                if self.state == PgState::Broken {
                    // Wipe the stale copy and start pg_basebackup from the primary.
                    (self.received, self.applied, self.received_gen_us, self.basebackup_done) = (0, 0, 0, 0);
                    self.unapplied.clear();
                    self.data_left = 0;
                    self.set_state(cx, PgState::Rebuilding);
                    if let Some(primary) = self.cfg.primary {
                        cx.send(primary, self.cfg.plane, PgMsg::BaseBackupRequest, CONTROL_BYTES);
                    }
                }
            }
            PgCommand::DeleteDataDirectory => self.delete_data_directory(cx),
            PgCommand::StopDeletion => self.stop_deletion(cx),
            PgCommand::FillDisk { bytes } => self.filler_bytes = self.filler_bytes.saturating_add(bytes),
            PgCommand::FreeDisk => {
                self.filler_bytes = 0;
                if self.state == PgState::DiskFull {
                    self.set_state(cx, PgState::Primary);
                }
            }
        }
    }

    fn delete_data_directory(&mut self, cx: &mut Cx) {
        if guard::delete_data_directory(self.cfg.delete_guard, self.state) == guard::Verdict::Refused {
            // The command reached this host and was stopped here: count it, so
            // the replay shows the slip happened and what stopped it.
            self.delete_refusals += 1;
            Self::gauge(cx, self.cfg.gauges.delete_refused, self.delete_refusals);
        } else if self.deleting_since.is_none() && self.data_left > 0 {
            self.deleting_since = Some(cx.now_us);
            self.set_state(cx, PgState::Destroyed);
            // Whatever was being served stops with the files.
            self.peers.iter_mut().for_each(|p| p.basebackup = None);
            let rate = self.cfg.delete_rate.max(1);
            let us = (u128::from(self.data_left) * u128::from(US_PER_S)).div_ceil(u128::from(rate)).min(u128::from(u64::MAX / 4)) as u64;
            cx.set_timer(PgTimer::DeletionDone, us);
        }
    }
}
