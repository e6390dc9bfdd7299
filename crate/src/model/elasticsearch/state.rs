//! The cluster state a master publishes, packed small enough to travel inline
//! in one message: who is master, which nodes are members, the voting
//! configuration (≥ 7.0), and the routing table of one index — for each shard
//! its primary, its replica and the in-sync copies. Plus the master's
//! allocation rules and the health `_cluster/health` would report.
//!
//! Nodes are indices into the cluster's node list (at most 15: index 15 means
//! "none"), shards at most `SHARDS_MAX` with one replica each.

/// "No node" in a routing slot.
pub const NONE: u8 = 0xF;
pub const SHARDS_MAX: usize = 4;
pub const NODES_MAX: usize = 15;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ClusterState {
    /// Election term (voting configurations); Zen counts elections here too.
    pub term: u32,
    /// Bumped by the master on every change it publishes.
    pub version: u32,
    /// Index of the master that published this state (`NONE`: no state yet).
    pub master: u8,
    /// Nodes in the cluster, one bit per node index.
    pub members: u16,
    /// The voting configuration (≥ 7.0): the master-eligible nodes whose majority decides.
    pub voting: u16,
    /// Per shard 8 bits: primary in the low nibble, replica in the high one.
    pub routing: u32,
    /// Per shard, the copies that have every acknowledged write.
    pub in_sync: [u16; SHARDS_MAX],
}

/// `_cluster/health` colours, as a gauge value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Health {
    Green = 0,
    Yellow = 1,
    Red = 2,
    /// No master: the health API answers `master_not_discovered_exception`.
    NoMaster = 3,
}

pub fn bit(i: u8) -> u16 {
    if usize::from(i) < 16 {
        1 << i
    } else {
        0
    }
}

pub fn has(mask: u16, i: u8) -> bool {
    mask & bit(i) != 0
}

impl ClusterState {
    pub fn empty() -> ClusterState {
        ClusterState { master: NONE, routing: u32::MAX, ..ClusterState::default() }
    }

    pub fn primary(&self, shard: usize) -> u8 {
        ((self.routing >> (8 * shard)) & 0xF) as u8
    }
    pub fn replica(&self, shard: usize) -> u8 {
        ((self.routing >> (8 * shard + 4)) & 0xF) as u8
    }
    fn set_primary(&mut self, shard: usize, n: u8) {
        self.routing = (self.routing & !(0xF << (8 * shard))) | (u32::from(n & 0xF) << (8 * shard));
    }
    fn set_replica(&mut self, shard: usize, n: u8) {
        self.routing = (self.routing & !(0xF << (8 * shard + 4))) | (u32::from(n & 0xF) << (8 * shard + 4));
    }

    /// Newer in the sense the election and the heal compare: term, then version.
    pub fn newer_than(&self, other: &ClusterState) -> bool {
        (self.term, self.version) > (other.term, other.version)
    }

    /// What `_cluster/health` would say with this state (from a node that has a master).
    pub fn health(&self, shards: usize) -> Health {
        let mut worst = Health::Green;
        for s in 0..shards {
            let p = self.primary(s);
            if p == NONE {
                return Health::Red;
            }
            let r = self.replica(s);
            if r == NONE || !has(self.in_sync[s], r) {
                worst = Health::Yellow;
            }
        }
        worst
    }

    /// The master's allocation pass over `shards` shards after a membership
    /// change (`data` = which node indices hold data):
    /// - a primary whose node left is replaced by its in-sync replica, else the
    ///   shard is red; the in-sync set is kept, so a returning in-sync copy
    ///   becomes primary again with its data;
    /// - a red shard with an in-sync copy among the members gets it as primary;
    /// - a shard never allocated gets a primary on the data node with fewest copies;
    /// - an empty replica slot goes to another data member with fewest copies,
    ///   on another rack than the primary where there is one (allocation
    ///   awareness, `rack` by node index); it joins the in-sync set once it has
    ///   recovered from the primary.
    ///
    /// Real Elasticsearch waits `index.unassigned.node_left.delayed_timeout`
    /// before re-allocating a replica; this model allocates at once.
    pub fn allocate(&mut self, shards: usize, data: u16, rack: &[u8]) {
        let live = self.members & data;
        for s in 0..shards {
            let (mut p, mut r) = (self.primary(s), self.replica(s));
            if r != NONE && !has(live, r) {
                r = NONE;
            }
            if p != NONE && !has(live, p) {
                p = NONE;
                if r != NONE && has(self.in_sync[s], r) {
                    p = r;
                    r = NONE;
                }
            }
            if p == NONE {
                let candidates = self.in_sync[s] & live;
                if candidates != 0 {
                    p = candidates.trailing_zeros() as u8;
                    if r == p {
                        r = NONE;
                    }
                } else if self.in_sync[s] == 0 && live == data {
                    // A new index, created once every data node has joined (assumed:
                    // the operator creates it on a formed cluster; the model does
                    // not rebalance later): nothing to lose, any data node will do.
                    p = self.least_loaded(shards, live, NONE, rack).unwrap_or(NONE);
                    if p != NONE {
                        self.in_sync[s] = bit(p);
                    }
                }
            }
            self.set_primary(s, p);
            self.set_replica(s, r);
            if p != NONE {
                // Only the live assigned copies stay in sync once a primary is active.
                self.in_sync[s] &= bit(p) | if r == NONE { 0 } else { bit(r) };
                self.in_sync[s] |= bit(p);
                if r == NONE {
                    if let Some(n) = self.least_loaded(shards, live, p, rack) {
                        self.set_replica(s, n);
                    }
                }
            }
        }
    }

    /// The data member (not `except`) on another rack than `except` if possible,
    /// holding the fewest shard copies; ties by index.
    fn least_loaded(&self, shards: usize, live: u16, except: u8, rack: &[u8]) -> Option<u8> {
        let rack_of = |n: u8| rack.get(usize::from(n)).copied().unwrap_or(0);
        let same_rack = |n: u8| except != NONE && rack_of(n) == rack_of(except);
        (0..16u8)
            .filter(|&n| has(live, n) && n != except)
            .min_by_key(|&n| (same_rack(n), (0..shards).filter(|&s| self.primary(s) == n || self.replica(s) == n).count(), n))
    }
}

/// The voting configuration ES 7 would keep for these master-eligible members:
/// all of them, less one if their number is even (so the set is odd). Auto
/// shrink: the configuration follows the live eligible nodes, but never below
/// three while it has three or more (it keeps departed nodes to stay at three).
pub fn voting_for(eligible_members: u16, previous: u16) -> u16 {
    let mut set = eligible_members;
    if set.count_ones().is_multiple_of(2) && set != 0 {
        set &= !(1 << (15 - set.leading_zeros())); // leave the highest index out
    }
    if set.count_ones() < 3 && previous.count_ones() >= 3 {
        // Keep enough of the previous configuration to stay at three voters.
        let mut keep = previous & !set;
        while set.count_ones() < 3 && keep != 0 {
            let low = keep & keep.wrapping_neg();
            set |= low;
            keep &= !low;
        }
    }
    set
}

/// More than half of `config` has its bit in `votes`.
pub fn majority(votes: u16, config: u16) -> bool {
    config != 0 && 2 * (votes & config).count_ones() > config.count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(members: u16) -> ClusterState {
        ClusterState { members, ..ClusterState::empty() }
    }

    #[test]
    fn a_new_index_spreads_primaries_and_replicas() {
        let mut s = state(0b1111);
        s.allocate(4, 0b1111, &[0, 0, 1, 1]);
        for i in 0..4 {
            assert_ne!(s.primary(i) / 2, s.replica(i) / 2, "copies of shard {i} on one rack");
        }
        let copies: Vec<(u8, u8)> = (0..4).map(|i| (s.primary(i), s.replica(i))).collect();
        for &(p, r) in &copies {
            assert!(p != NONE && r != NONE && p != r, "{copies:?}");
        }
        assert_eq!(s.health(4), Health::Yellow, "replicas are not in sync before recovery");
        for i in 0..4 {
            s.in_sync[i] |= bit(s.replica(i));
        }
        assert_eq!(s.health(4), Health::Green);
    }

    #[test]
    fn losing_a_primary_promotes_the_in_sync_replica_and_losing_both_is_red() {
        let mut s = state(0b11);
        s.allocate(1, 0b11, &[]);
        let (p, r) = (s.primary(0), s.replica(0));
        s.in_sync[0] |= bit(r);
        s.members &= !bit(p);
        s.allocate(1, 0b11, &[]);
        assert_eq!((s.primary(0), s.replica(0)), (r, NONE));
        s.members = 0;
        s.allocate(1, 0b11, &[]);
        assert_eq!(s.health(1), Health::Red);
        assert_eq!(s.in_sync[0], bit(r), "an unassigned primary keeps its in-sync copy");
        s.members = bit(r);
        s.allocate(1, 0b11, &[]);
        assert_eq!(s.primary(0), r, "the returning in-sync copy is primary again");
    }

    #[test]
    fn a_stale_copy_never_becomes_primary() {
        let mut s = state(0b11);
        s.allocate(1, 0b11, &[]);
        let r = s.replica(0); // not yet in sync
        s.members = bit(r);
        s.allocate(1, 0b11, &[]);
        assert_eq!(s.primary(0), NONE);
    }

    #[test]
    fn voting_configuration_is_odd_and_shrinks_to_three() {
        assert_eq!(voting_for(0b1111, 0), 0b0111);
        assert_eq!(voting_for(0b11111, 0), 0b11111);
        assert_eq!(voting_for(0b00111, 0b11111), 0b00111);
        // Two live of five: the configuration keeps a departed node to stay at three.
        assert_eq!(voting_for(0b00011, 0b11111).count_ones(), 3);
        assert!(majority(0b011, 0b111) && !majority(0b001, 0b111) && !majority(0b11000, 0b00111));
    }
}
