//! What a MongoDB member shows the viewer (`model/show.rs`): its state in the
//! replica set's words (the dry run included), its term and the term it
//! voted in, the primary it follows, the members it heard from within the
//! election timeout, its oplog position (length and the term of its last
//! entry), on a primary the commit point, and the writes it rolled back.

use super::{MongoMember, State};
use crate::model::show::{node_fact, peers_mask, NodeShow, Unit, FACT_NONE};

const STATE_WORDS: [&str; 4] = ["secondary", "candidate (dry run)", "candidate", "primary"];

impl MongoMember {
    pub(super) fn declare_show(&self) -> NodeShow {
        let others: Vec<_> = self.cfg.members.clone();
        let mut show = NodeShow::with_roles(["", "secondary", "candidate", "primary", ""])
            .fact("state", "replica set state", Unit::Choice(STATE_WORDS.to_vec()))
            .fact("term", "term", Unit::Count)
            .fact("voted_in_term", "voted in term", Unit::Count)
            .fact("believed_primary", "follows primary", Unit::Node)
            .follows_last()
            .fact("hears", "hears from", Unit::Peers)
            .watching(&others)
            .fact("oplog_entries", "oplog entries", Unit::Count)
            .fact("oplog_last_term", "term of its last oplog entry", Unit::Count)
            .fact("commit_point", "majority commit point", Unit::Count)
            .fact("rolled_back", "writes rolled back", Unit::Count);
        show.role_fact = Some(0);
        show
    }

    pub(super) fn push_facts(&self, now_us: u64, out: &mut Vec<i64>) {
        let state = match self.state {
            State::Secondary => 0,
            State::Candidate { dry_run: true } => 1,
            State::Candidate { dry_run: false } => 2,
            State::Primary => 3,
        };
        let primary = if self.state == State::Primary { Some(self.me) } else { self.sync_source };
        let window = self.cfg.election_timeout_us;
        let (entries, last_term) = self.last();
        out.extend_from_slice(&[
            state,
            i64::from(self.term),
            i64::from(self.voted_in_term),
            node_fact(primary.map(|i| self.cfg.members[i])),
            peers_mask(self.cfg.members.len(), |i| i != self.me && now_us.saturating_sub(self.heard_us[i]) < window),
            i64::from(entries),
            if entries == 0 { FACT_NONE } else { i64::from(last_term) },
            if self.state == State::Primary { i64::from(self.commit_len) } else { FACT_NONE },
            self.rolled_back,
        ]);
    }
}
