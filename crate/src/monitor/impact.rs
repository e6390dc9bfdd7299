//! How badly and for how long clients were hurt, from the per-bucket request
//! counters: the worst bucket's success rate, the span from the first to the
//! last impaired bucket, and the worst bucket's mean latency against the
//! typical one ("the dashboard was 80 times slower").

use crate::trace::event::RequestBucket;

/// A bucket is impaired below this success rate ...
pub const IMPAIRED_SUCCESS_PCT: f64 = 99.0;
/// ... or when its mean latency exceeds the best bucket's by this factor.
pub const IMPAIRED_LATENCY_FACTOR: f64 = 2.0;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Impact {
    pub success_rate_min_pct: f64,
    /// From the start of the first impaired bucket to the end of the last.
    pub impact_s: f64,
    /// Worst bucket mean latency / best bucket mean latency.
    pub latency_peak_ratio: f64,
}

fn mean_ms(b: &RequestBucket) -> Option<f64> {
    (b.ok > 0).then(|| b.latency_sum_us as f64 / f64::from(b.ok) / 1e3)
}

/// The best (lowest) mean latency over buckets with successes, in ms, and the worst.
fn latency_range_ms(buckets: &[RequestBucket]) -> (f64, f64) {
    let means = || buckets.iter().filter_map(mean_ms);
    // The best bucket is the reference: in a long incident most buckets are the bad ones.
    (means().min_by(f64::total_cmp).unwrap_or(0.0), means().max_by(f64::total_cmp).unwrap_or(0.0))
}

fn impaired(b: &RequestBucket, best_ms: f64) -> bool {
    let total = b.ok + b.failed;
    if total == 0 {
        return false;
    }
    let rate = 100.0 * f64::from(b.ok) / f64::from(total);
    let slow = mean_ms(b).is_some_and(|m| best_ms > 0.0 && m > IMPAIRED_LATENCY_FACTOR * best_ms);
    rate < IMPAIRED_SUCCESS_PCT || slow
}

/// The first and the last impaired bucket's index, if any bucket is impaired
/// (the timeline shades this span as "clients impaired").
pub fn impaired_buckets(buckets: &[RequestBucket]) -> Option<(usize, usize)> {
    let (best, _) = latency_range_ms(buckets);
    let first = buckets.iter().position(|b| impaired(b, best))?;
    let last = buckets.iter().rposition(|b| impaired(b, best))?;
    Some((first, last))
}

pub fn measure(buckets: &[RequestBucket], bucket_us: u64) -> Impact {
    let (best, peak) = latency_range_ms(buckets);
    let worst = buckets
        .iter()
        .filter(|b| b.ok + b.failed > 0)
        .map(|b| 100.0 * f64::from(b.ok) / f64::from(b.ok + b.failed))
        .fold(100.0_f64, f64::min);
    let impact_s = match impaired_buckets(buckets) {
        Some((a, b)) => ((b + 1 - a) as u64 * bucket_us) as f64 / 1e6,
        None => 0.0,
    };
    Impact { success_rate_min_pct: worst, impact_s, latency_peak_ratio: if best > 0.0 { peak / best } else { 0.0 } }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(ok: u32, failed: u32, latency_ms: u64) -> RequestBucket {
        RequestBucket { ok, failed, latency_sum_us: u64::from(ok) * latency_ms * 1000, latency_max_us: latency_ms * 1000 }
    }

    #[test]
    fn impact_spans_first_to_last_impaired_bucket() {
        let buckets = [b(100, 0, 10), b(75, 25, 10), b(100, 0, 10), b(100, 0, 50), b(100, 0, 10), b(100, 0, 15)];
        let r = measure(&buckets, 1_000_000);
        assert_eq!(r.success_rate_min_pct, 75.0);
        assert_eq!(r.impact_s, 3.0);
        assert_eq!(r.latency_peak_ratio, 5.0);
    }
}
