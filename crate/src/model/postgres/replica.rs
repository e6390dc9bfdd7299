//! A replica's tick: replaying received WAL, optionally delayed.

use super::*;

impl Postgres {
    pub(super) fn replica_tick(&mut self, cx: &mut Cx) {
        // Replay received WAL at the apply rate, holding back what is younger than the delay.
        let mut budget = Self::over(self.cfg.apply_rate, self.cfg.tick_us);
        while let Some(&(end_pos, gen_us)) = self.unapplied.front() {
            if budget == 0 || gen_us.saturating_add(self.cfg.apply_delay_us) > cx.now_us {
                break;
            }
            let take = (end_pos - self.applied).min(budget);
            self.applied += take;
            budget -= take;
            if self.applied == end_pos {
                self.unapplied.pop_front();
            }
        }
        if self.state == PgState::Streaming {
            let ack = PgMsg::Ack { received: self.received, applied: self.applied };
            if let Some(primary) = self.cfg.primary {
                cx.send(primary, self.cfg.plane, ack, CONTROL_BYTES);
            }
            // restore_command: ask the archive for what the primary no longer has.
            if let (true, Some(catalog)) = (self.from_archive, self.cfg.catalog) {
                cx.send(catalog, self.cfg.plane, ack, CONTROL_BYTES);
            }
        }
    }
}
