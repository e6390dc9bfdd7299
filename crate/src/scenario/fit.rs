//! Which values of each parameter the core would accept, given the other
//! settings: the page limits its sliders to these, so it never offers a value
//! that a run refuses (most often because it would need more events than
//! `limits.events_max`, e.g. a very short heartbeat over a seven-hour incident).
//!
//! A value "fits" when the scenario with it resolves (the same checks and the
//! same event projection a run starts with). The search assumes what holds for
//! every parameter the built-in models have: refusal is monotone, a value that
//! is refused past a point stays refused further out.

use super::params::{OverrideValue, Overrides, Values};
use super::{resolve, Scenario};
use serde::Serialize;

/// The accepted range of one parameter, on its step grid, within `min..=max`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterFit {
    pub name: String,
    pub lo: f64,
    pub hi: f64,
}

/// Every parameter's accepted range with the other settings as in `overrides`.
/// A parameter whose current value is itself refused keeps its full range (the
/// error message then names what to change).
pub fn parameter_fits(file: &str, scenario: &Scenario, overrides: &Overrides) -> Vec<ParameterFit> {
    scenario
        .parameters
        .iter()
        .map(|(name, p)| {
            let current = match overrides.get(name) {
                Some(OverrideValue::Number(v)) => *v,
                _ => p.default,
            };
            let fits = |v: f64| {
                let mut o = overrides.clone();
                o.insert(name.clone(), OverrideValue::Number(v));
                Values::new(file, scenario, &o).and_then(|values| resolve::resolve(file, scenario, &values, 1, &[])).is_ok()
            };
            let grid = Grid { min: p.min, step: p.step, steps: steps_between(p.min, p.max, p.step) };
            let at = grid.index_of(current);
            if !fits(grid.value(at)) {
                return ParameterFit { name: name.clone(), lo: p.min, hi: p.max };
            }
            let hi = grid.value(farthest(at, grid.steps, &|i| fits(grid.value(i))));
            let lo = grid.value(farthest(at, 0, &|i| fits(grid.value(i))));
            ParameterFit { name: name.clone(), lo: lo.max(p.min), hi: hi.min(p.max) }
        })
        .collect()
}

/// The step grid of a parameter: `min + i * step` for i in 0..=steps (the last is `max`).
struct Grid {
    min: f64,
    step: f64,
    steps: u64,
}

impl Grid {
    fn value(&self, i: u64) -> f64 {
        let v = self.min + i as f64 * self.step;
        // Round away float noise (0.1 * 3 = 0.30000000000000004).
        (v * 1e9).round() / 1e9
    }
    fn index_of(&self, v: f64) -> u64 {
        if self.step <= 0.0 {
            return 0;
        }
        (((v - self.min) / self.step).round().max(0.0) as u64).min(self.steps)
    }
}

fn steps_between(min: f64, max: f64, step: f64) -> u64 {
    if step <= 0.0 || max <= min {
        return 0;
    }
    ((max - min) / step + 1e-9).floor() as u64
}

/// From index `from` (which fits) towards `to`: the farthest index that fits,
/// by bisection (about 20 checks for a million steps).
fn farthest(from: u64, to: u64, fits: &dyn Fn(u64) -> bool) -> u64 {
    if from == to || fits(to) {
        return to;
    }
    // Invariant: `good` fits, `bad` does not.
    let (mut good, mut bad) = (from, to);
    while good.abs_diff(bad) > 1 {
        let mid = if good < bad { good + (bad - good) / 2 } else { bad + (good - bad) / 2 };
        if fits(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farthest_finds_the_last_fitting_index_either_way() {
        assert_eq!(farthest(10, 100, &|i| i <= 37), 37);
        assert_eq!(farthest(50, 0, &|i| i >= 12), 12);
        assert_eq!(farthest(5, 100, &|_| true), 100);
        assert_eq!(farthest(5, 5, &|_| false), 5);
    }

    #[test]
    fn grid_values_stay_on_the_step() {
        let g = Grid { min: 0.1, step: 0.1, steps: steps_between(0.1, 20.0, 0.1) };
        assert_eq!(g.steps, 199);
        assert_eq!(g.value(2), 0.3);
        assert_eq!(g.index_of(0.3), 2);
        assert_eq!(g.value(g.steps), 20.0);
    }
}
