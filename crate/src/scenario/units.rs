//! Units: the only place where text like `90s`, `4GB`, `60Mbit/s` or `2%` becomes
//! integer microseconds, bytes, bytes per second or parts per million.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The unit of a parameter. Its kind decides which fields may reference it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Unit {
    #[serde(rename = "us")]
    Micros,
    #[serde(rename = "ms")]
    Millis,
    #[serde(rename = "s")]
    Seconds,
    #[serde(rename = "min")]
    Minutes,
    #[serde(rename = "h")]
    Hours,
    #[serde(rename = "B")]
    Bytes,
    #[serde(rename = "kB")]
    Kilobytes,
    #[serde(rename = "MB")]
    Megabytes,
    #[serde(rename = "GB")]
    Gigabytes,
    #[serde(rename = "Mbit/s")]
    MegabitsPerSecond,
    #[serde(rename = "MB/s")]
    MegabytesPerSecond,
    #[serde(rename = "%")]
    Percent,
    #[serde(rename = "ppm")]
    Ppm,
    #[serde(rename = "count")]
    Count,
    #[serde(rename = "per_s")]
    PerSecond,
    #[serde(rename = "on/off")]
    Toggle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Duration,
    Size,
    Rate,
    Probability,
    Count,
    Flag,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Duration => "duration",
            Kind::Size => "size",
            Kind::Rate => "rate",
            Kind::Probability => "probability",
            Kind::Count => "count",
            Kind::Flag => "flag",
        }
    }
}

impl Unit {
    pub fn kind(self) -> Kind {
        use Unit::*;
        match self {
            Micros | Millis | Seconds | Minutes | Hours => Kind::Duration,
            Bytes | Kilobytes | Megabytes | Gigabytes => Kind::Size,
            MegabitsPerSecond | MegabytesPerSecond => Kind::Rate,
            Percent | Ppm => Kind::Probability,
            Count | PerSecond => Kind::Count,
            Toggle => Kind::Flag,
        }
    }

    /// How many base units (µs, bytes, bytes/s, ppm, 1) one of this unit is.
    pub fn scale(self) -> f64 {
        use Unit::*;
        match self {
            Micros => 1.0,
            Millis => 1e3,
            Seconds => 1e6,
            Minutes => 60e6,
            Hours => 3600e6,
            Bytes => 1.0,
            Kilobytes => 1e3,
            Megabytes => 1e6,
            Gigabytes => 1e9,
            MegabitsPerSecond => 125_000.0,
            MegabytesPerSecond => 1e6,
            Percent => 1e4,
            Ppm => 1.0,
            Count | PerSecond | Toggle => 1.0,
        }
    }

    pub fn label(self) -> &'static str {
        use Unit::*;
        match self {
            Micros => "us",
            Millis => "ms",
            Seconds => "s",
            Minutes => "min",
            Hours => "h",
            Bytes => "B",
            Kilobytes => "kB",
            Megabytes => "MB",
            Gigabytes => "GB",
            MegabitsPerSecond => "Mbit/s",
            MegabytesPerSecond => "MB/s",
            Percent => "%",
            Ppm => "ppm",
            Count => "count",
            PerSecond => "per_s",
            Toggle => "on/off",
        }
    }

    const ALL: [Unit; 16] = [
        Unit::Micros,
        Unit::Millis,
        Unit::Seconds,
        Unit::Minutes,
        Unit::Hours,
        Unit::Bytes,
        Unit::Kilobytes,
        Unit::Megabytes,
        Unit::Gigabytes,
        Unit::MegabitsPerSecond,
        Unit::MegabytesPerSecond,
        Unit::Percent,
        Unit::Ppm,
        Unit::Count,
        Unit::PerSecond,
        Unit::Toggle,
    ];

    pub fn from_label(label: &str) -> Option<Unit> {
        Self::ALL.into_iter().find(|u| u.label() == label)
    }
}

/// Parse a literal like `90s`, `1h30min`, `250ms`, `4GB`, `60Mbit/s`, `2.5%`
/// into base units of the expected kind. Durations may chain parts (`1h23min`).
pub fn parse_literal(text: &str, kind: Kind) -> Result<f64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty value".into());
    }
    let mut total = 0.0;
    let mut rest = text;
    let mut parts = 0;
    // A chained duration names each unit once, largest first (`1h30min`): `1h1h`
    // or `30min1h` is far more likely a typo than a sum anyone meant.
    let mut previous_scale = f64::INFINITY;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("`{text}` is not a number with a unit"));
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| format!("`{}` is not a number", &rest[..num_len]))?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let label = rest[..unit_len].trim();
        rest = &rest[unit_len..];
        let unit = Unit::from_label(label).ok_or_else(|| format!("`{label}` in `{text}` is not a known unit"))?;
        if unit.kind() != kind {
            return Err(format!("`{text}` is a {}, expected a {}", unit.kind().name(), kind.name()));
        }
        if unit.scale() >= previous_scale {
            return Err(format!("`{text}` repeats a unit or puts a smaller one first (write e.g. `1h30min`)"));
        }
        previous_scale = unit.scale();
        total += number * unit.scale();
        parts += 1;
        if parts > 1 && kind != Kind::Duration {
            return Err(format!("`{text}` has more than one unit"));
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_any_unit_become_microseconds() {
        assert_eq!(parse_literal("90s", Kind::Duration), Ok(90e6));
        assert_eq!(parse_literal("250ms", Kind::Duration), Ok(250e3));
        assert_eq!(parse_literal("9h23min", Kind::Duration), Ok(9.0 * 3600e6 + 23.0 * 60e6));
        assert_eq!(parse_literal("1.5s", Kind::Duration), Ok(1.5e6));
    }

    #[test]
    fn sizes_rates_and_probabilities() {
        assert_eq!(parse_literal("4GB", Kind::Size), Ok(4e9));
        assert_eq!(parse_literal("60Mbit/s", Kind::Rate), Ok(7.5e6));
        assert_eq!(parse_literal("2%", Kind::Probability), Ok(20_000.0));
    }

    #[test]
    fn wrong_kind_and_garbage_are_refused() {
        assert!(parse_literal("4GB", Kind::Duration).unwrap_err().contains("expected a duration"));
        assert!(parse_literal("fast", Kind::Duration).is_err());
        assert!(parse_literal("10parsecs", Kind::Duration).unwrap_err().contains("not a known unit"));
        assert!(parse_literal("", Kind::Duration).is_err());
    }

    #[test]
    fn a_chained_duration_names_each_unit_once_largest_first() {
        assert!(parse_literal("1h1h", Kind::Duration).unwrap_err().contains("repeats a unit"));
        assert!(parse_literal("30min1h", Kind::Duration).unwrap_err().contains("smaller one first"));
        assert_eq!(parse_literal("1h30min15s", Kind::Duration), Ok(5_415e6));
    }
}
