//! Parameter and toggle values for one run: the file's defaults with the
//! viewer's overrides applied, each checked against its declared range.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::{number, ScenarioError};
use super::format::{Flag, Quantity, Scenario};
use super::units::{parse_literal, Kind, Unit};

/// One override as it arrives from `--set`, the panel or the URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OverrideValue {
    Number(f64),
    Flag(bool),
}

pub type Overrides = BTreeMap<String, OverrideValue>;

/// Parse `name=value` as given on the command line.
pub fn parse_set(text: &str) -> Result<(String, OverrideValue), String> {
    let (name, value) = text.split_once('=').ok_or_else(|| format!("--set {text}: expected name=value"))?;
    let value = match value.trim() {
        "true" | "on" => OverrideValue::Flag(true),
        "false" | "off" => OverrideValue::Flag(false),
        v => OverrideValue::Number(v.parse().map_err(|_| format!("--set {name}: `{v}` is not a number or on/off"))?),
    };
    Ok((name.trim().to_string(), value))
}

/// Resolved values, plus enough bookkeeping to name the parameter a field came from.
pub struct Values<'a> {
    file: &'a str,
    numbers: BTreeMap<String, (f64, Unit)>,
    flags: BTreeMap<String, bool>,
}

impl<'a> Values<'a> {
    pub fn new(file: &'a str, scenario: &Scenario, overrides: &Overrides) -> Result<Values<'a>, ScenarioError> {
        let mut numbers = BTreeMap::new();
        let mut flags = BTreeMap::new();
        for (name, p) in &scenario.parameters {
            numbers.insert(name.clone(), (p.default, p.unit));
        }
        for (name, t) in &scenario.toggles {
            flags.insert(name.clone(), t.default);
        }
        for (name, value) in overrides {
            let path = format!("parameters.{name}");
            match (value, scenario.parameters.get(name), scenario.toggles.get(name)) {
                (OverrideValue::Number(v), Some(p), _) => {
                    check_range(file, &path, *v, p.min, p.max, p.unit)?;
                    check_whole(file, &path, *v, p.unit)?;
                    numbers.insert(name.clone(), (*v, p.unit));
                }
                (OverrideValue::Flag(b), _, Some(_)) => {
                    flags.insert(name.clone(), *b);
                }
                (OverrideValue::Number(v), None, Some(_)) if *v == 0.0 || *v == 1.0 => {
                    flags.insert(name.clone(), *v == 1.0);
                }
                (_, Some(p), _) => {
                    return Err(ScenarioError::new(file, path, format!("expects a number in {}", p.unit.label())));
                }
                (_, None, Some(_)) => {
                    return Err(ScenarioError::new(file, format!("toggles.{name}"), "expects on or off"));
                }
                (_, None, None) => {
                    let known: Vec<&str> =
                        scenario.parameters.keys().chain(scenario.toggles.keys()).map(String::as_str).collect();
                    return Err(ScenarioError::new(
                        file,
                        path,
                        format!("no such parameter or toggle (known: {})", known.join(", ")),
                    ));
                }
            }
        }
        Ok(Values { file, numbers, flags })
    }

    pub fn file(&self) -> &str {
        self.file
    }

    pub fn number_of(&self, name: &str) -> Option<f64> {
        self.numbers.get(name).map(|&(v, _)| v)
    }

    pub fn flag_of(&self, name: &str) -> Option<bool> {
        self.flags.get(name).copied()
    }

    fn err(&self, path: &str, reason: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.file, path, reason)
    }

    /// A quantity in base units (µs, bytes, bytes/s, ppm, plain count).
    /// Text may be a sum of terms joined by ` + `, each a `$parameter` or a
    /// literal (`"$pause_at + $session_timeout + 2s"`), so a step can sit at the
    /// moment its event happens and still follow the viewer's settings.
    pub fn base(&self, q: &Quantity, kind: Kind, path: &str) -> Result<f64, ScenarioError> {
        let value = match q {
            Quantity::Number(n) if kind == Kind::Count => *n,
            Quantity::Number(n) => {
                let n = number(*n);
                return Err(self.err(path, format!("{n} needs a unit (for example \"{n}{}\")", example_unit(kind))))
            }
            Quantity::Text(t) if t.contains('+') => self.sum(t, kind, path)?,
            Quantity::Text(t) => self.term(t, kind, path)?,
        };
        if !value.is_finite() || value < 0.0 {
            return Err(self.err(path, format!("{} must be a finite number of zero or more", number(value))));
        }
        let ceiling = base_max(kind);
        if value > ceiling {
            let from = match q {
                Quantity::Text(t) if t.contains('+') => format!(" (from the sum `{t}`)"),
                Quantity::Text(t) if t.starts_with('$') => format!(" (from parameters.{})", &t[1..]),
                _ => String::new(),
            };
            return Err(self.err(path, format!("{} is more than a run can use{from}: {}", shown(value, kind), limit_words(kind))));
        }
        Ok(value)
    }

    /// `"a + b + c"`: every term resolved on its own, then added. A term that is
    /// empty (`"$a +"`, `"$a + + 2s"`) is a malformed sum, not a zero.
    fn sum(&self, text: &str, kind: Kind, path: &str) -> Result<f64, ScenarioError> {
        let mut total = 0.0;
        for (i, term) in text.split('+').enumerate() {
            let term = term.trim();
            if term.is_empty() {
                return Err(self.err(
                    path,
                    format!("`{text}` is not a sum: term {} is empty (write terms joined by \" + \", like \"$a + 2s\")", i + 1),
                ));
            }
            total += self.term(term, kind, path)?;
        }
        Ok(total)
    }

    /// One `$parameter` or literal, in base units.
    fn term(&self, t: &str, kind: Kind, path: &str) -> Result<f64, ScenarioError> {
        match t.strip_prefix('$') {
            Some(name) => {
                let &(v, unit) =
                    self.numbers.get(name).ok_or_else(|| self.err(path, format!("refers to unknown parameter `{name}`")))?;
                if unit.kind() != kind {
                    return Err(self.err(path, format!("parameter `{name}` is in {}, expected a {}", unit.label(), kind.name())));
                }
                Ok(v * unit.scale())
            }
            None if kind == Kind::Count => t.parse().map_err(|_| self.err(path, format!("`{t}` is not a number"))),
            None => parse_literal(t, kind).map_err(|reason| self.err(path, reason)),
        }
    }

    pub fn micros(&self, q: &Quantity, path: &str) -> Result<u64, ScenarioError> {
        Ok(self.base(q, Kind::Duration, path)?.round() as u64)
    }

    pub fn bytes(&self, q: &Quantity, path: &str) -> Result<u64, ScenarioError> {
        Ok(self.base(q, Kind::Size, path)?.round() as u64)
    }

    pub fn bytes_per_s(&self, q: &Quantity, path: &str) -> Result<u64, ScenarioError> {
        Ok(self.base(q, Kind::Rate, path)?.round() as u64)
    }

    pub fn ppm(&self, q: &Quantity, path: &str) -> Result<u32, ScenarioError> {
        let v = self.base(q, Kind::Probability, path)?;
        if v > 1_000_000.0 {
            return Err(self.err(path, "a probability cannot be above 100%"));
        }
        Ok(v.round() as u32)
    }

    /// A whole number of things (`retries`, `pairs`): `1.5` is refused, not rounded.
    pub fn count(&self, q: &Quantity, path: &str) -> Result<u64, ScenarioError> {
        let v = self.base(q, Kind::Count, path)?;
        if v.fract() != 0.0 {
            return Err(self.err(path, format!("{} is not a whole number", number(v))));
        }
        Ok(v as u64)
    }

    pub fn flag(&self, f: &Flag, path: &str) -> Result<bool, ScenarioError> {
        match f {
            Flag::Value(b) => Ok(*b),
            // `"$a&!$b"`: on when every term is (an invariant that needs several settings).
            Flag::Ref(r) if r.contains('&') => {
                // Every term is checked, so a misspelt one is an error whatever the others say.
                let mut all = true;
                for term in r.split('&') {
                    all &= self.flag(&Flag::Ref(term.trim().to_string()), path)?;
                }
                Ok(all)
            }
            Flag::Ref(r) => {
                // `"!$toggle"`: on when the toggle is off.
                let (negate, rest) = match r.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, r.as_str()),
                };
                let body = rest
                    .strip_prefix('$')
                    .ok_or_else(|| self.err(path, format!("`{r}` should be true, false, \"$toggle\", \"!$toggle\", \"$parameter>=N\" or several joined by &")))?;
                let value = match body.split_once(">=") {
                    // `"$pairs>=5"`: on when a numeric parameter reaches a threshold.
                    Some((name, threshold)) => {
                        let threshold: f64 = threshold.trim().parse().map_err(|_| self.err(path, format!("`{threshold}` is not a number")))?;
                        let v = self.number_of(name.trim()).ok_or_else(|| self.err(path, format!("refers to unknown parameter `{}`", name.trim())))?;
                        v >= threshold
                    }
                    None => self.flags.get(body).copied().ok_or_else(|| self.err(path, format!("refers to unknown toggle `{body}`")))?,
                };
                Ok(value != negate)
            }
        }
    }
}

/// Largest value a field of each kind may resolve to, in base units. A run lasts
/// at most 30 days (`meta.duration`), so a timer of a year never fires; below
/// these ceilings every sum of a time and a duration stays far inside a `u64`.
pub const DURATION_MAX_US: f64 = 365.0 * 24.0 * 3600e6;
pub const SIZE_MAX_BYTES: f64 = 1e15;
pub const RATE_MAX_BYTES_PER_S: f64 = 1e15;
/// Counts and per-second rates stay exact as integers (and as JS numbers).
pub const COUNT_MAX: f64 = 9_007_199_254_740_991.0;

fn base_max(kind: Kind) -> f64 {
    match kind {
        Kind::Duration => DURATION_MAX_US,
        Kind::Size => SIZE_MAX_BYTES,
        Kind::Rate => RATE_MAX_BYTES_PER_S,
        Kind::Probability => f64::INFINITY, // `ppm` checks 100% itself
        Kind::Count | Kind::Flag => COUNT_MAX,
    }
}

fn limit_words(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration => "at most 1 year (365 days); a run lasts at most 30 days",
        Kind::Size => "at most 1 PB (1e15 bytes)",
        Kind::Rate => "at most 1e15 bytes per second",
        Kind::Probability | Kind::Count | Kind::Flag => "at most 2^53 - 1",
    }
}

/// A value in base units, in words: `5124095577h` rather than 22 digits of µs.
fn shown(v: f64, kind: Kind) -> String {
    match kind {
        Kind::Duration => format!("{} h", number(v / 3600e6)),
        Kind::Size => format!("{} bytes", number(v)),
        Kind::Rate => format!("{} bytes/s", number(v)),
        Kind::Probability | Kind::Count | Kind::Flag => number(v),
    }
}

/// Parameters in `count` are whole numbers: `pairs=1.5` is refused, not rounded down.
pub fn check_whole(file: &str, path: &str, v: f64, unit: Unit) -> Result<(), ScenarioError> {
    if unit == Unit::Count && v.fract() != 0.0 {
        return Err(ScenarioError::new(file, path, format!("{} is not a whole number (a count)", number(v))));
    }
    Ok(())
}

fn example_unit(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration => "ms",
        Kind::Size => "MB",
        Kind::Rate => "MB/s",
        Kind::Probability => "%",
        Kind::Count | Kind::Flag => "",
    }
}

pub fn check_range(file: &str, path: &str, v: f64, min: f64, max: f64, unit: Unit) -> Result<(), ScenarioError> {
    let u = unit.label();
    if !v.is_finite() {
        return Err(ScenarioError::new(file, path, format!("{} is not a finite number", number(v))));
    }
    if v < min {
        return Err(ScenarioError::new(file, path, format!("{} is below min {} ({u})", number(v), number(min))));
    }
    if v > max {
        return Err(ScenarioError::new(file, path, format!("{} is above max {} ({u})", number(v), number(max))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(scenario_json: &str) -> Scenario {
        serde_json::from_str(scenario_json).unwrap()
    }

    #[test]
    fn flags_can_be_negated_or_compare_a_parameter() {
        let s = values(
            r#"{"meta":{"title":"t","date":"2026-01-01","summary":"s","start":"2026-01-01T00:00:00Z","time_zone":"UTC","duration":"1s"},
                "parameters":{"pairs":{"unit":"count","default":4,"min":1,"max":9,"step":1,"description":"d","source":"assumption"}},
                "toggles":{"t":{"default":true,"label":"l","description":"d","source":"assumption"}},
                "planes":["data"],"nodes":[],"links":[],"limits":{"events_max":10,"bucket":"1s"}}"#,
        );
        let v = Values::new("x.json", &s, &Overrides::new()).unwrap();
        let f = |text: &str| v.flag(&Flag::Ref(text.into()), "p");
        assert!(f("$t").unwrap());
        assert!(!f("!$t").unwrap());
        assert!(f("$pairs>=4").unwrap());
        assert!(!f("$pairs>=5").unwrap());
        assert!(f("!$pairs>=5").unwrap());
        assert!(f("$nope").unwrap_err().to_string().contains("unknown toggle `nope`"));
        assert!(f("$nope>=1").unwrap_err().to_string().contains("unknown parameter `nope`"));
        assert!(f("t").unwrap_err().to_string().contains("should be true, false"));
    }
}
