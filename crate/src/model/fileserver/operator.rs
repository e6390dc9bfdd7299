//! What operators do to a fileserver: inspect its state (its logs), resume it
//! with a named role after a repair, and timeline commands (maintenance mode,
//! announced network changes).

use super::*;
use crate::model::command::unit_commands;

unit_commands! {
    /// What an operator can tell a fileserver's cluster manager.
    pub enum FileserverCommand {
        MaintenanceOn = "maintenance_on": "Cluster-manager maintenance mode: heartbeat loss no longer starts a failover.",
        MaintenanceOff = "maintenance_off": "Leave maintenance mode.",
        NetworkChangeBegin = "network_change_begin": "A planned network change begins (a manager configured for it enters maintenance).",
        NetworkChangeEnd = "network_change_end": "The planned network change is over.",
        ForceActive = "force_active": "Restart replication by hand with this node as the primary, in a new generation.",
        ForcePassive = "force_passive": "Restart replication by hand with this node as the secondary.",
    }
}

impl Fileserver {
    pub(super) fn on_inspect(&mut self, cx: &mut Cx, from: NodeId) {
        let last_active_us = if self.role == Role::Active { cx.now_us } else { self.last_active_us };
        let msg = GhMsg::InspectReply {
            epoch: self.epoch,
            log_len: self.log_len(),
            base_len: self.base_len,
            last_active_ms: (last_active_us / 1_000).min(u64::from(u32::MAX)) as u32,
            active: self.role == Role::Active,
        };
        cx.send(from, self.cfg.mgmt_plane, msg, SMALL_BYTES);
    }

    /// An operator restarts DRBD by hand with the role they chose. The cluster
    /// manager is left in maintenance mode (as the rest of the fleet is while the
    /// team works): a node that missed the maintenance command while it was off
    /// must not start watching a partner that sends no heartbeats.
    pub(super) fn on_resume(&mut self, cx: &mut Cx, active: bool, keep_len: u32, term: u32) {
        let was_watching = self.watching();
        self.held = false;
        self.maintenance = true;
        self.fence = None;
        cx.cancel_timer(GhTimer::FenceTimeout);
        self.peer = Peer::Alive;
        self.epoch = epoch_of(term, self.me);
        self.fail_pending(cx);
        if active {
            self.base_len = self.log_len();
            self.connected = false; // until the peer has caught up
            if self.role != Role::Active {
                self.set_role(cx, Role::Active);
            }
            self.last_active_us = cx.now_us;
        } else {
            if self.role != Role::Passive {
                self.set_role(cx, Role::Passive);
            }
            self.truncate(cx, keep_len.min(self.log_len()));
            self.sync_asked_us = None;
            self.ask_sync(cx);
        }
        if !was_watching && self.watching() {
            self.start_watching(cx, 0);
        } else {
            self.peer_heard_us = cx.now_us;
            self.active_heard_us = cx.now_us;
        }
    }

    pub(super) fn command(&mut self, cx: &mut Cx, command: FileserverCommand) {
        let was_watching = self.watching();
        match command {
            FileserverCommand::MaintenanceOn => self.maintenance = true,
            FileserverCommand::MaintenanceOff => self.maintenance = false,
            FileserverCommand::NetworkChangeBegin => self.change_window = true,
            FileserverCommand::NetworkChangeEnd => self.change_window = false,
            FileserverCommand::ForceActive => self.on_resume(cx, true, self.log_len(), term_of(self.epoch) + 1),
            FileserverCommand::ForcePassive => self.on_resume(cx, false, self.log_len(), term_of(self.epoch)),
        }
        if !was_watching && self.watching() {
            self.start_watching(cx, 0);
        }
    }
}
