//! Virtual time. The core only ever sees integer microseconds since the scenario
//! start; the historical wall clock is `meta.start + t`, formatted by the faces.

/// Microseconds since the start of the run.
pub type SimTime = u64;

pub const US_PER_MS: u64 = 1_000;
pub const US_PER_S: u64 = 1_000_000;
pub const US_PER_MIN: u64 = 60 * US_PER_S;
pub const US_PER_H: u64 = 60 * US_PER_MIN;

/// `hh:mm:ss.ffffff` relative to the run start, as used by golden timelines.
pub fn format_clock(t_us: SimTime) -> String {
    let h = t_us / US_PER_H;
    let m = (t_us % US_PER_H) / US_PER_MIN;
    let s = (t_us % US_PER_MIN) / US_PER_S;
    let us = t_us % US_PER_S;
    format!("{h:02}:{m:02}:{s:02}.{us:06}")
}

/// A short human duration: `1h 12m`, `4m 05s`, `950ms`, `120us`.
pub fn format_duration(d_us: u64) -> String {
    if d_us >= US_PER_H {
        format!("{}h {:02}m", d_us / US_PER_H, (d_us % US_PER_H) / US_PER_MIN)
    } else if d_us >= US_PER_MIN {
        format!("{}m {:02}s", d_us / US_PER_MIN, (d_us % US_PER_MIN) / US_PER_S)
    } else if d_us >= 10 * US_PER_S {
        format!("{:.1}s", d_us as f64 / US_PER_S as f64)
    } else if d_us >= US_PER_MS {
        format!("{}ms", d_us / US_PER_MS)
    } else {
        format!("{d_us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_hours_minutes_seconds_and_micros() {
        assert_eq!(format_clock(0), "00:00:00.000000");
        assert_eq!(format_clock(3 * US_PER_H + 4 * US_PER_MIN + 5 * US_PER_S + 6), "03:04:05.000006");
    }

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(format_duration(90 * US_PER_S), "1m 30s");
        assert_eq!(format_duration(9 * US_PER_H + 23 * US_PER_MIN), "9h 23m");
        assert_eq!(format_duration(950 * US_PER_MS), "950ms");
        assert_eq!(format_duration(12_500_000), "12.5s");
    }
}
