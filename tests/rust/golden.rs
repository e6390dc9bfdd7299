//! Golden text timelines: each scenario's historical run (seed 1, defaults) is
//! checked in under tests/golden/ and compared on every test run. Rewrite them
//! deliberately with `BLESS=1 cargo test --test golden` and review the diff.

mod common;

#[test]
fn every_scenario_matches_its_golden_timeline() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = vec![];
    for name in common::scenario_names() {
        let text = common::run_with(&name, &[], 1).timeline_text();
        let path = common::repo().join("tests/golden").join(format!("{name}.txt"));
        if bless {
            std::fs::write(&path, &text).expect("write golden");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(golden) if golden == text => {}
            Ok(golden) => {
                let first = golden.lines().zip(text.lines()).position(|(a, b)| a != b).unwrap_or(golden.lines().count().min(text.lines().count()));
                failures.push(format!(
                    "{name}: differs from {} at line {}:\n  golden: {}\n  now:    {}",
                    path.display(),
                    first + 1,
                    golden.lines().nth(first).unwrap_or("<end>"),
                    text.lines().nth(first).unwrap_or("<end>")
                ));
            }
            Err(_) => failures.push(format!("{name}: no golden file at {} (run with BLESS=1)", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
