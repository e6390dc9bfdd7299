//! Outcomes over many seeds. One seed is one roll of the dice: a figure that
//! moves when only the seed moves says nothing about a mechanism. This module
//! sums up the same run over N seeds (median and range of every figure, in how
//! many seeds it was above zero, in how many seeds each historical check held)
//! and compares two such spreads (history vs a what-if): a figure counts as
//! changed only when the two distributions differ, i.e. their ranges do not
//! overlap or the figure is present (above zero) in a different number of seeds.
//!
//! Both faces use it: the CLI's `run --seeds N` and the page's worker pool (via
//! `wasm::spread` and `wasm::compare_spreads`), so they cannot disagree.

use serde::{Deserialize, Serialize};

use super::metrics::{Unit, METRICS};
use super::outcome::Outcome;
use crate::scenario::format::CheckKind;

/// One figure over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureSpread {
    pub metric: String,
    /// What it is measured in (the metric table's unit, or its gauge's).
    #[serde(default)]
    pub unit: Unit,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Seeds in which the figure was above zero ("split brain in 9 of 10 seeds").
    pub seeds_above_zero: u32,
    pub seeds: u32,
}

/// One historical check over the seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckSpread {
    pub metric: String,
    pub kind: CheckKind,
    pub expected: f64,
    pub tolerance: f64,
    /// Seeds in which the measured figure was inside `expected ± tolerance`.
    pub held: u32,
    pub seeds: u32,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub seeds: Vec<u64>,
    pub figures: Vec<FigureSpread>,
    pub checks: Vec<CheckSpread>,
}

/// A figure in history and in the what-if, and whether the distributions differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureChange {
    pub metric: String,
    pub history: FigureSpread,
    pub yours: FigureSpread,
    pub changed: bool,
    /// -1 lower, +1 higher, 0 not changed (by median, only when `changed`).
    pub direction: i8,
}

/// Median of a non-empty list (the mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

fn summarise(metric: &str, unit: Unit, mut values: Vec<f64>) -> FigureSpread {
    values.retain(|v| v.is_finite());
    crate::order::sort_f64(&mut values);
    let seeds = values.len() as u32;
    if values.is_empty() {
        return FigureSpread { metric: metric.to_string(), unit, median: f64::NAN, min: f64::NAN, max: f64::NAN, seeds_above_zero: 0, seeds };
    }
    FigureSpread {
        metric: metric.to_string(),
        unit,
        median: median(&values),
        min: values[0],
        max: values[values.len() - 1],
        seeds_above_zero: values.iter().filter(|v| **v > 0.0).count() as u32,
        seeds,
    }
}

/// Every figure an outcome has: the fixed metrics, then each gauge's last and
/// largest value (`NAME`, `NAME_max`), in the scenario's gauge order.
pub fn figure_names(o: &Outcome) -> Vec<String> {
    let mut names: Vec<String> = METRICS.iter().map(|m| m.to_string()).collect();
    for g in &o.gauges {
        names.push(g.name.clone());
        names.push(format!("{}_max", g.name));
    }
    names
}

/// Sum up runs of the same scenario and settings over different seeds.
pub fn spread(outcomes: &[Outcome]) -> Spread {
    let Some(first) = outcomes.first() else { return Spread::default() };
    let figures = figure_names(first)
        .iter()
        .map(|m| summarise(m, first.metric_unit(m).unwrap_or_default(), outcomes.iter().map(|o| o.metric(m).unwrap_or(f64::NAN)).collect()))
        .collect();
    let checks = first
        .checks
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let measured: Vec<f64> = outcomes.iter().filter_map(|o| o.checks.get(k).and_then(|c| c.measured)).collect();
            let s = summarise(&c.metric, Unit::default(), measured);
            CheckSpread {
                metric: c.metric.clone(),
                kind: c.kind,
                expected: c.expected,
                tolerance: c.tolerance,
                held: outcomes.iter().filter(|o| o.checks.get(k).is_some_and(|c| c.within)).count() as u32,
                seeds: outcomes.len() as u32,
                median: s.median,
                min: s.min,
                max: s.max,
            }
        })
        .collect();
    Spread { seeds: outcomes.iter().map(|o| o.seed).collect(), figures, checks }
}

/// Do two spreads of one figure differ? Only when the ranges do not overlap or
/// the figure is above zero in a different number of seeds: a shift inside the
/// seed-to-seed scatter is not called a change.
pub fn differs(history: &FigureSpread, yours: &FigureSpread) -> bool {
    let apart = yours.min > history.max || yours.max < history.min;
    apart || history.seeds_above_zero != yours.seeds_above_zero
}

/// History vs a what-if, figure by figure (figures both spreads have, in
/// history's order).
pub fn compare(history: &Spread, yours: &Spread) -> Vec<FigureChange> {
    history
        .figures
        .iter()
        .filter_map(|h| {
            let y = yours.figures.iter().find(|y| y.metric == h.metric)?;
            let changed = differs(h, y);
            let direction = if !changed || y.median == h.median {
                0
            } else if y.median < h.median {
                -1
            } else {
                1
            };
            Some(FigureChange { metric: h.metric.clone(), history: h.clone(), yours: y.clone(), changed, direction })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(min: f64, max: f64, above: u32) -> FigureSpread {
        FigureSpread { metric: "x".into(), unit: Unit::Count, median: (min + max) / 2.0, min, max, seeds_above_zero: above, seeds: 10 }
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        let s = summarise("x", Unit::Count, vec![3.0, f64::NAN, 0.0, 5.0]);
        assert_eq!((s.median, s.min, s.max, s.seeds_above_zero, s.seeds), (3.0, 0.0, 5.0, 2, 3));
    }

    #[test]
    fn overlapping_ranges_with_the_same_presence_are_not_a_change() {
        assert!(!differs(&fig(10.0, 20.0, 10), &fig(15.0, 30.0, 10)));
        assert!(differs(&fig(10.0, 20.0, 10), &fig(21.0, 30.0, 10)));
        assert!(differs(&fig(10.0, 20.0, 10), &fig(0.0, 9.0, 10)));
        // Same range, but present in fewer seeds: a change (e.g. split brain in 9 vs 3 of 10).
        assert!(differs(&fig(0.0, 20.0, 9), &fig(0.0, 20.0, 3)));
    }
}
