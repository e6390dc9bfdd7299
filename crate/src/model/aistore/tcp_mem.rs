//! A host's kernel TCP memory budget (`net.ipv4.tcp_mem`): socket buffers of
//! every connection on the host draw from one pool. The pool's use is a fluid:
//! each message the node sends or receives adds its bytes, and buffers drain
//! with a time constant (`drain_us`), so at a steady byte rate the use settles
//! near rate × drain time. Above the `pressure` threshold the kernel starts
//! refusing allocations; at `high` it refuses all. Bulk transfers survive that
//! (TCP retransmits, they only slow down); short control requests with tight
//! timeouts — keepalives, votes, probes — fail. So a control message is lost
//! with a probability rising linearly from 0 at `pressure` to `max_drop` at
//! `high` and above, drawn from the host's own stream (`tcp_mem NODE`). The
//! load is the cluster's own traffic, which is why the failures look random
//! and come and go with the workload (AIStore blog: keepalives "failing
//! seemingly at random"; root cause a `tcp_mem` misconfiguration).

use crate::engine::rng::Rng;

#[derive(Clone, Copy, Debug)]
pub struct TcpMemConfig {
    pub pressure_bytes: u64,
    pub high_bytes: u64,
    pub drain_us: u64,
    /// Drop probability at and above `high`, parts per million.
    pub max_drop_ppm: u32,
}

#[derive(Clone, Debug)]
pub struct TcpMem {
    cfg: TcpMemConfig,
    used_bytes: f64,
    at_us: u64,
    rng: Rng,
}

impl TcpMem {
    pub fn new(cfg: TcpMemConfig, rng: Rng) -> TcpMem {
        TcpMem { cfg, used_bytes: 0.0, at_us: 0, rng }
    }

    /// Give the budget its own stream (set once, when the node starts).
    pub fn set_stream(&mut self, rng: Rng) {
        self.rng = rng;
    }

    fn drain(&mut self, now_us: u64) {
        let dt = now_us.saturating_sub(self.at_us) as f64;
        self.at_us = self.at_us.max(now_us);
        if self.cfg.drain_us > 0 {
            self.used_bytes *= (-dt / self.cfg.drain_us as f64).exp();
        }
    }

    /// Bytes of a message sent or received now.
    pub fn charge(&mut self, now_us: u64, bytes: u32) {
        self.drain(now_us);
        self.used_bytes += f64::from(bytes);
    }

    pub fn used_bytes(&mut self, now_us: u64) -> u64 {
        self.drain(now_us);
        self.used_bytes as u64
    }

    /// Bytes in use at `now_us`, without moving the budget's clock (for the
    /// stage: a look must not change what the next message finds).
    fn used_at(&self, now_us: u64) -> f64 {
        let dt = now_us.saturating_sub(self.at_us) as f64;
        if self.cfg.drain_us > 0 {
            self.used_bytes * (-dt / self.cfg.drain_us as f64).exp()
        } else {
            self.used_bytes
        }
    }

    /// Where the use stands now: 0 below `pressure`, 1 between `pressure` and
    /// `high` (control messages start to fail), 2 at or above `high`.
    pub fn pressure(&self, now_us: u64) -> u8 {
        let used = self.used_at(now_us) as u64;
        if used <= self.cfg.pressure_bytes {
            0
        } else if used < self.cfg.high_bytes {
            1
        } else {
            2
        }
    }

    /// Drop probability now, parts per million.
    pub fn drop_ppm(&mut self, now_us: u64) -> u32 {
        let used = self.used_bytes(now_us);
        let (lo, hi) = (self.cfg.pressure_bytes, self.cfg.high_bytes.max(self.cfg.pressure_bytes + 1));
        if used <= lo {
            return 0;
        }
        let share = ((used - lo) as f64 / (hi - lo) as f64).min(1.0);
        (share * f64::from(self.cfg.max_drop_ppm)) as u32
    }

    /// Does a control message (sent or received now) fail for lack of memory?
    /// Draws only under pressure, so a well-sized host never touches its stream.
    pub fn control_dropped(&mut self, now_us: u64) -> bool {
        let ppm = self.drop_ppm(now_us);
        ppm > 0 && self.rng.chance_ppm(ppm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem(pressure: u64, high: u64) -> TcpMem {
        let cfg = TcpMemConfig { pressure_bytes: pressure, high_bytes: high, drain_us: 1_000_000, max_drop_ppm: 1_000_000 };
        TcpMem::new(cfg, Rng::for_name(1, "tcp_mem test"))
    }

    #[test]
    fn use_settles_near_rate_times_drain_time_and_drops_grow_with_it() {
        let mut m = mem(1_000_000, 3_000_000);
        // 2 MB/s in 1 kB messages for 10 s: about 2 MB in use.
        for i in 0..20_000u64 {
            m.charge(i * 500, 1_000);
        }
        let used = m.used_bytes(10_000_000);
        assert!((1_800_000..2_100_000).contains(&used), "{used}");
        let p = m.drop_ppm(10_000_000);
        assert!((400_000..560_000).contains(&p), "{p}");
        let dropped = (0..10_000).filter(|_| m.control_dropped(10_000_000)).count();
        assert!((3_500..6_000).contains(&dropped), "{dropped}");
    }

    #[test]
    fn a_budget_sized_above_the_load_never_drops() {
        let mut m = mem(100_000_000, 200_000_000);
        for i in 0..20_000u64 {
            m.charge(i * 500, 1_000);
        }
        assert_eq!(m.drop_ppm(10_000_000), 0);
        assert!(!(0..1_000).any(|_| m.control_dropped(10_000_000)));
    }
}
