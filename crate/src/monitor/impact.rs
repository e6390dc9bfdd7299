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
    /// Worst bucket mean latency / the healthy reference (the best stretch's mean).
    pub latency_peak_ratio: f64,
}

fn mean_ms(b: &RequestBucket) -> Option<f64> {
    (b.ok > 0).then(|| b.latency_sum_us as f64 / f64::from(b.ok) / 1e3)
}

/// Successful requests a stretch of buckets must hold before its mean latency
/// counts as a mean. A bucket of one or two requests is one request's latency:
/// at 0.1 requests/s a lone read is several times faster than a lone write, and
/// comparing such lone requests made every bucket with a write look slow (the
/// HA-pair sandbox showed clients impaired for its whole, fully successful run).
pub const STRETCH_REQUESTS_MIN: u32 = 20;

/// Per bucket: the mean latency in ms over the shortest stretch of buckets
/// starting there that holds `STRETCH_REQUESTS_MIN` successes (near the end,
/// the last stretch that does; with fewer in the whole run, the run's mean).
/// A bucket that alone holds enough is its own stretch, so busy runs are
/// judged bucket by bucket. Two pointers: `end` only moves forward.
fn stretch_means_ms(buckets: &[RequestBucket]) -> Vec<f64> {
    let mean = |ok: u32, sum_us: u64| if ok > 0 { sum_us as f64 / f64::from(ok) / 1e3 } else { 0.0 };
    let mut out = Vec::with_capacity(buckets.len());
    let (mut end, mut ok, mut sum_us) = (0usize, 0u32, 0u64);
    for start in 0..buckets.len() {
        while ok < STRETCH_REQUESTS_MIN && end < buckets.len() {
            ok += buckets[end].ok;
            sum_us += buckets[end].latency_sum_us;
            end += 1;
        }
        if ok < STRETCH_REQUESTS_MIN {
            break;
        }
        out.push(mean(ok, sum_us));
        ok -= buckets[start].ok;
        sum_us -= buckets[start].latency_sum_us;
    }
    // The tail that cannot fill a stretch forward shares the last full one
    // (the last `STRETCH_REQUESTS_MIN` successes), or the run's mean.
    let tail = out.last().copied().unwrap_or_else(|| {
        mean(buckets.iter().map(|b| b.ok).sum(), buckets.iter().map(|b| b.latency_sum_us).sum())
    });
    out.resize(buckets.len(), tail);
    out
}

/// The healthy reference latency in ms (the lowest stretch mean: not the
/// typical one, since in a long incident most buckets are the bad ones) and
/// the worst single bucket's mean.
fn latency_range_ms(means: &[f64], buckets: &[RequestBucket]) -> (f64, f64) {
    let worst = buckets.iter().filter_map(mean_ms).fold(0.0_f64, f64::max);
    let best = means.iter().copied().filter(|&m| m > 0.0).fold(f64::INFINITY, f64::min);
    (if best.is_finite() { best } else { 0.0 }, worst)
}

/// Impaired: below the success rate, or slow: the bucket's own mean and its
/// stretch's are both more than `IMPAIRED_LATENCY_FACTOR` times the reference
/// (its own, so a slowdown starts where it starts; its stretch's, so one slow
/// request among normal ones is not a slowdown).
fn impaired(b: &RequestBucket, stretch_ms: f64, best_ms: f64) -> bool {
    let total = b.ok + b.failed;
    if total == 0 {
        return false;
    }
    let rate = 100.0 * f64::from(b.ok) / f64::from(total);
    let over = |m: f64| best_ms > 0.0 && m > IMPAIRED_LATENCY_FACTOR * best_ms;
    let slow = mean_ms(b).is_some_and(over) && over(stretch_ms);
    rate < IMPAIRED_SUCCESS_PCT || slow
}

/// The first and the last impaired bucket's index, if any bucket is impaired
/// (the timeline shades this span as "clients impaired").
pub fn impaired_buckets(buckets: &[RequestBucket]) -> Option<(usize, usize)> {
    let means = stretch_means_ms(buckets);
    let (best, _) = latency_range_ms(&means, buckets);
    let hit = |i: usize| impaired(&buckets[i], means[i], best);
    let first = (0..buckets.len()).find(|&i| hit(i))?;
    let last = (0..buckets.len()).rev().find(|&i| hit(i))?;
    Some((first, last))
}

pub fn measure(buckets: &[RequestBucket], bucket_us: u64) -> Impact {
    let (best, peak) = latency_range_ms(&stretch_means_ms(buckets), buckets);
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

    #[test]
    fn a_quiet_healthy_run_is_not_impaired_by_the_spread_of_single_requests() {
        // One request per bucket, alternating a 0.4 ms read and a 1.1 ms write,
        // all successful: no bucket is slow against the reference (their mean).
        let buckets: Vec<RequestBucket> =
            (0..180).map(|i| RequestBucket { ok: 1, failed: 0, latency_sum_us: if i % 2 == 0 { 400 } else { 1_100 }, latency_max_us: 0 }).collect();
        let r = measure(&buckets, 10_000_000);
        assert_eq!(r.impact_s, 0.0);
        // One request three times slower than the rest is not a slowdown.
        let mut lone = buckets.clone();
        lone[51].latency_sum_us = 2_500;
        assert_eq!(measure(&lone, 10_000_000).impact_s, 0.0);
        // The same run with a stretch of twenty 10 ms requests is impaired there.
        let mut slow = buckets.clone();
        for b in &mut slow[100..120] {
            b.latency_sum_us = 10_000;
        }
        // Its last bucket's stretch runs on into normal requests (one 10 ms among
        // nineteen 0.75 ms ones is under twice the reference), so 19 buckets count.
        assert_eq!(measure(&slow, 10_000_000).impact_s, 190.0);
    }

    #[test]
    fn busy_buckets_keep_the_best_bucket_as_the_reference() {
        let buckets = [b(20, 0, 10), b(20, 0, 30), b(20, 0, 12)];
        assert_eq!(measure(&buckets, 1_000_000).impact_s, 1.0, "30 ms against the best bucket's 10 ms");
    }
}
