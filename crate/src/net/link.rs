//! A directed link: latency (base + uniform jitter), loss, bandwidth with a FIFO
//! transmit queue (so a large transfer takes time and delays what follows it),
//! and a per-direction cut.

use crate::engine::rng::Rng;
use crate::engine::time::{SimTime, US_PER_S};
use crate::ids::{DeviceId, NodeId, PlaneId};

#[derive(Clone, Debug)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub plane: PlaneId,
    pub latency_us: u64,
    pub jitter_us: u64,
    pub loss_ppm: u32,
    /// 0 means unlimited (serialization time is ignored).
    pub bandwidth_bytes_per_s: u64,
    /// Devices on the path, in order.
    pub via: Vec<DeviceId>,
    /// This direction is cut cleanly: the carrier is down.
    pub cut: bool,
    /// Impairment added on top of the link's own figures (`tc netem` on a host):
    /// extra loss and extra one-way delay; zero when none is set.
    pub netem_loss_ppm: u32,
    pub netem_delay_us: u64,
    /// When the transmit queue is next free.
    pub busy_until_us: SimTime,
    /// Latest arrival scheduled so far: links are FIFO (as a TCP stream is), so
    /// jitter delays a message but never lets it overtake an earlier one.
    pub last_arrival_us: SimTime,
}

impl Link {
    /// Time to put `bytes` on the wire at this link's bandwidth, rounded up.
    pub fn serialization_us(&self, bytes: u64) -> u64 {
        if self.bandwidth_bytes_per_s == 0 {
            return 0;
        }
        // Messages are at most u32::MAX bytes, so bytes × 10^6 fits in a u64: no
        // 128-bit division (a slow library call in WebAssembly) on the hot path.
        match bytes.checked_mul(US_PER_S) {
            Some(num) => num.div_ceil(self.bandwidth_bytes_per_s).min(u64::MAX / 4),
            None => (u128::from(bytes) * u128::from(US_PER_S)).div_ceil(u128::from(self.bandwidth_bytes_per_s)).min(u128::from(u64::MAX / 4)) as u64,
        }
    }

    /// Queue `bytes` for sending at `now`; returns the arrival time at the far end.
    /// The caller has already decided the packet is not dropped.
    pub fn schedule(&mut self, now: SimTime, bytes: u64, rng: &mut Rng) -> SimTime {
        let start = self.busy_until_us.max(now);
        let done = start.saturating_add(self.serialization_us(bytes));
        self.busy_until_us = done;
        let jitter = if self.jitter_us == 0 { 0 } else { rng.below(self.jitter_us.saturating_add(1)) };
        let arrival = done.saturating_add(self.latency_us).saturating_add(self.netem_delay_us).saturating_add(jitter).max(self.last_arrival_us);
        self.last_arrival_us = arrival;
        arrival
    }

    /// Loss on this link with any netem loss: two independent chances to drop.
    pub fn total_loss_ppm(&self) -> u32 {
        if self.netem_loss_ppm == 0 {
            return self.loss_ppm;
        }
        let keep = (1_000_000 - u64::from(self.loss_ppm.min(1_000_000))) * (1_000_000 - u64::from(self.netem_loss_ppm.min(1_000_000))) / 1_000_000;
        (1_000_000 - keep) as u32
    }

    /// Bytes-in-queue as a delay: how far behind `now` the transmit queue is.
    pub fn backlog_us(&self, now: SimTime) -> u64 {
        self.busy_until_us.saturating_sub(now)
    }

    /// A backlog longer than this (the latency, at least 1 ms) shows the link as queueing.
    fn queueing_threshold_us(&self) -> u64 {
        self.latency_us.max(1_000)
    }

    pub fn queueing(&self, now: SimTime) -> bool {
        self.backlog_us(now) > self.queueing_threshold_us()
    }

    /// When the backlog will have drained to the threshold if nothing more is sent.
    pub fn queue_drains_at_us(&self) -> SimTime {
        self.busy_until_us.saturating_sub(self.queueing_threshold_us())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(latency_us: u64, jitter_us: u64, bandwidth: u64) -> Link {
        Link {
            from: NodeId(0),
            to: NodeId(1),
            plane: PlaneId(0),
            latency_us,
            jitter_us,
            loss_ppm: 0,
            bandwidth_bytes_per_s: bandwidth,
            via: vec![],
            cut: false,
            netem_loss_ppm: 0,
            netem_delay_us: 0,
            busy_until_us: 0,
            last_arrival_us: 0,
        }
    }

    #[test]
    fn latency_without_bandwidth_limit_is_base_plus_jitter() {
        let mut l = link(1_000, 200, 0);
        let mut rng = Rng::for_component(1, 1);
        let mut seen_min = u64::MAX;
        let mut seen_max = 0;
        for _ in 0..10_000 {
            l.last_arrival_us = 0;
            let at = l.schedule(50, 1_000_000, &mut rng);
            seen_min = seen_min.min(at);
            seen_max = seen_max.max(at);
        }
        assert_eq!(seen_min, 1_050);
        assert_eq!(seen_max, 1_250);
    }

    #[test]
    fn bandwidth_queues_transfers_back_to_back() {
        // 1 MB/s: a 500 kB transfer takes 0.5 s on the wire, and the next one waits for it.
        let mut l = link(100, 0, 1_000_000);
        let mut rng = Rng::for_component(1, 1);
        assert_eq!(l.schedule(0, 500_000, &mut rng), 500_000 + 100);
        assert_eq!(l.schedule(0, 100, &mut rng), 500_100 + 100);
        assert_eq!(l.backlog_us(0), 500_100);
        // After the queue drains, a packet goes straight out.
        assert_eq!(l.schedule(2_000_000, 1_000, &mut rng), 2_001_000 + 100);
    }

    #[test]
    fn jitter_never_reorders_a_link() {
        let mut l = link(1_000, 900, 0);
        let mut rng = Rng::for_component(2, 2);
        let mut last = 0;
        for t in 0..5_000 {
            let at = l.schedule(t * 10, 10, &mut rng);
            assert!(at >= last);
            last = at;
        }
    }

    #[test]
    fn huge_transfers_saturate_instead_of_overflowing() {
        let mut l = link(0, 0, 1);
        let mut rng = Rng::for_component(1, 1);
        let at = l.schedule(0, u64::MAX, &mut rng);
        assert!(at >= u64::MAX / 4);
    }
}
