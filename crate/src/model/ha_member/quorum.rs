//! The quorum half of an HA member (with `quorum` on): a passive that hears no
//! active asks its peers for their votes and promotes only with a majority; it
//! votes for others with its `Ballot`; an active without a majority around it
//! (its lease) demotes itself. Votes are `fencing::VoteMsg`, counted with a
//! `fencing::Tally`.

use super::{HaMember, REPLY_BYTES};
use crate::ids::NodeId;
use crate::model::effect::{Cx, Role};
use crate::model::fencing::tally::is_majority;
use crate::model::fencing::{Tally, VoteMsg};

impl HaMember {
    /// A majority of the members, this one included, out of `count`.
    pub(super) fn is_majority(&self, count: usize) -> bool {
        is_majority(count, self.cfg.peers.len() + 1)
    }

    /// An active's lease: it has heard from a majority within `window_us`.
    pub(super) fn has_lease(&self, now: u64, window_us: u64) -> bool {
        let heard = self.heard_us.iter().filter(|&&t| now.saturating_sub(t) <= window_us).count();
        self.is_majority(1 + heard)
    }

    /// This member follows an active it has heard within the dead time.
    pub(super) fn hears_active(&self, now: u64) -> bool {
        self.role != Role::Active && self.active.is_some() && now.saturating_sub(self.active_heard_us) <= self.cfg.dead_time_us
    }

    /// The term a takeover claims: past this member's own and past any a peer refused it with.
    pub(super) fn next_term(&self) -> u32 {
        self.epoch.term.max(self.refused_term) + 1
    }

    /// Ask every peer for its vote in the next term (again each check until a
    /// majority answers or an active is heard), voting for itself first.
    pub(super) fn ask_for_votes(&mut self, cx: &mut Cx, now: u64) {
        let term = self.next_term();
        if self.election.as_ref().map(Tally::term) != Some(term) {
            if !self.ballot.request(self.me, term, now, self.cfg.dead_time_us) {
                return; // this member's own vote is promised to another candidate
            }
            self.election = Some(Tally::new(term, self.cfg.peers.len()));
        }
        for &p in &self.cfg.peers {
            cx.send(p, self.cfg.heartbeat_plane, VoteMsg::VoteRequest { term }, REPLY_BYTES);
        }
    }

    /// A peer asks for this member's vote in `term`: granted at most once per
    /// term, never while this member follows a live active or is one, and
    /// never for a term this member already knows.
    pub(super) fn on_vote_request(&mut self, cx: &mut Cx, from: NodeId, term: u32) {
        let now = cx.mono_us;
        let granted = self.cfg.quorum
            && self.role != Role::Active
            && !self.hears_active(now)
            && term > self.epoch.term
            && self.ballot.request(from, term, now, self.cfg.dead_time_us);
        let voter_term = self.epoch.term.max(self.ballot.term());
        cx.send(from, self.cfg.heartbeat_plane, VoteMsg::Vote { term, granted, voter_term }, REPLY_BYTES);
    }

    pub(super) fn on_vote(&mut self, cx: &mut Cx, from: NodeId, term: u32, granted: bool, voter_term: u32) {
        if !granted {
            self.refused_term = self.refused_term.max(voter_term);
            return;
        }
        let (Some(i), Some(e)) = (self.peer_index(from), self.election.as_mut()) else { return };
        if e.term() != term || self.role == Role::Active {
            return;
        }
        e.grant(i);
        if e.won() {
            self.promote(cx, term);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use crate::engine::rng::Rng;
    use crate::ids::{GroupId, PlaneId};
    use crate::model::effect::{Effect, Epoch};
    use crate::model::msg::Msg;
    use crate::model::Model;

    fn member(me: u32) -> HaMember {
        let cfg = HaConfig {
            group: GroupId(0),
            peers: (0..3).filter(|&n| n != me).map(NodeId).collect(),
            initially_active: false,
            heartbeat_interval_us: 1_000_000,
            dead_time_us: 10_000_000,
            heartbeat_plane: PlaneId(0),
            data_plane: PlaneId(0),
            quorum: true,
        };
        HaMember::new(NodeId(me), cfg)
    }

    /// `m` answers `from`'s request for `term` at `now_us`: granted?
    fn answer(m: &mut HaMember, now_us: u64, from: u32, term: u32) -> bool {
        let mut rng = Rng::for_component(1, 1);
        let mut out = vec![];
        let mut cx = Cx { now_us, mono_us: now_us, me: m.me, rng: &mut rng, out: &mut out };
        m.on_message(&mut cx, NodeId(from), HaInbox::Vote(VoteMsg::VoteRequest { term }));
        matches!(out[..], [Effect::Send { msg: Msg::Vote(VoteMsg::Vote { granted: true, .. }), .. }])
    }

    /// One vote for one candidate at a time: the voter of fault-injection case
    /// demo-partition seed 17 lent its vote to two members promoting at once.
    #[test]
    fn a_member_votes_once_per_term_and_not_while_it_hears_an_active() {
        let mut m = member(2);
        m.epoch = Epoch::new(2, NodeId(1));
        assert!(!answer(&mut m, 100_000_000, 0, 2), "term 2 is known: no vote in it");
        assert!(answer(&mut m, 100_000_000, 0, 3));
        assert!(!answer(&mut m, 100_000_001, 1, 4), "promised to n0 for a dead time");
        assert!(answer(&mut m, 100_500_000, 0, 3), "the same candidate asks again");
        // A member that follows a live active votes for nobody.
        let mut m = member(2);
        m.active = Some(NodeId(1));
        m.active_heard_us = 99_000_000;
        assert!(!answer(&mut m, 100_000_000, 0, 1));
        assert!(answer(&mut m, 110_000_000, 0, 1), "the active has been silent for the dead time");
    }
}
