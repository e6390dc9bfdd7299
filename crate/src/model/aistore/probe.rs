//! The kubelet's liveness probe on each node's host: every period it asks the
//! node's health endpoint; after `failure_threshold` failures in a row it
//! kills the container, which restarts after the restart delay. The probe is
//! itself a small TCP request on the same host, so memory pressure fails it
//! too; and a node that cannot reach its primary reports itself unhealthy
//! (an assumption about AIStore's health endpoint under Kubernetes).

use super::msg::AisTimer;
use super::{AisNode, Phase, CONTROL_BYTES};
use crate::model::effect::{Cx, Effect};

impl AisNode {
    fn healthy(&self, now_us: u64) -> bool {
        let in_cluster = self.phase != Phase::Discovering && self.smap.primary != super::smap::NONE;
        in_cluster && (self.is_primary() || now_us.saturating_sub(self.last_ack_us) < self.detection_us())
    }

    pub(super) fn probe(&mut self, cx: &mut Cx) {
        let now = cx.now_us;
        self.tcp.charge(now, CONTROL_BYTES);
        let answered = !self.tcp.control_dropped(now) && self.healthy(now);
        if answered {
            self.probe_failures = 0;
        } else {
            self.probe_failures += 1;
        }
        if let Some(g) = self.cfg.gauges.tcp_mem_used {
            let used = self.tcp.used_bytes(now) as i64;
            cx.emit(Effect::Gauge { gauge: g, value: used });
        }
        if self.probe_failures >= self.cfg.probe.failure_threshold {
            self.probe_failures = 0;
            self.probe_kills += 1;
            self.gauge(cx, self.cfg.gauges.probe_kills, self.probe_kills);
            // The kubelet kills the container at once; it runs again after the delay.
            cx.emit(Effect::WatchdogArm { timeout_us: 1, boot_us: self.cfg.probe.restart_us });
            return;
        }
        cx.set_timer(AisTimer::Probe, self.cfg.probe.period_us);
    }
}
