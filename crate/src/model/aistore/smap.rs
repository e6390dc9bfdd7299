//! The cluster map (Smap) a primary publishes, and placement by highest random
//! weight (HRW) over it.
//!
//! An Smap is immutable and versioned; only the primary makes a new one, and
//! every node keeps its own copy (AIStore docs, HA). Here it is small enough to
//! travel inline in a message: members are one bit per node index of the
//! configured node list (at most `NODES_MAX`), so a receiver needs no arena and
//! no pull: the node list itself (names, roles) is configuration every node has.

/// Nodes a cluster can name (one bit each in `members`).
pub const NODES_MAX: usize = 32;
/// "No primary" in `primary`.
pub const NONE: u8 = 0xFF;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Smap {
    /// Monotonic; +1 per membership change, +100 when a new primary takes over.
    pub version: u32,
    /// When the primary of this map took office (its own clock, whole seconds).
    pub primary_since_s: u32,
    /// Members, one bit per node index.
    pub members: u32,
    /// Node index of the primary (`NONE`: no map yet).
    pub primary: u8,
}

pub fn bit(i: u8) -> u32 {
    if usize::from(i) < NODES_MAX {
        1 << i
    } else {
        0
    }
}

impl Smap {
    pub fn has(&self, i: u8) -> bool {
        self.members & bit(i) != 0
    }
    pub fn with(mut self, i: u8) -> Smap {
        self.members |= bit(i);
        self
    }
    pub fn without(mut self, i: u8) -> Smap {
        self.members &= !bit(i);
        self
    }
    /// Members that are also in `mask` (proxies or targets).
    pub fn count_in(&self, mask: u32) -> u32 {
        (self.members & mask).count_ones()
    }
    pub fn iter(&self) -> impl Iterator<Item = u8> + '_ {
        (0..NODES_MAX as u8).filter(move |&i| self.has(i))
    }
}

/// SplitMix64 finaliser: the weight of (key, node) for HRW.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The node in `mask` (and in the map) with the highest random weight for `key`.
/// AIStore places objects this way over targets, and orders proxies for the next
/// primary by a fixed digest of their ids (here `key` 0), skipping `skip`.
pub fn hrw(smap: &Smap, mask: u32, key: u64, skip: u8) -> Option<u8> {
    smap.iter()
        .filter(|&i| mask & bit(i) != 0 && i != skip)
        .max_by_key(|&i| (mix(key ^ mix(u64::from(i) + 1)), std::cmp::Reverse(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrw_moves_only_the_keys_of_a_removed_node() {
        let full = Smap { version: 1, primary: 0, members: 0b11_1111, primary_since_s: 0 };
        let less = full.without(3);
        let (mut moved, mut total) = (0, 0);
        for key in 1..2_000u64 {
            let a = hrw(&full, u32::MAX, key, NONE).unwrap();
            let b = hrw(&less, u32::MAX, key, NONE).unwrap();
            total += 1;
            if a != b {
                assert_eq!(a, 3, "only keys owned by the removed node move");
                moved += 1;
            }
        }
        assert!(moved > total / 10 && moved < total / 3, "{moved} of {total}");
    }

    #[test]
    fn the_next_primary_is_the_same_for_equal_maps_and_skips_the_old_one() {
        let m = Smap { version: 5, primary: 2, members: 0b0011_1111, primary_since_s: 0 };
        let c = hrw(&m, 0b0011_1111, 0, 2).unwrap();
        assert_ne!(c, 2);
        assert_eq!(hrw(&m, 0b0011_1111, 0, 2), Some(c));
        assert_eq!(hrw(&m.without(c), 0b0011_1111, 0, 2).is_some_and(|d| d != c), true);
    }
}
